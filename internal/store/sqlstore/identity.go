package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/store"
)

const userColumns = "name, roles, teams, bindings, disabled, created_at, updated_at"

// CreateUser implements store.Identity.
func (s *Store) CreateUser(ctx context.Context, u *store.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	now := s.clock()
	u.CreatedAt = orNow(u.CreatedAt, now)
	u.UpdatedAt = orNow(u.UpdatedAt, now)
	roles, err := encodeJSON(u.Roles)
	if err != nil {
		return err
	}
	teams, err := encodeJSON(u.Teams)
	if err != nil {
		return err
	}
	bindings, err := encodeJSON(u.Bindings)
	if err != nil {
		return err
	}
	_, err = s.w().exec(ctx, "INSERT INTO users ("+userColumns+") VALUES (?, ?, ?, ?, ?, ?, ?)",
		u.Name, roles, teams, bindings, u.Disabled, toDB(u.CreatedAt), toDB(u.UpdatedAt))
	if isUnique(err) {
		return errs.Wrap(errs.Conflict, err, "user %q already exists", u.Name)
	}
	return fail(err, "create user")
}

func scanUser(row interface{ Scan(...any) error }) (store.User, error) {
	var u store.User
	var roles, teams, bindings string
	var created, updated int64
	if err := row.Scan(&u.Name, &roles, &teams, &bindings, &u.Disabled, &created, &updated); err != nil {
		return u, err
	}
	if err := decodeJSON([]byte(bindings), &u.Bindings); err != nil {
		return u, err
	}
	if u.Bindings == nil {
		u.Bindings = []store.RoleBinding{}
	}
	if err := decodeJSON([]byte(roles), &u.Roles); err != nil {
		return u, err
	}
	if err := decodeJSON([]byte(teams), &u.Teams); err != nil {
		return u, err
	}
	u.CreatedAt, u.UpdatedAt = fromDB(created), fromDB(updated)
	return u, nil
}

// GetUser implements store.Identity.
func (s *Store) GetUser(ctx context.Context, name string) (*store.User, error) {
	u, err := scanUser(s.r().queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE name = ?", name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.New(errs.NotFound, "user %q not found", name)
	}
	if err != nil {
		return nil, fail(err, "get user")
	}
	return &u, nil
}

// ListUsers implements store.Identity.
func (s *Store) ListUsers(ctx context.Context) ([]store.User, error) {
	rows, err := s.r().query(ctx, "SELECT "+userColumns+" FROM users ORDER BY name")
	if err != nil {
		return nil, fail(err, "list users")
	}
	defer rows.Close()
	var out []store.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fail(err, "list users")
		}
		out = append(out, u)
	}
	return out, fail(rows.Err(), "list users")
}

// UpdateUser implements store.Identity.
func (s *Store) UpdateUser(ctx context.Context, u *store.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	roles, err := encodeJSON(u.Roles)
	if err != nil {
		return err
	}
	teams, err := encodeJSON(u.Teams)
	if err != nil {
		return err
	}
	bindings, err := encodeJSON(u.Bindings)
	if err != nil {
		return err
	}
	u.UpdatedAt = s.clock()
	res, err := s.w().exec(ctx, "UPDATE users SET roles = ?, teams = ?, bindings = ?, disabled = ?, updated_at = ? WHERE name = ?",
		roles, teams, bindings, u.Disabled, toDB(u.UpdatedAt), u.Name)
	if err != nil {
		return fail(err, "update user")
	}
	return affected(res, "update user", errs.New(errs.NotFound, "user %q not found", u.Name))
}

// CreateTeam implements store.Identity.
func (s *Store) CreateTeam(ctx context.Context, t *store.Team) error {
	if err := t.Validate(); err != nil {
		return err
	}
	t.CreatedAt = orNow(t.CreatedAt, s.clock())
	_, err := s.w().exec(ctx, "INSERT INTO teams (name, description, created_at) VALUES (?, ?, ?)",
		t.Name, t.Description, toDB(t.CreatedAt))
	if isUnique(err) {
		return errs.Wrap(errs.Conflict, err, "team %q already exists", t.Name)
	}
	return fail(err, "create team")
}

