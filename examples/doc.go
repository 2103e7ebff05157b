// Package examples holds pave's sample apps, each a directory of Score
// files and the Go program they run: shop (an API and a worker on
// PostgreSQL and Redis) and blog (a web API and a feed on PostgreSQL).
// Its tests check every Score file here and deploy the shop, from its
// Score files, on the process target against real services.
package examples
