package api

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/service"
)

// Defaults of Options.
const (
	DefaultMaxBodyBytes      = 16 << 20
	DefaultRequestTimeout    = 30 * time.Second
	DefaultAuthFailureLimit  = 10
	DefaultAuthFailureWindow = time.Minute
	DefaultShutdownTimeout   = 30 * time.Second
)

// Options configure a Server.
type Options struct {
	Service *service.Service
	// Config is the platform config and policies every change is judged
	// against, when Holder is nil.
	Config *service.Config
	// Holder holds the platform config in force, which a reload may
	// replace at any time (configsource.Holder); when set, Config is not
	// used.
	Holder ConfigHolder
	Logger *slog.Logger
	// Ready reports whether the server can serve: its database answers.
	Ready func(ctx context.Context) error
	// MaxBodyBytes bounds a request body.
	MaxBodyBytes int64
	// RequestTimeout bounds a request that is not a change or a stream.
	RequestTimeout time.Duration
	// AuthFailureLimit failed authentications from one address within
	// AuthFailureWindow make it wait for the window's end.
	AuthFailureLimit  int
	AuthFailureWindow time.Duration
	// ShutdownTimeout bounds how long a shutdown waits for requests and
	// changes in flight; changes still running then are cancelled.
	ShutdownTimeout time.Duration
	// AuthCacheTTL is how long a successful authentication is remembered
	// (see authCache); DefaultAuthCacheTTL when zero, none when negative.
	AuthCacheTTL time.Duration
	// TLS, when set, makes Serve speak HTTPS (see TLSConfig).
	TLS *tls.Config
}

// Server is pave's API server. It is an http.Handler.
type Server struct {
	opts    Options
	svc     *service.Service
	holder  ConfigHolder
	log     *slog.Logger
	handler http.Handler
	routes  []route
	metrics *metrics
	limiter *authLimiter
	auth    *authCache

	// base is the context of changes, which outlive their requests; it
	// ends when a shutdown gives up waiting.
	base     context.Context
	stop     context.CancelFunc
	changes  sync.WaitGroup
	draining atomic.Bool
}

// New returns a server for opts, with defaults filled in.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.AuthFailureLimit <= 0 {
		opts.AuthFailureLimit = DefaultAuthFailureLimit
	}
	if opts.AuthFailureWindow <= 0 {
		opts.AuthFailureWindow = DefaultAuthFailureWindow
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	if opts.AuthCacheTTL == 0 {
		opts.AuthCacheTTL = DefaultAuthCacheTTL
	}
	if opts.Holder == nil {
		opts.Holder = fixedConfig{opts.Config}
	}
	s := &Server{opts: opts, svc: opts.Service, holder: opts.Holder, log: opts.Logger, metrics: newMetrics(),
		limiter: newAuthLimiter(opts.AuthFailureLimit, opts.AuthFailureWindow), auth: newAuthCache(opts.AuthCacheTTL)}
	s.base, s.stop = context.WithCancel(context.Background())
	mux := http.NewServeMux()
	s.routes = s.table()
	for _, rt := range s.routes {
		mux.Handle(rt.Method+" "+rt.Path, s.endpoint(rt))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "/" && pattern != "" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, errs.New(codeMethodNotAllowed, "%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, strings.Join(allow, ", ")))
			return
		}
		writeError(w, errs.New(errs.NotFound, "no route %s %s", r.Method, r.URL.Path))
	})
	s.handler = s.outer(mux)
	return s
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Serve serves on ln until ctx ends, then shuts down gracefully: /readyz
// turns unready, new connections are refused, requests and changes in
// flight get ShutdownTimeout to finish, then what is left is cancelled
// (another replica resumes an interrupted deployment).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if s.opts.TLS != nil {
		ln = tls.NewListener(ln, s.opts.TLS)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		s.stop()
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "timeout", s.opts.ShutdownTimeout.String())
	s.draining.Store(true)
	sctx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	done := make(chan struct{})
	go func() { s.changes.Wait(); close(done) }()
	select {
	case <-done:
	case <-sctx.Done():
		s.log.Warn("changes still running at shutdown are cancelled")
	}
	s.stop()
	<-done
	if errors.Is(err, context.DeadlineExceeded) {
		hs.Close()
		err = nil
	}
	return err
}

// route is one endpoint.
type route struct {
	Method, Path string
	// public routes need no token.
	public bool
	// long routes (changes, streams) have no request time limit.
	long bool
	h    func(w http.ResponseWriter, r *http.Request, a service.Actor) error
}

