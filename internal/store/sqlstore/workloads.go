package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/store"
)

// PutWorkloadVersion implements store.Workloads.
func (s *Store) PutWorkloadVersion(ctx context.Context, w *store.WorkloadVersion) error {
	if err := w.Validate(); err != nil {
		return err
	}
	w.Hash = store.ContentHash(w.Score)
	var created int64
	// The no-op update makes RETURNING give the first insert's time.
	err := s.w().queryRow(ctx, `INSERT INTO workload_versions (app, workload, hash, score, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (app, workload, hash) DO UPDATE SET hash = excluded.hash
		RETURNING created_at`,
		w.App, w.Workload, w.Hash, w.Score, toDB(s.clock())).Scan(&created)
	if isForeignKey(err) {
		return errs.Wrap(errs.NotFound, err, "app %q not found", w.App)
	}
	if err != nil {
		return fail(err, "put workload version")
	}
	w.CreatedAt = fromDB(created)
	return nil
}

// GetWorkloadVersion implements store.Workloads.
func (s *Store) GetWorkloadVersion(ctx context.Context, app, workload, hash string) (*store.WorkloadVersion, error) {
	w := store.WorkloadVersion{App: app, Workload: workload, Hash: hash}
	var created int64
	err := s.r().queryRow(ctx, "SELECT score, created_at FROM workload_versions WHERE app = ? AND workload = ? AND hash = ?",
		app, workload, hash).Scan(&w.Score, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.New(errs.NotFound, "version %s of workload %q of app %q not found", hash, workload, app)
	}
	if err != nil {
		return nil, fail(err, "get workload version")
	}
	w.CreatedAt = fromDB(created)
	return &w, nil
}

// ListWorkloadVersions implements store.Workloads.
func (s *Store) ListWorkloadVersions(ctx context.Context, app, workload string) ([]store.WorkloadVersion, error) {
	rows, err := s.r().query(ctx, "SELECT hash, created_at FROM workload_versions WHERE app = ? AND workload = ? ORDER BY created_at DESC, hash",
		app, workload)
	if err != nil {
		return nil, fail(err, "list workload versions")
	}
	defer rows.Close()
	var out []store.WorkloadVersion
	for rows.Next() {
		w := store.WorkloadVersion{App: app, Workload: workload}
		var created int64
		if err := rows.Scan(&w.Hash, &created); err != nil {
			return nil, fail(err, "list workload versions")
		}
		w.CreatedAt = fromDB(created)
		out = append(out, w)
	}
	return out, fail(rows.Err(), "list workload versions")
}
