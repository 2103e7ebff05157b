package service

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/pavedev/pave/internal/identity"
	"github.com/pavedev/pave/internal/platform"
)

// PlatformView is the platform config as doors show it: everything but
// secrets. Definitions leave their inputs out (their JSON form does), and
// environment target configs leave out what may be secret.
type PlatformView struct {
	EnvironmentTypes []*platform.EnvironmentType    `json:"environmentTypes"`
	Environments     []platform.Environment         `json:"environments"`
	ResourceTypes    []*platform.ResourceType       `json:"resourceTypes"`
	Definitions      []*platform.ResourceDefinition `json:"definitions"`
	Policies         []string                       `json:"policies"`
	// Source, Revision and LoadedAt are those of the config in force.
	Source   string    `json:"source,omitempty"`
	Revision string    `json:"revision,omitempty"`
	LoadedAt time.Time `json:"loadedAt,omitzero"`
	// LastError is set while the config's source holds a change that was
	// refused, or cannot be read: its errors. The config shown stays in
	// force.
	LastError *ConfigRefusal `json:"lastError,omitempty"`
}

// Platform returns the platform config as any authenticated actor may see
// it.
func (s *Service) Platform(ctx context.Context, actor Actor, cfg Config) (*PlatformView, error) {
	if err := s.allow(ctx, nil, actor, identity.ReadPlatform, "", ""); err != nil {
		return nil, err
	}
	v := &PlatformView{EnvironmentTypes: cfg.Platform.EnvironmentTypes(), ResourceTypes: cfg.Platform.Types(),
		Definitions: cfg.Platform.Definitions(), Policies: []string{},
		Source: cfg.Source, Revision: cfg.Revision, LoadedAt: cfg.LoadedAt}
	for _, e := range cfg.Platform.Environments() {
		c := *e
		c.Target.Config = publicTargetConfig(e.Target.Config)
		v.Environments = append(v.Environments, c)
	}
	if cfg.Policies != nil {
		v.Policies = cfg.Policies.Policies()
	}
	return v, nil
}

// secretKeys are the words that mark a target config key as holding a
// secret.
var secretKeys = []string{"secret", "password", "passwd", "token", "credential", "private", "apikey", "api_key", "kubeconfig", "sshkey", "hashkey"}

// publicTargetConfig returns an environment's target config without what
// may be secret: every key whose name says so (password, token,
// kubeconfig…) and every string that references a platform secret
// (${secrets.…}). Targets do not mark their config keys secret the way
// drivers mark their inputs and resource types their outputs, so the names
// are all there is to go by; the values are as written, never resolved.
func publicTargetConfig(in map[string]any) map[string]any {
	out, _ := publicValue(in).(map[string]any)
	return out
}

func publicValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, val := range v {
			lk := strings.ToLower(k)
			if slices.ContainsFunc(secretKeys, func(w string) bool { return strings.Contains(lk, w) }) {
				continue
			}
			if pv := publicValue(val); pv != nil {
				out[k] = pv
			}
		}
		return out
	case []any:
		out := make([]any, 0, len(v))
		for _, e := range v {
			if pv := publicValue(e); pv != nil {
				out = append(out, pv)
			}
		}
		return out
	case string:
		if strings.Contains(v, "${secrets.") {
			return nil
		}
		return v
	}
	return v
}
