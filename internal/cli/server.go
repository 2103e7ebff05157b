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
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/pavedev/pave/internal/api"
	"github.com/pavedev/pave/internal/configsource"
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
	var listen, platformSpec, logFormat, tlsCert, tlsKey string
	var staleAfter, resumeEvery, reloadEvery, shutdown time.Duration
	cmd := &cobra.Command{
		Use:   "server --platform DIR|git+URL[#REF[:PATH]] [--listen ADDR] [--database-url URL | --state DIR]",
		Short: "Serve the pave API",
		Long: `Server serves pave's HTTP JSON API (described at /openapi.json) with the
platform config of --platform. Several replicas may share one PostgreSQL
database (--database-url): one deployment per environment holds across them,
and a replica that dies mid-deployment has its deployment resumed by another
after --stale-after. With --tls-cert and --tls-key it serves HTTPS (TLS 1.2
or later) and picks up a renewed certificate without a restart. Logs are
JSON lines on standard error. SIGINT or SIGTERM shut it down gracefully:
deployments in flight get --shutdown-timeout to finish.

--platform is a directory, or a Git repository: git+URL[#REF[:PATH]] with
URL https://, http://, ssh://, file:/// or user@host:path, REF a branch or
tag (default: the remote's HEAD) and PATH the config's directory in it
(default: the root). Credentials come from the environment, never the URL:
PAVE_PLATFORM_GIT_USERNAME with PAVE_PLATFORM_GIT_PASSWORD, or
PAVE_PLATFORM_GIT_TOKEN, for http(s); PAVE_PLATFORM_GIT_SSH_KEY (else the
SSH agent) for ssh, with host keys from SSH_KNOWN_HOSTS or known_hosts.

The config is read again every --reload-every, on SIGHUP and on POST
/api/v1/platform/reload. A change is put in force only once it loads
completely (platform and policies); an invalid change is refused, its
errors logged and shown by GET /api/v1/platform as lastError, and the last
good config stays in force. Changes in flight keep the config they started
with.

Create the first admin on the same database, locally:
  pave user create ada --role admin --database-url URL
  pave token create --user ada --database-url URL`,
		Example: `  pave server --platform examples/platform --database-url postgres://pave@db/pave --listen :8080
  PAVE_PLATFORM_GIT_TOKEN=... pave server --platform git+https://git.example.com/platform.git#main:config`,
		Args: noArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			if platformSpec == "" {
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
			src, err := configsource.Parse(platformSpec, configsource.Credentials{
				Username: os.Getenv(configsource.EnvUsername), Password: os.Getenv(configsource.EnvPassword),
				Token: os.Getenv(configsource.EnvToken), SSHKey: os.Getenv(configsource.EnvSSHKey)})
			if err != nil {
				return err
			}
			svc, closeSvc, err := a.service(cmd.Context(), sf, true)
			if err != nil {
				return err
			}
			defer closeSvc()
			svc.Owner, svc.StaleAfter = serverOwner(), staleAfter
			var h slog.Handler = slog.NewJSONHandler(a.stderr, nil)
			if logFormat == "text" {
				h = slog.NewTextHandler(a.stderr, nil)
			}
			log := slog.New(h).With("replica", svc.Owner)
			ctx := cmd.Context()
			holder, err := configsource.Open(ctx, src, svc.LoadConfig, log)
			if err != nil {
				return err
			}
			ready := func(ctx context.Context) error {
				if st, ok := svc.Store.(*sqlstore.Store); ok {
					return st.DB().PingContext(ctx)
				}
				return nil
			}
			// SIGHUP reloads; caught before the server says it listens, as
			// its default would end the process.
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			defer signal.Stop(hup)
			srv := api.New(api.Options{Service: svc, Holder: holder, Logger: log, Ready: ready, ShutdownTimeout: shutdown, TLS: tlsConfig})
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return errs.Wrap(errs.Invalid, err, "cannot listen on %s: %s", listen, errText(err))
			}
			scheme := "http"
			if tlsConfig != nil {
				scheme = "https"
			}
			fmt.Fprintf(a.stdout, "pave server listening on %s://%s\n", scheme, ln.Addr())
			go holder.Run(ctx, reloadEvery)
			go reloadOn(ctx, hup, holder, log)
			go func() {
				t := time.NewTicker(resumeEvery)
				defer t.Stop()
				for {
					select {
					case <-ctx.Done():
						return
					case <-t.C:
					}
					n, err := svc.ResumeStale(ctx, *holder.Config(), nil)
					if err != nil {
						log.Warn("resume stale deployments", "error", errs.Errors(err)[0].LogString())
					} else if n > 0 {
						log.Info("resumed stale deployments", "count", n)
					}
				}
			}()
			cfg := holder.Config()
			log.Info("serving", "addr", ln.Addr().String(), "platform", cfg.Source, "revision", cfg.Revision, "policies", cfg.Policies.Policies())
			if err := srv.Serve(ctx, ln); err != nil {
				return errs.Wrap(errs.Internal, err, "serve: %s", err.Error())
			}
			log.Info("stopped")
			return nil
		}),
	}
	cmd.Flags().StringVar(&listen, "listen", envOr("PAVE_LISTEN", "127.0.0.1:8080"), "address to listen on (env PAVE_LISTEN)")
	cmd.Flags().StringVar(&platformSpec, "platform", envOr("PAVE_PLATFORM", ""), "platform config: a directory, or git+URL[#REF[:PATH]] (env PAVE_PLATFORM)")
	cmd.Flags().DurationVar(&reloadEvery, "reload-every", 10*time.Second, "how often to look for a change of the platform config; 0: only on SIGHUP or POST /api/v1/platform/reload")
	cmd.Flags().StringVar(&tlsCert, "tls-cert", envOr("PAVE_TLS_CERT", ""), "PEM certificate (chain) to serve HTTPS with; reloaded when the file changes (env PAVE_TLS_CERT)")
	cmd.Flags().StringVar(&tlsKey, "tls-key", envOr("PAVE_TLS_KEY", ""), "PEM private key of --tls-cert (env PAVE_TLS_KEY)")
	cmd.Flags().StringVar(&logFormat, "log-format", "json", "log format: json or text")
	cmd.Flags().DurationVar(&staleAfter, "stale-after", 30*time.Second, "how long a deployment's heartbeat may be silent before another replica takes it over")
	cmd.Flags().DurationVar(&resumeEvery, "resume-every", 5*time.Second, "how often to look for deployments to take over")
	cmd.Flags().DurationVar(&shutdown, "shutdown-timeout", api.DefaultShutdownTimeout, "how long a shutdown waits for requests and deployments in flight")
	sf.register(cmd)
	return cmd
}

// reloadOn reloads the platform config on each signal of hup until ctx
// ends. The holder logs a change and a refusal.
func reloadOn(ctx context.Context, hup <-chan os.Signal, holder *configsource.Holder, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		}
		if cfg, changed, err := holder.Reload(ctx); err == nil && !changed {
			log.Info("platform config unchanged", "source", cfg.Source, "revision", cfg.Revision)
		}
	}
}
