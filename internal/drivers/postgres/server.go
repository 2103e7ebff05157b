package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pavedev/pave/internal/drivers/credential"
	"github.com/pavedev/pave/internal/errs"
)

// session is one admin connection and the secrets its errors must not show.
type session struct {
	conn    *pgx.Conn
	secrets []string
}

// connect opens an admin connection. Errors never show the admin URL, the
// admin password, or the resource's username and password: the resource
// type may declare its username secret.
func connect(ctx context.Context, in *inputs, username, password string) (*session, error) {
	s := &session{secrets: []string{in.adminURL, in.admin.Password, username, password}}
	conn, err := pgx.ConnectConfig(ctx, in.admin)
	if err != nil {
		addr := net.JoinHostPort(in.admin.Host, strconv.Itoa(int(in.admin.Port)))
		return nil, s.fail(ctx, err, "connect to PostgreSQL at %s as %q", addr, in.admin.User)
	}
	s.conn = conn
	return s, nil
}

func (s *session) close() {
	// A fresh context: the call's may be over, and the close is quick.
	_ = s.conn.Close(context.Background())
}

// fail turns err into pave's error with no secret in it.
func (s *session) fail(ctx context.Context, err error, format string, args ...any) error {
	what := fmt.Sprintf(format, args...)
	cause := credential.RedactError(err, s.secrets...)
	if ctx.Err() != nil {
		return errs.Wrap(errs.Transient, cause, "%s: %v", what, ctx.Err())
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		code := errs.Internal
		switch {
		case strings.HasPrefix(pg.Code, "08"), strings.HasPrefix(pg.Code, "53"),
			strings.HasPrefix(pg.Code, "57P"), strings.HasPrefix(pg.Code, "40"):
			code = errs.Transient
		case pg.Code == "2BP01", pg.Code == "55006":
			code = errs.Conflict
		}
		msg := pg.Message
		if pg.Detail != "" {
			msg += " (" + pg.Detail + ")"
		}
		return errs.Wrap(code, cause, "%s: %s", what, credential.Redact(msg, s.secrets...))
	}
	return errs.Wrap(errs.Transient, cause, "%s: %s", what, cause.Error())
}

func sqlState(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code
	}
	return ""
}

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ensureRole makes role a LOGIN role whose password is password.
func (s *session) ensureRole(ctx context.Context, role, password string) error {
	var verifier *string
	var canLogin bool
	exists, readable := true, true
	err := s.conn.QueryRow(ctx, "SELECT rolpassword, rolcanlogin FROM pg_authid WHERE rolname = $1", role).Scan(&verifier, &canLogin)
	if sqlState(err) == "42501" {
		// Not a superuser: pg_authid is hidden, so the password cannot be
		// compared and is set every time.
		readable = false
		err = s.conn.QueryRow(ctx, "SELECT rolcanlogin FROM pg_roles WHERE rolname = $1", role).Scan(&canLogin)
	}
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		exists = false
	case err != nil:
		return s.fail(ctx, err, "look up the resource's role")
	}
	if exists && readable && canLogin && verifier != nil && scramMatches(*verifier, password) {
		return nil
	}
	v := scramVerifier(password)
	s.secrets = append(s.secrets, v)
	if !exists {
		_, err := s.conn.Exec(ctx, "CREATE ROLE "+ident(role)+" LOGIN PASSWORD "+literal(v))
		switch sqlState(err) {
		case "":
			return s.grantToSelf(ctx, role)
		case "42710", "23505": // created meanwhile by a concurrent run: set it below
		default:
			return s.fail(ctx, err, "create the resource's role")
		}
	}
	if _, err := s.conn.Exec(ctx, "ALTER ROLE "+ident(role)+" WITH LOGIN PASSWORD "+literal(v)); err != nil {
		return s.fail(ctx, err, "set the password of the resource's role")
	}
	return s.grantToSelf(ctx, role)
}

