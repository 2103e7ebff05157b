package api

import (
	"context"
	"net/http"

	"github.com/pavedev/pave/internal/service"
)

// ConfigHolder holds the platform config in force, which a reload may
// replace at any time (configsource.Holder).
type ConfigHolder interface {
	service.PlatformReloader
	// Config returns the config in force, whole.
	Config() *service.Config
	// Refused returns the change its source holds that was refused, or nil.
	Refused() *service.ConfigRefusal
	// Reloads counts reloads by outcome.
	Reloads() map[string]uint64
}

// config returns the platform config in force. A handler reads it once
// and keeps it for the whole request and the change it starts, so that a
// reload meanwhile never gives one change two configs.
func (s *Server) config() *service.Config { return s.holder.Config() }

// fixedConfig is a config that never reloads: Options.Config.
type fixedConfig struct{ cfg *service.Config }

func (f fixedConfig) Config() *service.Config         { return f.cfg }
func (f fixedConfig) Refused() *service.ConfigRefusal { return nil }
func (f fixedConfig) Reloads() map[string]uint64      { return nil }
func (f fixedConfig) Reload(context.Context) (*service.Config, bool, error) {
	return f.cfg, false, nil
}

func (s *Server) reloadPlatform(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	res, err := s.svc.ReloadPlatform(r.Context(), a, s.holder)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
