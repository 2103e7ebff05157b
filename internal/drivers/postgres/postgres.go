// Package postgres is the postgres driver: for each resource it creates a
// database and a LOGIN role that owns it on a PostgreSQL server pave reaches
// with an admin URL, and drops both on deprovision. Names derive from the
// resource's UID; the role's password is generated once, kept in the
// driver's state, and sent to the server only as a SCRAM-SHA-256 verifier,
// so it never appears in the server's logs.
package postgres

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/drivers/credential"
	"github.com/pavedev/pave/internal/drivers/input"
	"github.com/pavedev/pave/internal/errs"
)

// MaxIdentifier is PostgreSQL's identifier limit in bytes (NAMEDATALEN-1).
const MaxIdentifier = 63

// PasswordLen is the length of generated passwords.
const PasswordLen = 32

// Driver is the postgres driver.
type Driver struct{}

// New returns the postgres driver.
func New() *Driver { return &Driver{} }

// Describe documents the driver and its inputs.
func (*Driver) Describe() driver.Info {
	return driver.Info{
		Name: "postgres",
		Description: "Creates a PostgreSQL database and a LOGIN role owning it, with a generated password. " +
			"Outputs host, port, name, database, username, password.",
		Inputs: []driver.Input{
			{Name: "adminUrl", Type: "string", Required: true, Secret: true,
				Description: "URL of a role that may create databases and roles: postgres://user:password@host:port/db?sslmode=..."},
			{Name: "host", Type: "string", Description: "Host to report to workloads, when it differs from the admin URL's."},
			{Name: "port", Type: "integer", Description: "Port to report to workloads, when it differs from the admin URL's."},
			{Name: "databaseName", Type: "string",
				Description: "Name of the database, instead of one derived from the resource's UID. Changing it renames the database."},
		},
	}
}

// inputs are the parsed inputs.
type inputs struct {
	admin        *pgx.ConnConfig
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
		if len(n) > MaxIdentifier || strings.ContainsRune(n, 0) {
			r.Fail("databaseName", "must be 1 to %d bytes without NUL", MaxIdentifier)
		}
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	if validating && input.Placeholder(out.adminURL) {
		return out, nil
	}
	if !strings.HasPrefix(out.adminURL, "postgres://") && !strings.HasPrefix(out.adminURL, "postgresql://") {
		return nil, input.Error("adminUrl", "must be a postgres:// or postgresql:// URL")
	}
	cfg, err := pgx.ParseConfig(out.adminURL)
	if err != nil {
		// The parse error may quote the URL: keep it out, even from logs.
		return nil, input.Error("adminUrl", "is not a valid PostgreSQL URL")
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = "pave"
	out.admin = cfg
	if out.host == "" {
		out.host = cfg.Host
	}
	if out.port == 0 {
		out.port = int64(cfg.Port)
	}
	return out, nil
}

// ValidateInputs checks the inputs; the admin URL is parsed unless it still
// holds placeholders.
func (d *Driver) ValidateInputs(in map[string]any) error {
	_, err := d.parse(in, true)
	return err
}

// state is what the driver keeps between runs. It holds the password, so
// pave stores it sealed.
type state struct {
	Database string `json:"database"`
	Username string `json:"username"`
	Password string `json:"password"`
}

// Database is the database of the resource with uid, unless the
// databaseName input names another.
func Database(uid string) string { return credential.Name(uid, MaxIdentifier) }

// Username is the role of the resource with uid: distinct from the
// database's name, since the username may be secret and the name is not.
func Username(uid string) string { return credential.Name(uid+"#user", MaxIdentifier) }

// names are what one resource is called on the server.
type names struct {
	database, username string
	// previous is the database's name at the last provision, when it
	// differs from database.
	previous string
}

func resolveNames(req *driver.Request, in *inputs, st state) names {
	n := names{database: in.databaseName, username: st.Username}
	if n.database == "" {
		n.database = Database(req.UID)
	}
	if n.username == "" {
		n.username = Username(req.UID)
	}
	if st.Database != "" && st.Database != n.database {
		n.previous = st.Database
	}
	return n
}

// Provision creates or updates the database and its role.
func (d *Driver) Provision(ctx context.Context, req *driver.Request) (*driver.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, errs.Wrap(errs.Transient, err, "%v", err)
	}
	in, err := d.parse(req.Inputs, false)
	if err != nil {
		return nil, err
	}
	st, err := driver.DecodeState[state]("postgres", req.State)
	if err != nil {
		return nil, err
	}
	n := resolveNames(req, in, st)
	password := st.Password
	if password == "" {
		password = credential.Password(PasswordLen)
	}
	s, err := connect(ctx, in, n.username, password)
	if err != nil {
		return nil, err
	}
	defer s.close()
	if err := s.ensureRole(ctx, n.username, password); err != nil {
		return nil, err
	}
	if n.previous != "" {
		if err := s.rename(ctx, n.previous, n.database); err != nil {
			return nil, err
		}
	}
	if err := s.ensureDatabase(ctx, n.database, n.username); err != nil {
		return nil, err
	}
	data, err := json.Marshal(state{Database: n.database, Username: n.username, Password: password})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "encode the postgres driver's state")
	}
	return &driver.Result{
		Outputs: map[string]any{
			"host": in.host, "port": in.port,
			"name": n.database, "database": n.database,
			"username": n.username, "password": password,
		},
		State: data,
	}, nil
}

// Deprovision drops the database, ending its sessions, and the role.
// Either being absent is fine.
func (d *Driver) Deprovision(ctx context.Context, req *driver.Request) error {
	if err := ctx.Err(); err != nil {
		return errs.Wrap(errs.Transient, err, "%v", err)
	}
	in, err := d.parse(req.Inputs, false)
	if err != nil {
		return err
	}
	st, err := driver.DecodeState[state]("postgres", req.State)
	if err != nil {
		return err
	}
	n := resolveNames(req, in, st)
	s, err := connect(ctx, in, n.username, st.Password)
	if err != nil {
		return err
	}
	defer s.close()
	// Drop what the last provision made; without state, what this request
	// would make.
	db := st.Database
	if db == "" {
		db = n.database
	}
	if err := s.dropDatabase(ctx, db); err != nil {
		return err
	}
	return s.dropRole(ctx, n.username)
}
