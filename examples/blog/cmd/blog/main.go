// Command blog is pave's second sample workload, one program with two
// modes sharing a PostgreSQL database given by DB_HOST, DB_PORT, DB_NAME,
// DB_USER and DB_PASSWORD, listening on $PORT:
//
//	blog serve   GET /healthz, GET /posts, POST /posts {"title", "body"}
//	blog feed    GET /healthz, GET /feed.xml (RSS 2.0 of the latest posts)
package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

func main() {
	if len(os.Args) != 2 || (os.Args[1] != "serve" && os.Args[1] != "feed") {
		fmt.Fprintln(os.Stderr, "usage: blog serve|feed")
		os.Exit(2)
	}
	log.SetFlags(0)
	log.SetPrefix("blog " + os.Args[1] + ": ")
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1]); err != nil {
		log.Fatal(err)
	}
}

type post struct {
	ID        int64     `json:"id" db:"id"`
	Title     string    `json:"title" db:"title"`
	Body      string    `json:"body" db:"body"`
	CreatedAt time.Time `json:"createdAt" db:"created_at"`
}

func run(ctx context.Context, mode string) error {
	port := os.Getenv("PORT")
	if port == "" {
		return errors.New("PORT is not set")
	}
	dbPort := os.Getenv("DB_PORT")
	if dbPort == "" {
		dbPort = "5432"
	}
	u := url.URL{Scheme: "postgres", User: url.UserPassword(os.Getenv("DB_USER"), os.Getenv("DB_PASSWORD")),
		Host: net.JoinHostPort(os.Getenv("DB_HOST"), dbPort), Path: "/" + os.Getenv("DB_NAME")}
	db, err := pgxpool.New(ctx, u.String())
	if err != nil {
		return errors.New("invalid database settings")
	}
	defer db.Close()
	if _, err := db.Exec(ctx, `CREATE TABLE IF NOT EXISTS posts (
		id BIGSERIAL PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL,
		created_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("database %s: %w", os.Getenv("DB_NAME"), err)
	}
	title := os.Getenv("BLOG_TITLE")
	if title == "" {
		title = "blog"
	}
	latest := func(ctx context.Context) ([]post, error) {
		rows, err := db.Query(ctx, `SELECT id, title, body, created_at FROM posts ORDER BY id DESC LIMIT 50`)
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rows, pgx.RowToStructByName[post])
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := db.Ping(r.Context()); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	if mode == "serve" {
		mux.HandleFunc("GET /posts", func(w http.ResponseWriter, r *http.Request) {
			posts, err := latest(r.Context())
			if err != nil {
				log.Printf("list posts: %v", err)
				http.Error(w, "list posts failed", http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"title": title, "posts": posts})
		})
		mux.HandleFunc("POST /posts", func(w http.ResponseWriter, r *http.Request) {
			var p post
			if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&p); err != nil || strings.TrimSpace(p.Title) == "" {
				http.Error(w, `body must be {"title": "<non-empty>", "body": "…"}`, http.StatusBadRequest)
				return
			}
			err := db.QueryRow(r.Context(), `INSERT INTO posts (title, body) VALUES ($1, $2) RETURNING id, created_at`,
				p.Title, p.Body).Scan(&p.ID, &p.CreatedAt)
			if err != nil {
				log.Printf("insert post: %v", err)
				http.Error(w, "insert post failed", http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			json.NewEncoder(w).Encode(p)
		})
	} else {
		mux.HandleFunc("GET /feed.xml", func(w http.ResponseWriter, r *http.Request) {
			posts, err := latest(r.Context())
			if err != nil {
				log.Printf("list posts: %v", err)
				http.Error(w, "feed failed", http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write([]byte(xml.Header))
			xml.NewEncoder(w).Encode(rss(title, posts))
		})
	}
	srv := &http.Server{Addr: "127.0.0.1:" + port, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Shutdown(context.Background())
	}()
	log.Printf("listening on %s", srv.Addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

type rssFeed struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title string    `xml:"title"`
	Items []rssItem `xml:"item"`
}

type rssItem struct {
	GUID        string `xml:"guid"`
	Title       string `xml:"title"`
	Description string `xml:"description"`
	PubDate     string `xml:"pubDate"`
}

func rss(title string, posts []post) rssFeed {
	f := rssFeed{Version: "2.0", Channel: rssChannel{Title: title}}
	for _, p := range posts {
		f.Channel.Items = append(f.Channel.Items, rssItem{
			GUID: fmt.Sprintf("post-%d", p.ID), Title: p.Title, Description: p.Body, PubDate: p.CreatedAt.Format(time.RFC1123Z),
		})
	}
	return f
}
