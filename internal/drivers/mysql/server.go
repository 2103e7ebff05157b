package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/pavedev/pave/internal/drivers/credential"
	"github.com/pavedev/pave/internal/errs"
)

// session is one admin connection and the secrets its errors must not show.
type session struct {
	db      *sql.DB
	conn    *sql.Conn
	secrets []string
}

// connect opens an admin connection. Errors never show the admin URL, the
// admin password, or the resource's username and password: the resource
// type may declare its username secret.
func connect(ctx context.Context, in *inputs, username, password string) (*session, error) {
	s := &session{secrets: []string{in.adminURL, in.admin.Passwd, username, password}}
	connector, err := gomysql.NewConnector(in.admin)
	if err != nil {
		return nil, s.fail(ctx, err, "configure the MySQL connection")
	}
	s.db = sql.OpenDB(connector)
	s.conn, err = s.db.Conn(ctx)
	if err != nil {
		s.db.Close()
		return nil, s.fail(ctx, err, "connect to MySQL at %s as %q", in.admin.Addr, in.admin.User)
	}
	return s, nil
}

func (s *session) close() {
	s.conn.Close()
	s.db.Close()
}

// fail turns err into pave's error with no secret in it.
func (s *session) fail(ctx context.Context, err error, format string, args ...any) error {
	what := fmt.Sprintf(format, args...)
	cause := credential.RedactError(err, s.secrets...)
	if ctx.Err() != nil {
		return errs.Wrap(errs.Transient, cause, "%s: %v", what, ctx.Err())
	}
	var my *gomysql.MySQLError
	if errors.As(err, &my) {
		code := errs.Internal
		switch my.Number {
		case 1040, 1205, 1213, 1290: // too many connections, lock wait, deadlock, read-only
			code = errs.Transient
		}
		return errs.Wrap(code, cause, "%s: %s (error %d)", what, credential.Redact(my.Message, s.secrets...), my.Number)
	}
	return errs.Wrap(errs.Transient, cause, "%s: %s", what, cause.Error())
}

// ident quotes a database name.
func ident(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }

// grantIdent quotes a database name for GRANT, where _ and % are wildcards
// unless escaped: unescaped, a grant on shop_db would cover shopxdb too.
func grantIdent(name string) string {
	r := strings.NewReplacer(`\`, `\\`, "_", `\_`, "%", `\%`)
	return ident(r.Replace(name))
}

// literal quotes a string literal. It is only given user names and
// passwords this package made (letters, digits and underscores), which
// read the same whether or not the server's SQL mode has
// NO_BACKSLASH_ESCAPES; quotes are doubled all the same.
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// account names the user 'name'@'%'.
func account(user string) string { return literal(user) + "@'%'" }

func (s *session) databaseExists(ctx context.Context, db string) (bool, error) {
	var n int
	err := s.conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", db).Scan(&n)
	if err != nil {
		return false, s.fail(ctx, err, "look up database %q", db)
	}
	return n > 0, nil
}

// ensureUser makes user@'%' exist with password.
func (s *session) ensureUser(ctx context.Context, user, password string) error {
	// The password travels in the statement: MySQL and MariaDB take no
	// parameter there. Errors are redacted of it.
	if _, err := s.conn.ExecContext(ctx, "CREATE USER IF NOT EXISTS "+account(user)+" IDENTIFIED BY "+literal(password)); err != nil {
		return s.fail(ctx, err, "create the resource's user")
	}
	if _, err := s.conn.ExecContext(ctx, "ALTER USER "+account(user)+" IDENTIFIED BY "+literal(password)); err != nil {
		return s.fail(ctx, err, "set the password of the resource's user")
	}
	return nil
}

// ensureDatabase makes db exist and grants user every privilege on it.
func (s *session) ensureDatabase(ctx context.Context, db, user string) error {
	if _, err := s.conn.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS "+ident(db)); err != nil {
		return s.fail(ctx, err, "create database %q", db)
	}
	if _, err := s.conn.ExecContext(ctx, "GRANT ALL PRIVILEGES ON "+grantIdent(db)+".* TO "+account(user)); err != nil {
		return s.fail(ctx, err, "grant the resource's user the privileges on database %q", db)
	}
	return nil
}

// killSessions ends every session of user, so that dropping its database
// does not wait on their locks.
func (s *session) killSessions(ctx context.Context, user string) error {
	rows, err := s.conn.QueryContext(ctx, "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ? AND ID <> CONNECTION_ID()", user)
	if err != nil {
		return s.fail(ctx, err, "list the sessions of the resource's user")
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return s.fail(ctx, err, "list the sessions of the resource's user")
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return s.fail(ctx, err, "list the sessions of the resource's user")
	}
	for _, id := range ids {
		_, err := s.conn.ExecContext(ctx, fmt.Sprintf("KILL CONNECTION %d", id))
		var my *gomysql.MySQLError
		if err != nil && !(errors.As(err, &my) && my.Number == 1094) { // 1094: gone already
			return s.fail(ctx, err, "end session %d of the resource's user", id)
		}
	}
	return nil
}
