package mysql

import (
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/pavedev/pave/internal/errs"
)

// DefaultPort is MySQL's and MariaDB's port.
const DefaultPort = 3306

// ParseAdminURL turns an admin URL into a go-sql-driver configuration (its
// FormatDSN gives the DSN):
//
//	mysql://user:password@host:port/[database][?tls=true|false|skip-verify|preferred]
//	mysql://user:password@localhost/?socket=/run/mysqld/mysqld.sock
//
// The scheme may also be mariadb. Errors never quote the URL, which holds a
// password.
func ParseAdminURL(s string) (*gomysql.Config, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, errs.New(errs.Invalid, "is not a valid URL")
	}
	if u.Scheme != "mysql" && u.Scheme != "mariadb" {
		return nil, errs.New(errs.Invalid, "must be a mysql:// or mariadb:// URL")
	}
	if u.Opaque != "" {
		return nil, errs.New(errs.Invalid, "must be a mysql://user:password@host:port/ URL")
	}
	cfg := gomysql.NewConfig()
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
	}
	if cfg.User == "" {
		return nil, errs.New(errs.Invalid, "must name a user: mysql://user:password@host:port/")
	}
	db := strings.TrimPrefix(u.Path, "/")
	if strings.Contains(db, "/") {
		return nil, errs.New(errs.Invalid, "has a path with more than a database name")
	}
	cfg.DBName = db
	cfg.Timeout = 30 * time.Second

	query := u.Query()
	for key := range query {
		if key != "tls" && key != "socket" {
			return nil, errs.New(errs.Invalid, "has an unknown parameter %q (known: tls, socket)", key)
		}
	}
	if socket := query.Get("socket"); socket != "" {
		cfg.Net, cfg.Addr = "unix", socket
		if u.Port() != "" {
			return nil, errs.New(errs.Invalid, "names both a port and a socket")
		}
	} else {
		host := u.Hostname()
		if host == "" {
			return nil, errs.New(errs.Invalid, "must name a host: mysql://user:password@host:port/")
		}
		port := DefaultPort
		if p := u.Port(); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 65535 {
				return nil, errs.New(errs.Invalid, "has an invalid port")
			}
			port = n
		}
		cfg.Net, cfg.Addr = "tcp", net.JoinHostPort(host, strconv.Itoa(port))
	}
	switch tls := query.Get("tls"); tls {
	case "", "false":
	case "true", "skip-verify", "preferred":
		cfg.TLSConfig = tls
	default:
		return nil, errs.New(errs.Invalid, "has tls=%q; use true, false, skip-verify or preferred", tls)
	}
	return cfg, nil
}

// hostPort returns the host and port cfg connects to, for outputs.
func hostPort(cfg *gomysql.Config) (string, int64) {
	if cfg.Net == "unix" {
		return "localhost", DefaultPort
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return cfg.Addr, DefaultPort
	}
	n, _ := strconv.ParseInt(port, 10, 64)
	return host, n
}
