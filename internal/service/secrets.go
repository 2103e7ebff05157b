package service

import (
	"context"

	"github.com/pavedev/pave/internal/identity"
	"github.com/pavedev/pave/internal/store"
)

// PutSecret sets a platform secret; platform engineers and admins only.
// The value is never audited, logged or returned.
func (s *Service) PutSecret(ctx context.Context, actor Actor, name string, value []byte) error {
	if err := s.allow(ctx, nil, actor, identity.ManageSecrets, "", ""); err != nil {
		return err
	}
	if err := store.CheckSecretName(name); err != nil {
		return err
	}
	err := s.Store.PutSecret(ctx, name, value)
	s.audit(ctx, actor, "secret.put", "secret/"+name, "", err, nil)
	return err
}

// DeleteSecret deletes a platform secret; platform engineers and admins
// only.
func (s *Service) DeleteSecret(ctx context.Context, actor Actor, name string) error {
	if err := s.allow(ctx, nil, actor, identity.ManageSecrets, "", ""); err != nil {
		return err
	}
	err := s.Store.DeleteSecret(ctx, name)
	s.audit(ctx, actor, "secret.delete", "secret/"+name, "", err, nil)
	return err
}

// ListSecrets lists the names of the platform secrets, never their
// values; platform engineers and admins only.
func (s *Service) ListSecrets(ctx context.Context, actor Actor) ([]store.SecretInfo, error) {
	if err := s.allow(ctx, nil, actor, identity.ManageSecrets, "", ""); err != nil {
		return nil, err
	}
	return s.Store.ListSecrets(ctx)
}
