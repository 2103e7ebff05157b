// Package redis is the redis driver: for each resource it creates an ACL
// user on a shared Redis 7 (or Valkey) server whose keys and channels are
// confined to a prefix derived from the resource's UID, and on deprovision
// deletes the user and the keys under its prefix. The password is
// generated once, kept in the driver's state, and sent to the server only
// as its SHA-256, so it never shows in the server's logs or ACL LIST.
package redis

import (
	"context"
	"encoding/json"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/drivers/credential"
	"github.com/pavedev/pave/internal/drivers/input"
	"github.com/pavedev/pave/internal/errs"
)

// PasswordLen is the length of generated passwords.
const PasswordLen = 32

// maxName bounds the names the driver makes.
const maxName = 63

// Rules are the ACL rules of every user, after its password, key and
// channel patterns. Key patterns confine what commands naming keys reach,
// but some commands reach past them, so they are taken away too.
var Rules = []string{
	"+@all",
	"-@admin",             // server administration: CONFIG, ACL, SHUTDOWN, REPLICAOF, DEBUG, MONITOR...
	"-@dangerous",         // commands that harm or spy on the whole server: FLUSHALL, FLUSHDB, KEYS, INFO, CLIENT LIST/KILL, MIGRATE, SORT...
	"-scan", "-randomkey", // key names of every tenant: key patterns do not filter them
	"-pubsub",                       // PUBSUB CHANNELS lists every tenant's channels
	"-function",                     // functions are server-wide: loading or flushing them reaches other tenants (FCALL stays)
	"-script|flush", "-script|kill", // the script cache and running scripts are server-wide
}

// Driver is the redis driver.
type Driver struct{}

// New returns the redis driver.
func New() *Driver { return &Driver{} }

// Describe documents the driver and its inputs.
func (*Driver) Describe() driver.Info {
	return driver.Info{
		Name: "redis",
		Description: "Creates a Redis ACL user confined to its own key and channel prefix, with a generated password " +
			"(Redis 7 or later; users survive a restart only if the server has an aclfile). " +
			"Outputs host, port, username, password, prefix, db.",
		Inputs: []driver.Input{
			{Name: "addr", Type: "string", Required: true, Description: "host:port of the Redis server."},
			{Name: "adminUsername", Type: "string", Description: "User that may run ACL commands (default: the default user)."},
			{Name: "adminPassword", Type: "string", Secret: true, Description: "Password of the admin user."},
			{Name: "db", Type: "integer", Description: "Database number to report to workloads and clean up on deprovision (default 0)."},
		},
	}
}

type inputs struct {
	addr, host          string
	port                int64
	adminUser, adminPwd string
	db                  int64
}

func (d *Driver) parse(in map[string]any, validating bool) (*inputs, error) {
	r := input.New(in, d.Describe(), validating)
	out := &inputs{
		addr:      r.String("addr", ""),
		adminUser: r.String("adminUsername", ""),
		adminPwd:  r.String("adminPassword", ""),
		db:        r.Int("db", 0, 0, 1<<20),
	}
	if !(validating && input.Placeholder(out.addr)) && out.addr != "" {
		host, port, err := net.SplitHostPort(out.addr)
		n, perr := strconv.ParseInt(port, 10, 64)
		if err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
			r.Fail("addr", "must be host:port")
		}
		out.host, out.port = host, n
	}
	if strings.ContainsAny(out.adminUser, " \t\r\n") {
		r.Fail("adminUsername", "must not hold spaces")
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidateInputs checks the inputs.
func (d *Driver) ValidateInputs(in map[string]any) error {
	_, err := d.parse(in, true)
	return err
}

// state is what the driver keeps between runs; pave stores it sealed.
type state struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Prefix   string `json:"prefix"`
	// DBs are every database reported to workloads, to clean up.
	DBs []int64 `json:"dbs,omitempty"`
	// Rules are the rules last set, and ACL the server's rendering of the
	// user then: when both still hold, provisioning changes nothing.
	Rules string `json:"rules,omitempty"`
	ACL   string `json:"acl,omitempty"`
}

// Prefix is the key prefix of the resource with uid, ":" included.
func Prefix(uid string) string { return credential.Name(uid, maxName) + ":" }

// Username is the ACL user of the resource with uid: distinct from the
// prefix, since the username may be secret and the prefix is not.
func Username(uid string) string { return credential.Name(uid+"#user", maxName) }

func resolve(req *driver.Request, st state) (username, prefix string) {
	username, prefix = st.Username, st.Prefix
	if username == "" {
		username = Username(req.UID)
	}
	if prefix == "" {
		prefix = Prefix(req.UID)
	}
	return username, prefix
}

// Provision creates or updates the ACL user.
func (d *Driver) Provision(ctx context.Context, req *driver.Request) (*driver.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, errs.Wrap(errs.Transient, err, "%v", err)
	}
	in, err := d.parse(req.Inputs, false)
	if err != nil {
		return nil, err
	}
	st, err := driver.DecodeState[state]("redis", req.State)
	if err != nil {
		return nil, err
	}
	username, prefix := resolve(req, st)
	password := st.Password
	if password == "" {
		password = credential.Password(PasswordLen)
	}
	s := connect(in, username, password)
	defer s.close()
	rules := strings.Join(userRules(prefix), " ")
	acl, err := s.ensureUser(ctx, username, password, prefix, st)
	if err != nil {
		return nil, err
	}
	dbs := st.DBs
	if !slices.Contains(dbs, in.db) {
		dbs = append(slices.Clone(dbs), in.db)
	}
	data, err := json.Marshal(state{Username: username, Password: password, Prefix: prefix, Rules: rules, ACL: acl, DBs: dbs})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "encode the redis driver's state")
	}
	return &driver.Result{
		Outputs: map[string]any{
			"host": in.host, "port": in.port, "db": in.db,
			"username": username, "password": password, "prefix": prefix,
		},
		State: data,
	}, nil
}

// Deprovision deletes the ACL user, which disconnects its clients, and the
// keys under its prefix in every database it reported. Both being absent is
// fine.
func (d *Driver) Deprovision(ctx context.Context, req *driver.Request) error {
	if err := ctx.Err(); err != nil {
		return errs.Wrap(errs.Transient, err, "%v", err)
	}
	in, err := d.parse(req.Inputs, false)
	if err != nil {
		return err
	}
	st, err := driver.DecodeState[state]("redis", req.State)
	if err != nil {
		return err
	}
	username, prefix := resolve(req, st)
	s := connect(in, username, st.Password)
	defer s.close()
	if err := s.deleteUser(ctx, username); err != nil {
		return err
	}
	dbs := st.DBs
	if !slices.Contains(dbs, in.db) {
		dbs = append(slices.Clone(dbs), in.db)
	}
	for _, db := range dbs {
		if err := s.deleteKeys(ctx, db, prefix); err != nil {
			return err
		}
	}
	return nil
}

// userRules are the rules after the password.
func userRules(prefix string) []string {
	return append([]string{"~" + prefix + "*", "resetchannels", "&" + prefix + "*"}, Rules...)
}
