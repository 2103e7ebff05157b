package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/store"
)

func secretNotFound(name string) error {
	return errs.New(errs.NotFound, "secret %q not found", name)
}

// PutSecret implements store.Secrets.
func (s *Store) PutSecret(ctx context.Context, name string, value []byte) error {
	if err := store.CheckSecretName(name); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	sealed, err := s.sealer.Seal(value)
	if err != nil {
		return err
	}
	now := toDB(s.clock())
	_, err = s.w().exec(ctx, `INSERT INTO secrets (name, value, created_at, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		name, sealed, now, now)
	return fail(err, "put secret")
}

// GetSecret implements store.Secrets.
func (s *Store) GetSecret(ctx context.Context, name string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var sealed []byte
	err := s.r().queryRow(ctx, "SELECT value FROM secrets WHERE name = ?", name).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, secretNotFound(name)
	}
	if err != nil {
		return nil, fail(err, "get secret")
	}
	v, err := s.sealer.Open(sealed)
	if err != nil {
		return nil, errs.Prefix("secret "+name, err)
	}
	return v, nil
}

// DeleteSecret implements store.Secrets.
func (s *Store) DeleteSecret(ctx context.Context, name string) error {
	res, err := s.w().exec(ctx, "DELETE FROM secrets WHERE name = ?", name)
	if err != nil {
		return fail(err, "delete secret")
	}
	return affected(res, "delete secret", secretNotFound(name))
}

// ListSecrets implements store.Secrets.
func (s *Store) ListSecrets(ctx context.Context) ([]store.SecretInfo, error) {
	rows, err := s.r().query(ctx, "SELECT name, created_at, updated_at FROM secrets ORDER BY name")
	if err != nil {
		return nil, fail(err, "list secrets")
	}
	defer rows.Close()
	var out []store.SecretInfo
	for rows.Next() {
		var i store.SecretInfo
		var c, u int64
		if err := rows.Scan(&i.Name, &c, &u); err != nil {
			return nil, fail(err, "list secrets")
		}
		i.CreatedAt, i.UpdatedAt = fromDB(c), fromDB(u)
		out = append(out, i)
	}
	return out, fail(rows.Err(), "list secrets")
}
