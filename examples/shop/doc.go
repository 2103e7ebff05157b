// Package shop is pave's sample app: an HTTP API (shop-api) and a worker
// sharing one PostgreSQL database, with a Redis cache, described by the
// Score files api.score.yaml and worker.score.yaml. The program is in
// cmd/shop-api; this package holds only its tests, which run the program
// against a real PostgreSQL and Redis.
package shop