// grantToSelf makes a non-superuser admin a member of role, which it needs
// to create a database owned by role and later to drop it.
func (s *session) grantToSelf(ctx context.Context, role string) error {
	var super bool
	if err := s.conn.QueryRow(ctx, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&super); err != nil {
		return s.fail(ctx, err, "look up the admin role")
	}
	if super {
		return nil
	}
	if _, err := s.conn.Exec(ctx, "GRANT "+ident(role)+" TO CURRENT_USER"); err != nil {
		return s.fail(ctx, err, "grant the resource's role to the admin role")
	}
	return nil
}

// databaseOwner returns the owner of db, or "" when there is no such
// database.
func (s *session) databaseOwner(ctx context.Context, db string) (string, error) {
	var owner string
	err := s.conn.QueryRow(ctx, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", db).Scan(&owner)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", s.fail(ctx, err, "look up database %q", db)
	}
	return owner, nil
}

// ensureDatabase makes db exist, owned by owner, closed to other roles.
func (s *session) ensureDatabase(ctx context.Context, db, owner string) error {
	current, err := s.databaseOwner(ctx, db)
	if err != nil {
		return err
	}
	if current == "" {
		// CREATE DATABASE cannot run in a transaction: this is a plain
		// statement, and PostgreSQL undoes it whole if it is cut off.
		_, err := s.conn.Exec(ctx, "CREATE DATABASE "+ident(db)+" OWNER "+ident(owner))
		switch sqlState(err) {
		case "":
			current = owner
		case "42P04", "23505": // created meanwhile by a concurrent run
		default:
			return s.fail(ctx, err, "create database %q", db)
		}
	}
	if current != owner {
		if _, err := s.conn.Exec(ctx, "ALTER DATABASE "+ident(db)+" OWNER TO "+ident(owner)); err != nil {
			return s.fail(ctx, err, "make the resource's role the owner of database %q", db)
		}
	}
	if _, err := s.conn.Exec(ctx, "REVOKE ALL ON DATABASE "+ident(db)+" FROM PUBLIC"); err != nil {
		return s.fail(ctx, err, "close database %q to other roles", db)
	}
	return nil
}

// rename renames database from to to, ending its sessions, when from exists.
func (s *session) rename(ctx context.Context, from, to string) error {
	fromOwner, err := s.databaseOwner(ctx, from)
	if err != nil || fromOwner == "" {
		return err
	}
	toOwner, err := s.databaseOwner(ctx, to)
	if err != nil {
		return err
	}
	if toOwner != "" {
		return errs.New(errs.Conflict, "rename database %q to %q: a database called %q exists already", from, to, to)
	}
	if err := s.terminate(ctx, from); err != nil {
		return err
	}
	if _, err := s.conn.Exec(ctx, "ALTER DATABASE "+ident(from)+" RENAME TO "+ident(to)); err != nil {
		return s.fail(ctx, err, "rename database %q to %q", from, to)
	}
	return nil
}

func (s *session) terminate(ctx context.Context, db string) error {
	_, err := s.conn.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", db)
	if err != nil {
		return s.fail(ctx, err, "end the sessions of database %q", db)
	}
	return nil
}

// dropDatabase ends the sessions of db and drops it, if it exists.
func (s *session) dropDatabase(ctx context.Context, db string) error {
	if err := s.terminate(ctx, db); err != nil {
		return err
	}
	stmt := "DROP DATABASE IF EXISTS " + ident(db)
	if s.major() >= 13 {
		// Ends sessions that connected since terminate.
		stmt += " WITH (FORCE)"
	}
	if _, err := s.conn.Exec(ctx, stmt); err != nil {
		return s.fail(ctx, err, "drop database %q", db)
	}
	return nil
}

// dropRole drops role if it exists.
func (s *session) dropRole(ctx context.Context, role string) error {
	if _, err := s.conn.Exec(ctx, "DROP ROLE IF EXISTS "+ident(role)); err != nil {
		return s.fail(ctx, err, "drop the resource's role")
	}
	return nil
}

// major is the server's major version, 0 when unknown.
func (s *session) major() int {
	v := s.conn.PgConn().ParameterStatus("server_version")
	if i := strings.IndexAny(v, ". "); i > 0 {
		v = v[:i]
	}
	n, _ := strconv.Atoi(v)
	return n
}
