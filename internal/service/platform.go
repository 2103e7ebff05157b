package service

import (
	"context"
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
		c.Target.Config = publicInputs(e.Target.Config)
		v.Environments = append(v.Environments, c)
	}
	if cfg.Policies != nil {
		v.Policies = cfg.Policies.Policies()
	}
	return v, nil
}
