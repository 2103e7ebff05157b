// Package api is pave's HTTP JSON API: the door that CI jobs, the portal,
// AI agents and the CLI (logged in to a server) use. It is stdlib net/http
// with Go 1.22 routing patterns, described by the OpenAPI 3.1 document it
// serves at /openapi.json (openapi.yaml, embedded), and it is thin: every
// rule is the service core's, every request carries the actor its bearer
// token stands for.
//
// Around the routes: a request id on every request and log line
// (X-Request-Id), structured JSON logs with log/slog, Prometheus metrics at
// /metrics written by hand (no client library: a few counters and one
// histogram do not need one), request body and time limits, strict JSON
// decoding whose errors name the field, a limit on failed authentications
// per client address, /healthz and /readyz, and a graceful shutdown that
// lets deployments in flight finish. Errors map from errs codes to HTTP
// statuses in one place (status.go) and are written as
// {"error":{"code","message"}}, never with a cause or a secret.
//
// Changes (deploy, destroy, promote, rollback, apply a plan, delete an
// environment) run detached from the request, so that a client that goes
// away does not cancel a deployment; with Accept: application/x-ndjson or
// text/event-stream the client follows its engine events live.
package api
