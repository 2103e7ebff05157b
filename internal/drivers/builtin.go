// Package drivers registers pave's built-in drivers. Each lives in a
// package of its own under this one.
package drivers

import (
	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/drivers/exec"
	"github.com/pavedev/pave/internal/drivers/http"
	"github.com/pavedev/pave/internal/drivers/mysql"
	"github.com/pavedev/pave/internal/drivers/postgres"
	"github.com/pavedev/pave/internal/drivers/redis"
	"github.com/pavedev/pave/internal/drivers/static"
	"github.com/pavedev/pave/internal/drivers/template"
	"github.com/pavedev/pave/internal/drivers/tofu"
)

// Register adds every built-in driver to r under its name. A name already
// taken panics, as Registry.Register does.
func Register(r *driver.Registry) {
	r.Register("static", static.New())
	r.Register("template", template.New())
	r.Register("postgres", postgres.New())
	r.Register("mysql", mysql.New())
	r.Register("redis", redis.New())
	r.Register("exec", exec.New())
	r.Register("http", http.New())
	r.Register("tofu", tofu.New(tofu.Config{}))
}
