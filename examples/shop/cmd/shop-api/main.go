// Command shop-api is pave's sample workload. It reads its database and
// cache from the environment pave injects (DB_HOST, DB_PORT, DB_NAME,
// DB_USER, DB_PASSWORD; REDIS_ADDR, REDIS_USER, REDIS_PASSWORD,
// REDIS_PREFIX) and listens on $PORT.
//
//	shop-api [serve]   the API: GET /healthz, GET /items, POST /items
//	shop-api worker    every WORKER_INTERVAL (default 5s) stores the number
//	                   of items in Redis; GET /healthz on $PORT when set
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

func main() {
	mode := "serve"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	log.SetFlags(0)
	log.SetPrefix("shop-api " + mode + ": ")
	if err := run(ctx, mode, os.Getenv); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, mode string, getenv func(string) string) error {
	if mode != "serve" && mode != "worker" {
		return fmt.Errorf("unknown mode %q: use serve or worker", mode)
	}
	cfg, err := configFrom(getenv)
	if err != nil {
		return err
	}
	s, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.close()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	if mode == "serve" {
		mux.HandleFunc("GET /items", s.listItems)
		mux.HandleFunc("POST /items", s.createItem)
	} else {
		go s.work(ctx, cfg.interval)
	}
	if cfg.port == "" {
		if mode == "serve" {
			cfg.port = "8080"
		} else {
			<-ctx.Done()
			return nil
		}
	}
	srv := &http.Server{Addr: net.JoinHostPort(cfg.listenHost, cfg.port), Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	log.Printf("listening on %s (database %s on %s)", srv.Addr, cfg.dbName, cfg.dbAddr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// config is what the program reads from its environment.
type config struct {
	dbURL, dbAddr, dbName string
	redis                 redis.Options
	prefix                string
	port, listenHost      string
	interval              time.Duration
}

func configFrom(getenv func(string) string) (config, error) {
	c := config{port: getenv("PORT"), listenHost: getenv("LISTEN_HOST"), prefix: getenv("REDIS_PREFIX")}
	var missing []string
	need := func(k string) string {
		v := getenv(k)
		if v == "" {
			missing = append(missing, k)
		}
		return v
	}
	host, port, name, user := need("DB_HOST"), getenv("DB_PORT"), need("DB_NAME"), need("DB_USER")
	c.redis.Addr = need("REDIS_ADDR")
	if len(missing) > 0 {
		return c, fmt.Errorf("missing environment variables %v", missing)
	}
	if port == "" {
		port = "5432"
	}
	c.dbAddr, c.dbName = net.JoinHostPort(host, port), name
	u := url.URL{Scheme: "postgres", User: url.UserPassword(user, getenv("DB_PASSWORD")), Host: c.dbAddr, Path: "/" + name}
	if mode := getenv("DB_SSLMODE"); mode != "" {
		u.RawQuery = "sslmode=" + url.QueryEscape(mode)
	}
	c.dbURL = u.String()
	c.redis.Username, c.redis.Password = getenv("REDIS_USER"), getenv("REDIS_PASSWORD")
	c.interval = 5 * time.Second
	if v := getenv("WORKER_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return c, fmt.Errorf("WORKER_INTERVAL %q is not a positive duration", v)
		}
		c.interval = d
	}
	if c.port != "" {
		if n, err := strconv.Atoi(c.port); err != nil || n < 1 || n > 65535 {
			return c, fmt.Errorf("PORT %q is not a port", c.port)
		}
	}
	return c, nil
}

// store is the program's database and cache.
type store struct {
	db     *pgxpool.Pool
	rdb    *redis.Client
	prefix string
}

func openStore(ctx context.Context, cfg config) (*store, error) {
	db, err := pgxpool.New(ctx, cfg.dbURL)
	if err != nil {
		return nil, fmt.Errorf("database %s on %s: invalid settings", cfg.dbName, cfg.dbAddr)
	}
	s := &store{db: db, rdb: redis.NewClient(&cfg.redis), prefix: cfg.prefix}
	// The database may still be starting: try for a while.
	var last error
	for range 30 {
		if last = s.migrate(ctx); last == nil {
			return s, nil
		}
		log.Printf("database %s on %s not ready: %v", cfg.dbName, cfg.dbAddr, last)
		select {
		case <-ctx.Done():
			s.close()
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	s.close()
	return nil, fmt.Errorf("database %s on %s: %w", cfg.dbName, cfg.dbAddr, last)
}

func (s *store) migrate(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err := s.db.Exec(ctx, `CREATE TABLE IF NOT EXISTS items (
		id BIGSERIAL PRIMARY KEY,
		name TEXT NOT NULL,
		created_at TIMESTAMPTZ NOT NULL DEFAULT now())`)
	return err
}

func (s *store) close() {
	s.db.Close()
	s.rdb.Close()
}

func (s *store) key(name string) string { return s.prefix + name }