// Routes returns the method and path pattern of every route, for tests and
// documentation.
func (s *Server) Routes() [][2]string {
	out := make([][2]string, len(s.routes))
	for i, rt := range s.routes {
		out[i] = [2]string{rt.Method, rt.Path}
	}
	return out
}

// endpoint wraps a route's handler: authentication, time limit, errors.
func (s *Server) endpoint(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !rt.long {
			ctx, cancel := context.WithTimeout(r.Context(), s.opts.RequestTimeout)
			defer cancel()
			r = r.WithContext(ctx)
			_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.opts.RequestTimeout + 5*time.Second))
		}
		var a service.Actor
		if !rt.public {
			var err error
			if a, err = s.authenticate(w, r); err != nil {
				writeError(w, err)
				return
			}
			setActor(r, a)
		}
		if err := rt.h(w, r, a); err != nil {
			logErr(r, err)
			writeError(w, err)
		}
	})
}

// authenticate finds the actor of the request's bearer token, refusing
// clients that failed too often.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (service.Actor, error) {
	ip := clientIP(r)
	if blocked, left := s.limiter.blocked(ip); blocked {
		s.metrics.rateLimited.Add(1)
		w.Header().Set("Retry-After", itoa(int(left.Seconds())+1))
		return service.Actor{}, errs.New(codeRateLimited, "too many failed authentications from this address: try again later")
	}
	h := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" {
		s.metrics.authFailures.Add(1)
		s.limiter.fail(ip)
		w.Header().Set("WWW-Authenticate", `Bearer realm="pave"`)
		return service.Actor{}, errs.New(errs.Unauthorized, "missing bearer token: send Authorization: Bearer <pave API token>")
	}
	token = strings.TrimSpace(token)
	if a, ok := s.auth.get(token); ok {
		return a, nil
	}
	a, expires, err := s.svc.AuthenticateUntil(r.Context(), token)
	if err == nil {
		s.auth.put(token, a, expires)
	}
	if err != nil {
		if errs.Is(err, errs.Unauthorized) {
			s.metrics.authFailures.Add(1)
			s.limiter.fail(ip)
			w.Header().Set("WWW-Authenticate", `Bearer realm="pave", error="invalid_token"`)
		}
		return service.Actor{}, err
	}
	return a, nil
}

// requestIDPattern is what a client-given request id may look like.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyInfo
)

// reqInfo is what the logging middleware learns from inner handlers.
type reqInfo struct {
	actor string
	err   string
}

func setActor(r *http.Request, a service.Actor) {
	if ri, ok := r.Context().Value(keyInfo).(*reqInfo); ok {
		ri.actor = a.ID
	}
}

func logErr(r *http.Request, err error) {
	ri, ok := r.Context().Value(keyInfo).(*reqInfo)
	if !ok {
		return
	}
	var e *errs.Error
	if errors.As(err, &e) {
		ri.err = e.LogString()
	} else {
		ri.err = errorInfo(err).Message
	}
}

// RequestID returns the id of the request ctx belongs to.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

// outer wraps every request: request id, recovery, body limit, metrics and
// the access log.
func (s *Server) outer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !requestIDPattern.MatchString(id) {
			b := make([]byte, 8)
			rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		ri := &reqInfo{}
		ctx := context.WithValue(context.WithValue(r.Context(), keyRequestID, id), keyInfo, ri)
		r = r.WithContext(ctx)
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
		}
		rec := &recorder{ResponseWriter: w}
		s.metrics.inFlight.Add(1)
		defer func() {
			s.metrics.inFlight.Add(-1)
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic", "request_id", id, "panic", p)
				if !rec.wrote {
					writeError(rec, errs.New(errs.Internal, "internal error"))
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			code := rec.status()
			d := time.Since(start)
			s.metrics.observe(r.Method, route, code, d)
			attrs := []any{"request_id", id, "method", r.Method, "route", route, "path", r.URL.Path,
				"status", code, "duration_ms", float64(d.Microseconds()) / 1000, "client", clientIP(r)}
			if ri.actor != "" {
				attrs = append(attrs, "actor", ri.actor)
			}
			level := slog.LevelInfo
			if ri.err != "" {
				attrs = append(attrs, "error", ri.err)
				if code >= 500 {
					level = slog.LevelError
				}
			}
			s.log.Log(context.Background(), level, "request", attrs...)
		}()
		next.ServeHTTP(rec, r)
	})
}

// recorder remembers the status written.
type recorder struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.code, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.code, r.wrote = http.StatusOK, true
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (flush,
// deadlines).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) status() int {
	if !r.wrote {
		return http.StatusOK
	}
	return r.code
}
