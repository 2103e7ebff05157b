package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// item is one row of the items table.
type item struct {
	ID        int64     `json:"id" db:"id"`
	Name      string    `json:"name" db:"name"`
	CreatedAt time.Time `json:"createdAt" db:"created_at"`
}

// healthz answers 200 when the database and the cache answer.
func (s *store) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		http.Error(w, "cache unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ok\n"))
}

// createItem stores {"name": …} and counts it in Redis.
func (s *store) createItem(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil || strings.TrimSpace(in.Name) == "" {
		http.Error(w, `body must be {"name": "<non-empty>"}`, http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	var it item
	err := s.db.QueryRow(ctx, `INSERT INTO items (name) VALUES ($1) RETURNING id, name, created_at`, in.Name).
		Scan(&it.ID, &it.Name, &it.CreatedAt)
	if err != nil {
		fail(w, "insert item", err)
		return
	}
	created, err := s.rdb.Incr(ctx, s.key("items:created")).Result()
	if err != nil {
		fail(w, "count item", err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"item": it, "created": created})
}

// listItems returns the latest items and the counters.
func (s *store) listItems(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	rows, err := s.db.Query(ctx, `SELECT id, name, created_at FROM items ORDER BY id DESC LIMIT 100`)
	if err != nil {
		fail(w, "list items", err)
		return
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[item])
	if err != nil {
		fail(w, "list items", err)
		return
	}
	created, err := s.counter(ctx, "items:created")
	if err != nil {
		fail(w, "read counter", err)
		return
	}
	counted, err := s.counter(ctx, "stats:items")
	if err != nil {
		fail(w, "read counter", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "created": created, "counted": counted})
}

func (s *store) counter(ctx context.Context, name string) (int64, error) {
	n, err := s.rdb.Get(ctx, s.key(name)).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	return n, err
}

// work stores the number of items in Redis every interval.
func (s *store) work(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		var n int64
		err := s.db.QueryRow(ctx, `SELECT count(*) FROM items`).Scan(&n)
		if err == nil {
			err = s.rdb.Set(ctx, s.key("stats:items"), n, 0).Err()
		}
		if err != nil && ctx.Err() == nil {
			log.Printf("count items: %v", err)
		} else if err == nil {
			log.Printf("%d items", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func fail(w http.ResponseWriter, what string, err error) {
	log.Printf("%s: %v", what, err)
	http.Error(w, what+" failed", http.StatusInternalServerError)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
