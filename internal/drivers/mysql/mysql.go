// Package mysql is the mysql driver: for each resource it creates a
// database and a user 'name'@'%' with every privilege on that database on a
// MySQL or MariaDB server pave reaches with an admin URL, and drops both on
// deprovision. Names derive from the resource's UID; the user's password is
// generated once and kept in the driver's state.
package mysql

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/drivers/credential"
	"github.com/pavedev/pave/internal/drivers/input"
	"github.com/pavedev/pave/internal/errs"
)

// Identifier limits: database names (both servers) and user names (MySQL
// 5.7 and later; MariaDB allows 80).
const (
	MaxDatabase = 64
	MaxUser     = 32
)

// PasswordLen is the length of generated passwords.
const PasswordLen = 32

// Driver is the mysql driver.
type Driver struct{}

// New returns the mysql driver.
func New() *Driver { return &Driver{} }

// Describe documents the driver and its inputs.
func (*Driver) Describe() driver.Info {
	return driver.Info{
		Name: "mysql",
		Description: "Creates a MySQL or MariaDB database and a user with every privilege on it, with a generated password. " +
			"Outputs host, port, name, database, username, password.",
		Inputs: []driver.Input{
			{Name: "adminUrl", Type: "string", Required: true, Secret: true,
				Description: "URL of a user that may create databases and users: mysql://user:password@host:port/[?tls=true]"},
			{Name: "host", Type: "string", Description: "Host to report to workloads, when it differs from the admin URL's."},
			{Name: "port", Type: "integer", Description: "Port to report to workloads, when it differs from the admin URL's."},
			{Name: "databaseName", Type: "string",
				Description: "Name of the database, instead of one derived from the resource's UID. It cannot change once provisioned."},
		},
	}
}

type inputs struct {
	admin        *gomysql.Config
	adminURL     string
	host         string
	port         int64
	databaseName string
}

func (d *Driver) parse(in map[string]any, validating bool) (*inputs, error) {
	r := input.New(in, d.Describe(), validating)
	out := &inputs{
		adminURL:     r.String("adminUrl", ""),
		host:         r.String("host", ""),
		port:         r.Int("port", 0, 1, 65535),
		databaseName: r.String("databaseName", ""),
	}
	if n := out.databaseName; n != "" && !(validating && input.Placeholder(n)) {
		if len(grantIdent(n))-2 > MaxDatabase || strings.ContainsAny(n, "\x00/\\.") || strings.TrimRight(n, " ") != n {
			r.Fail("databaseName", "must be at most %d bytes, counting _ and %% twice, without NUL, /, \\, . or trailing spaces", MaxDatabase)
		}
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	if validating && input.Placeholder(out.adminURL) {
		return out, nil
	}
	cfg, err := ParseAdminURL(out.adminURL)
	if err != nil {
		var e *errs.Error
		if errors.As(err, &e) {
			return nil, input.Error("adminUrl", "%s", e.Message)
		}
		return nil, input.Error("adminUrl", "is not valid")
	}
	out.admin = cfg
	host, port := hostPort(cfg)
	if out.host == "" {
		out.host = host
	}
	if out.port == 0 {
		out.port = port
	}
	return out, nil
}

// ValidateInputs checks the inputs; the admin URL is parsed unless it still
// holds placeholders.
func (d *Driver) ValidateInputs(in map[string]any) error {
	_, err := d.parse(in, true)
	return err
}

// state is what the driver keeps between runs; pave stores it sealed.
type state struct {
	Database string `json:"database"`
	Username string `json:"username"`
	Password string `json:"password"`
}

// Database is the database of the resource with uid: the longest name from
// the UID whose GRANT form, with _ escaped, fits MaxDatabase.
func Database(uid string) string {
	for max := MaxDatabase; ; max-- {
		name := credential.Name(uid, max)
		if len(grantIdent(name))-2 <= MaxDatabase || max <= credential.MinNameLen {
			return name
		}
	}
}

// Username is the user of the resource with uid: distinct from the
// database's name, since the username may be secret and the name is not.
func Username(uid string) string { return credential.Name(uid+"#user", MaxUser) }

func resolveNames(req *driver.Request, in *inputs, st state) (database, username string) {
	database, username = in.databaseName, st.Username
	if database == "" {
		database = Database(req.UID)
	}
	if username == "" {
		username = Username(req.UID)
	}
	return database, username
}

// Provision creates or updates the database, the user and its grant.
func (d *Driver) Provision(ctx context.Context, req *driver.Request) (*driver.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, errs.Wrap(errs.Transient, err, "%v", err)
	}
	in, err := d.parse(req.Inputs, false)
	if err != nil {
		return nil, err
	}
	st, err := driver.DecodeState[state]("mysql", req.State)
	if err != nil {
		return nil, err
	}
	database, username := resolveNames(req, in, st)
	password := st.Password
	if password == "" {
		password = credential.Password(PasswordLen)
	}
	s, err := connect(ctx, in, username, password)
	if err != nil {
		return nil, err
	}
	defer s.close()
	if st.Database != "" && st.Database != database {
		found, err := s.databaseExists(ctx, st.Database)
		if err != nil {
			return nil, err
		}
		if found {
			return nil, input.Error("databaseName", "cannot change from %q to %q: MySQL cannot rename a database; deprovision the resource first", st.Database, database)
		}
	}
	if err := s.ensureUser(ctx, username, password); err != nil {
		return nil, err
	}
	if err := s.ensureDatabase(ctx, database, username); err != nil {
		return nil, err
	}
	data, err := json.Marshal(state{Database: database, Username: username, Password: password})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "encode the mysql driver's state")
	}
	return &driver.Result{
		Outputs: map[string]any{
			"host": in.host, "port": in.port,
			"name": database, "database": database,
			"username": username, "password": password,
		},
		State: data,
	}, nil
}

// Deprovision ends the user's sessions and drops the database and the
// user. Either being absent is fine.
func (d *Driver) Deprovision(ctx context.Context, req *driver.Request) error {
	if err := ctx.Err(); err != nil {
		return errs.Wrap(errs.Transient, err, "%v", err)
	}
	in, err := d.parse(req.Inputs, false)
	if err != nil {
		return err
	}
	st, err := driver.DecodeState[state]("mysql", req.State)
	if err != nil {
		return err
	}
	database, username := resolveNames(req, in, st)
	if st.Database != "" {
		database = st.Database
	}
	s, err := connect(ctx, in, username, st.Password)
	if err != nil {
		return err
	}
	defer s.close()
	if err := s.killSessions(ctx, username); err != nil {
		return err
	}
	if _, err := s.conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+ident(database)); err != nil {
		return s.fail(ctx, err, "drop database %q", database)
	}
	if _, err := s.conn.ExecContext(ctx, "DROP USER IF EXISTS "+account(username)); err != nil {
		return s.fail(ctx, err, "drop the resource's user")
	}
	return nil
}
