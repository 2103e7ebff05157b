package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/service"
)

// table lists every route. openapi.yaml documents each, and a test keeps
// the two the same.
func (s *Server) table() []route {
	return []route{
		{Method: "GET", Path: "/healthz", public: true, h: s.healthz},
		{Method: "GET", Path: "/readyz", public: true, h: s.readyz},
		{Method: "GET", Path: "/metrics", public: true, h: s.metricsPage},
		{Method: "GET", Path: "/openapi.json", public: true, h: s.openapi},

		{Method: "GET", Path: "/api/v1/whoami", h: s.whoami},
		{Method: "GET", Path: "/api/v1/platform", h: s.platform},
		{Method: "POST", Path: "/api/v1/platform/reload", h: s.reloadPlatform},
		{Method: "GET", Path: "/api/v1/secrets", h: s.listSecrets},
		{Method: "PUT", Path: "/api/v1/secrets/{name}", h: s.putSecret},
		{Method: "DELETE", Path: "/api/v1/secrets/{name}", h: s.deleteSecret},
		{Method: "POST", Path: "/api/v1/gc", long: true, h: s.gc},

		{Method: "GET", Path: "/api/v1/apps", h: s.listApps},
		{Method: "POST", Path: "/api/v1/apps", h: s.createApp},
		{Method: "GET", Path: "/api/v1/apps/{app}", h: s.getApp},
		{Method: "PATCH", Path: "/api/v1/apps/{app}", h: s.updateApp},
		{Method: "GET", Path: "/api/v1/apps/{app}/environments", h: s.listEnvironments},
		{Method: "POST", Path: "/api/v1/apps/{app}/environments", long: true, h: s.createEnvironment},
		{Method: "DELETE", Path: "/api/v1/apps/{app}/environments/{env}", long: true, h: s.deleteEnvironment},
		{Method: "GET", Path: "/api/v1/apps/{app}/environments/{env}/resources", h: s.resources},
		{Method: "GET", Path: "/api/v1/apps/{app}/environments/{env}/plans", h: s.listPlans},
		{Method: "POST", Path: "/api/v1/apps/{app}/environments/{env}/plans", h: s.plan},
		{Method: "GET", Path: "/api/v1/apps/{app}/environments/{env}/deployments", h: s.listDeployments},
		{Method: "POST", Path: "/api/v1/apps/{app}/environments/{env}/deployments", long: true, h: s.deploy},
		{Method: "POST", Path: "/api/v1/apps/{app}/environments/{env}/promote", long: true, h: s.promote},
		{Method: "POST", Path: "/api/v1/apps/{app}/environments/{env}/rollback", long: true, h: s.rollback},
		{Method: "POST", Path: "/api/v1/apps/{app}/environments/{env}/destroy", long: true, h: s.destroy},
		{Method: "POST", Path: "/api/v1/apps/{app}/environments/{env}/render", h: s.render},
		{Method: "GET", Path: "/api/v1/apps/{app}/environments/{env}/explain", h: s.explain},
		{Method: "GET", Path: "/api/v1/apps/{app}/environments/{env}/workloads/{workload}/logs", h: s.logs},

		{Method: "GET", Path: "/api/v1/plans/{id}", h: s.getPlan},
		{Method: "POST", Path: "/api/v1/plans/{id}/approvals", h: s.approve},
		{Method: "POST", Path: "/api/v1/plans/{id}/apply", long: true, h: s.applyPlan},
		{Method: "GET", Path: "/api/v1/deployments/{id}", h: s.getDeployment},
		{Method: "GET", Path: "/api/v1/deployments/{id}/events", long: true, h: s.events},

		{Method: "GET", Path: "/api/v1/tokens", h: s.listTokens},
		{Method: "POST", Path: "/api/v1/tokens", h: s.createToken},
		{Method: "DELETE", Path: "/api/v1/tokens/{id}", h: s.revokeToken},
		{Method: "GET", Path: "/api/v1/users", h: s.listUsers},
		{Method: "POST", Path: "/api/v1/users", h: s.createUser},
		{Method: "GET", Path: "/api/v1/users/{name}", h: s.getUser},
		{Method: "PUT", Path: "/api/v1/users/{name}", h: s.updateUser},
		{Method: "GET", Path: "/api/v1/teams", h: s.listTeams},
		{Method: "POST", Path: "/api/v1/teams", h: s.createTeam},
		{Method: "GET", Path: "/api/v1/audit", h: s.audit},
	}
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request, _ service.Actor) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request, _ service.Actor) error {
	if s.draining.Load() {
		return errs.New(errs.Transient, "shutting down")
	}
	if s.opts.Ready != nil {
		if err := s.opts.Ready(r.Context()); err != nil {
			return errs.Wrap(errs.Transient, err, "the database does not answer")
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}

func (s *Server) metricsPage(w http.ResponseWriter, _ *http.Request, _ service.Actor) error {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	s.metrics.write(w)
	writeReloads(w, s.holder.Reloads())
	return nil
}

// queryInt reads an optional integer query parameter.
func queryInt(r *http.Request, name string) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, errs.New(errs.Invalid, "query parameter %s: want a non-negative integer, not %q", name, v)
	}
	return n, nil
}

// queryBool reads an optional boolean query parameter.
func queryBool(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, errs.New(errs.Invalid, "query parameter %s: want true or false, not %q", name, v)
	}
	return b, nil
}

// queryTime reads an optional RFC 3339 time query parameter.
func queryTime(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, errs.New(errs.Invalid, "query parameter %s: want an RFC 3339 time, not %q", name, v)
	}
	return t, nil
}

// duration reads an optional Go duration of a body field.
func duration(field, v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, &errs.Error{Code: errs.Invalid, Path: "/" + field, Message: "request body: want a positive duration such as \"72h\", not " + strconv.Quote(v)}
	}
	return d, nil
}
