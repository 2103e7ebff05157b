package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/store"
)

const resourceColumns = "app, env, uid, type, class, res_id, definition, driver, status, message, inputs_hash, outputs, secret_outputs, state, manifests, users, created_at, updated_at"

func resourceNotFound(app, env, uid string) error {
	return errs.New(errs.NotFound, "resource %q in environment %q of app %q not found", uid, env, app)
}

// PutResource implements store.Resources. It is one upsert statement, with
// the secrets sealed before it.
func (s *Store) PutResource(ctx context.Context, r *store.Resource) error {
	if err := r.Validate(); err != nil {
		return err
	}
	outputs, err := encodeJSON(orEmpty(r.Outputs))
	if err != nil {
		return errs.Prefix("resource "+r.UID+": outputs", err)
	}
	users, err := encodeJSON(orEmptySlice(r.Users))
	if err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	secretOutputs, err := sealJSON(s.sealer, r.SecretOutputs, len(r.SecretOutputs) == 0)
	if err != nil {
		return errs.Prefix("resource "+r.UID+": secret outputs", err)
	}
	var state []byte
	if len(r.State) > 0 {
		if state, err = s.sealer.Seal(r.State); err != nil {
			return err
		}
	}
	manifests, err := sealJSON(s.sealer, r.Manifests, len(r.Manifests) == 0)
	if err != nil {
		return errs.Prefix("resource "+r.UID+": manifests", err)
	}
	now := s.clock()
	var created int64
	err = s.w().queryRow(ctx, `INSERT INTO resources (`+resourceColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (app, env, uid) DO UPDATE SET
			type = excluded.type, class = excluded.class, res_id = excluded.res_id,
			definition = excluded.definition, driver = excluded.driver,
			status = excluded.status, message = excluded.message,
			inputs_hash = excluded.inputs_hash, outputs = excluded.outputs,
			secret_outputs = excluded.secret_outputs, state = excluded.state,
			manifests = excluded.manifests, users = excluded.users,
			updated_at = excluded.updated_at
		RETURNING created_at`,
		r.App, r.Env, r.UID, r.Type, r.Class, r.ID, r.Definition, r.Driver, string(r.Status), r.Message, r.InputsHash,
		outputs, secretOutputs, state, manifests, users, toDB(now), toDB(now)).Scan(&created)
	if isForeignKey(err) {
		return errs.Wrap(errs.NotFound, err, "environment %q of app %q not found", r.Env, r.App)
	}
	if err != nil {
		return fail(err, "put resource "+r.UID)
	}
	r.CreatedAt, r.UpdatedAt = fromDB(created), now
	return nil
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func orEmptySlice(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// scanResource reads a row of resourceColumns, opening its secrets. The
// caller holds s.mu for reading.
func (s *Store) scanResource(sc interface{ Scan(...any) error }) (store.Resource, error) {
	var r store.Resource
	var status, outputs, users string
	var secretOutputs, state, manifests []byte
	var created, updated int64
	if err := sc.Scan(&r.App, &r.Env, &r.UID, &r.Type, &r.Class, &r.ID, &r.Definition, &r.Driver, &status, &r.Message, &r.InputsHash,
		&outputs, &secretOutputs, &state, &manifests, &users, &created, &updated); err != nil {
		return r, err
	}
	r.Status, r.CreatedAt, r.UpdatedAt = store.ResourceStatus(status), fromDB(created), fromDB(updated)
	what := "resource " + r.UID
	if err := decodeJSON([]byte(outputs), &r.Outputs); err != nil {
		return r, errs.Prefix(what, err)
	}
	if len(r.Outputs) == 0 {
		r.Outputs = nil
	}
	if err := decodeJSON([]byte(users), &r.Users); err != nil {
		return r, errs.Prefix(what, err)
	}
	if len(r.Users) == 0 {
		r.Users = nil
	}
	if err := openJSON(s.sealer, secretOutputs, &r.SecretOutputs); err != nil {
		return r, errs.Prefix(what+": secret outputs", err)
	}
	if state != nil {
		plain, err := s.sealer.Open(state)
		if err != nil {
			return r, errs.Prefix(what+": state", err)
		}
		r.State = plain
	}
	if err := openJSON(s.sealer, manifests, &r.Manifests); err != nil {
		return r, errs.Prefix(what+": manifests", err)
	}
	return r, nil
}

// GetResource implements store.Resources.
func (s *Store) GetResource(ctx context.Context, app, env, uid string) (*store.Resource, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.scanResource(s.r().queryRow(ctx, "SELECT "+resourceColumns+" FROM resources WHERE app = ? AND env = ? AND uid = ?", app, env, uid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, resourceNotFound(app, env, uid)
	}
	if err != nil {
		return nil, fail(err, "get resource "+uid)
	}
	return &r, nil
}

// ListResources implements store.Resources.
func (s *Store) ListResources(ctx context.Context, app, env string) ([]store.Resource, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rows, err := s.r().query(ctx, "SELECT "+resourceColumns+" FROM resources WHERE app = ? AND env = ? ORDER BY uid", app, env)
	if err != nil {
		return nil, fail(err, "list resources")
	}
	defer rows.Close()
	var out []store.Resource
	for rows.Next() {
		r, err := s.scanResource(rows)
		if err != nil {
			return nil, fail(err, "list resources")
		}
		out = append(out, r)
	}
	return out, fail(rows.Err(), "list resources")
}

// MarkResource implements store.Resources.
func (s *Store) MarkResource(ctx context.Context, app, env, uid string, status store.ResourceStatus, message string) error {
	if !status.Valid() {
		return errs.New(errs.Invalid, "resource %q: status %q is not one of provisioning, ready, failed, deleting, deleted", uid, status)
	}
	res, err := s.w().exec(ctx, "UPDATE resources SET status = ?, message = ?, updated_at = ? WHERE app = ? AND env = ? AND uid = ?",
		string(status), message, toDB(s.clock()), app, env, uid)
	if err != nil {
		return fail(err, "mark resource "+uid)
	}
	return affected(res, "mark resource "+uid, resourceNotFound(app, env, uid))
}

// ReleaseResource implements store.Resources.
func (s *Store) ReleaseResource(ctx context.Context, app, env, uid, user string) ([]string, error) {
	var left []string
	err := s.tx(ctx, "release resource "+uid, func(c conn) error {
		var users string
		err := c.queryRow(ctx, "SELECT users FROM resources WHERE app = ? AND env = ? AND uid = ?"+s.d.forUpdate, app, env, uid).Scan(&users)
		if errors.Is(err, sql.ErrNoRows) {
			return resourceNotFound(app, env, uid)
		}
		if err != nil {
			return err
		}
		var all []string
		if err := decodeJSON([]byte(users), &all); err != nil {
			return err
		}
		left = slices.DeleteFunc(all, func(u string) bool { return u == user })
		enc, err := encodeJSON(orEmptySlice(left))
		if err != nil {
			return err
		}
		_, err = c.exec(ctx, "UPDATE resources SET users = ?, updated_at = ? WHERE app = ? AND env = ? AND uid = ?",
			enc, toDB(s.clock()), app, env, uid)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(left) == 0 {
		left = nil
	}
	return left, nil
}

// DeleteResource implements store.Resources.
func (s *Store) DeleteResource(ctx context.Context, app, env, uid string) error {
	res, err := s.w().exec(ctx, "DELETE FROM resources WHERE app = ? AND env = ? AND uid = ?", app, env, uid)
	if err != nil {
		return fail(err, "delete resource "+uid)
	}
	return affected(res, "delete resource "+uid, resourceNotFound(app, env, uid))
}