// GetTeam implements store.Identity.
func (s *Store) GetTeam(ctx context.Context, name string) (*store.Team, error) {
	t := store.Team{Name: name}
	var created int64
	err := s.r().queryRow(ctx, "SELECT description, created_at FROM teams WHERE name = ?", name).Scan(&t.Description, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.New(errs.NotFound, "team %q not found", name)
	}
	if err != nil {
		return nil, fail(err, "get team")
	}
	t.CreatedAt = fromDB(created)
	return &t, nil
}

// ListTeams implements store.Identity.
func (s *Store) ListTeams(ctx context.Context) ([]store.Team, error) {
	rows, err := s.r().query(ctx, "SELECT name, description, created_at FROM teams ORDER BY name")
	if err != nil {
		return nil, fail(err, "list teams")
	}
	defer rows.Close()
	var out []store.Team
	for rows.Next() {
		var t store.Team
		var created int64
		if err := rows.Scan(&t.Name, &t.Description, &created); err != nil {
			return nil, fail(err, "list teams")
		}
		t.CreatedAt = fromDB(created)
		out = append(out, t)
	}
	return out, fail(rows.Err(), "list teams")
}

const tokenColumns = "id, user_name, kind, name, hash, created_at, expires_at, revoked_at, last_used_at"

// CreateToken implements store.Identity.
func (s *Store) CreateToken(ctx context.Context, t *store.Token) error {
	if err := t.Validate(); err != nil {
		return err
	}
	t.CreatedAt = orNow(t.CreatedAt, s.clock())
	_, err := s.w().exec(ctx, "INSERT INTO tokens ("+tokenColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		t.ID, t.User, string(t.Kind), t.Name, t.Hash, toDB(t.CreatedAt), toDBNull(t.ExpiresAt), toDBNull(t.RevokedAt), toDBNull(t.LastUsedAt))
	switch {
	case isUnique(err):
		return errs.Wrap(errs.Conflict, err, "token %s already exists", t.ID)
	case isForeignKey(err):
		return errs.Wrap(errs.NotFound, err, "user %q not found", t.User)
	}
	return fail(err, "create token")
}

func scanToken(row interface{ Scan(...any) error }) (store.Token, error) {
	var t store.Token
	var kind string
	var created int64
	var expires, revoked, used sql.NullInt64
	if err := row.Scan(&t.ID, &t.User, &kind, &t.Name, &t.Hash, &created, &expires, &revoked, &used); err != nil {
		return t, err
	}
	t.Kind = store.ActorKind(kind)
	t.CreatedAt = fromDB(created)
	t.ExpiresAt, t.RevokedAt, t.LastUsedAt = fromDBNull(expires), fromDBNull(revoked), fromDBNull(used)
	return t, nil
}

// GetToken implements store.Identity.
func (s *Store) GetToken(ctx context.Context, id string) (*store.Token, error) {
	t, err := scanToken(s.r().queryRow(ctx, "SELECT "+tokenColumns+" FROM tokens WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.New(errs.NotFound, "token %s not found", id)
	}
	if err != nil {
		return nil, fail(err, "get token")
	}
	return &t, nil
}

// ListTokens implements store.Identity.
func (s *Store) ListTokens(ctx context.Context, user string) ([]store.Token, error) {
	q := "SELECT " + tokenColumns + " FROM tokens"
	var args []any
	if user != "" {
		q += " WHERE user_name = ?"
		args = append(args, user)
	}
	rows, err := s.r().query(ctx, q+" ORDER BY id DESC", args...)
	if err != nil {
		return nil, fail(err, "list tokens")
	}
	defer rows.Close()
	var out []store.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fail(err, "list tokens")
		}
		t.Hash = ""
		out = append(out, t)
	}
	return out, fail(rows.Err(), "list tokens")
}

// RevokeToken implements store.Identity.
func (s *Store) RevokeToken(ctx context.Context, id string, t time.Time) error {
	res, err := s.w().exec(ctx, "UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", toDB(t.UTC()), id)
	if err != nil {
		return fail(err, "revoke token")
	}
	return affected(res, "revoke token", errs.New(errs.NotFound, "token %s not found", id))
}

// TouchToken implements store.Identity.
func (s *Store) TouchToken(ctx context.Context, id string, t time.Time) error {
	res, err := s.w().exec(ctx, "UPDATE tokens SET last_used_at = ? WHERE id = ?", toDB(t.UTC()), id)
	if err != nil {
		return fail(err, "touch token")
	}
	return affected(res, "touch token", errs.New(errs.NotFound, "token %s not found", id))
}
