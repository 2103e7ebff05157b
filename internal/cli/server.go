package cli

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/pavedev/pave/internal/api"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/store/sqlstore"
)

// serverOwner names a server replica in deployment records: host, process
// and a random part, unique even across restarts that reuse a pid.
func serverOwner() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("server:%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b))
}

func (a *app) newServer() *cobra.Command {
	var sf stateFlags
	var listen, platformDir, logFormat, tlsCert, tlsKey string
	var staleAfter, resumeEvery, shutdown time.Duration
	cmd := &cobra.Command{
		Use:   "server --platform DIR [--listen ADDR] [--database-url URL | --state DIR]",
		Short: "Serve the pave API",
		Long: `Server serves pave's HTTP JSON API (described at /openapi.json) with the
platform config of --platform. Several replicas may share one PostgreSQL
database (--database-url): one deployment per environment holds across them,
and a replica that dies mid-deployment has its deployment resumed by another
after --stale-after. With --tls-cert and --tls-key it serves HTTPS (TLS 1.2
or later) and picks up a renewed certificate without a restart. Logs are
JSON lines on standard error. SIGINT or SIGTERM shut it down gracefully:
deployments in flight get --shutdown-timeout to finish.

Create the first admin on the same database, locally:
  pave user create ada --role admin --database-url URL
  pave token create --user ada --database-url URL`,
		Example: "  pave server --platform examples/platform --database-url postgres://pave@db/pave --listen :8080",
		Args:    noArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			if platformDir == "" {
				return usagef("missing --platform")
			}
			if logFormat != "json" && logFormat != "text" {
				return usagef("--log-format must be json or text")
			}
			if (tlsCert == "") != (tlsKey == "") {
				return usagef("--tls-cert and --tls-key go together")
			}
			var tlsConfig *tls.Config
			if tlsCert != "" {
				var err error
				if tlsConfig, err = api.TLSConfig(tlsCert, tlsKey); err != nil {
					return err
				}
			}
			svc, closeSvc, err := a.service(cmd.Context(), sf, true)
			if err != nil {
				return err
			}
			defer closeSvc()
			svc.Owner, svc.StaleAfter = serverOwner(), staleAfter
			cfg, err := a.loadConfig(svc, platformDir)
			if err != nil {
				return err
			}
			var h slog.Handler = slog.NewJSONHandler(a.stderr, nil)
			if logFormat == "text" {
				h = slog.NewTextHandler(a.stderr, nil)
			}
			log := slog.New(h).With("replica", svc.Owner)
			ready := func(ctx context.Context) error {
				if st, ok := svc.Store.(*sqlstore.Store); ok {
					return st.DB().PingContext(ctx)
				}
				return nil
			}
			srv := api.New(api.Options{Service: svc, Config: cfg, Logger: log, Ready: ready, ShutdownTimeout: shutdown, TLS: tlsConfig})
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return errs.Wrap(errs.Invalid, err, "cannot listen on %s: %s", listen, errText(err))
			}
			scheme := "http"
			if tlsConfig != nil {
				scheme = "https"
			}
			fmt.Fprintf(a.stdout, "pave server listening on %s://%s\n", scheme, ln.Addr())
			ctx := cmd.Context()
			go func() {
				t := time.NewTicker(resumeEvery)
				defer t.Stop()
				for {
					select {
					case <-ctx.Done():
						return
					case <-t.C:
					}
					n, err := svc.ResumeStale(ctx, *cfg, nil)
					if err != nil {
						log.Warn("resume stale deployments", "error", errs.Errors(err)[0].LogString())
					} else if n > 0 {
						log.Info("resumed stale deployments", "count", n)
					}
				}
			}()
			log.Info("serving", "addr", ln.Addr().String(), "policies", cfg.Policies.Policies())
			if err := srv.Serve(ctx, ln); err != nil {
				return errs.Wrap(errs.Internal, err, "serve: %s", err.Error())
			}
			log.Info("stopped")
			return nil
		}),
	}
	cmd.Flags().StringVar(&listen, "listen", envOr("PAVE_LISTEN", "127.0.0.1:8080"), "address to listen on (env PAVE_LISTEN)")
	cmd.Flags().StringVar(&platformDir, "platform", envOr("PAVE_PLATFORM", ""), "platform config directory (env PAVE_PLATFORM)")
	cmd.Flags().StringVar(&tlsCert, "tls-cert", envOr("PAVE_TLS_CERT", ""), "PEM certificate (chain) to serve HTTPS with; reloaded when the file changes (env PAVE_TLS_CERT)")
	cmd.Flags().StringVar(&tlsKey, "tls-key", envOr("PAVE_TLS_KEY", ""), "PEM private key of --tls-cert (env PAVE_TLS_KEY)")
	cmd.Flags().StringVar(&logFormat, "log-format", "json", "log format: json or text")
	cmd.Flags().DurationVar(&staleAfter, "stale-after", 30*time.Second, "how long a deployment's heartbeat may be silent before another replica takes it over")
	cmd.Flags().DurationVar(&resumeEvery, "resume-every", 5*time.Second, "how often to look for deployments to take over")
	cmd.Flags().DurationVar(&shutdown, "shutdown-timeout", api.DefaultShutdownTimeout, "how long a shutdown waits for requests and deployments in flight")
	sf.register(cmd)
	return cmd
}
