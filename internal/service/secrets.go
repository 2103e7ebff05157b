package service

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/identity"
	"github.com/pavedev/pave/internal/secrets"
	"github.com/pavedev/pave/internal/store"
)

// fingerprintKeyPurpose names the key derived from the sealing key that
// keys the fingerprints of platform secrets in plans' inputs hashes.
const fingerprintKeyPurpose = "plan/secret-fingerprint"

// sealerStore is a store that can show the sealer it seals with, as
// sqlstore does.
type sealerStore interface {
	Sealer() *secrets.Sealer
}

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

// secretFingerprint returns what graph.Input.SecretFingerprint asks for: an
// HMAC-SHA256 of a platform secret's value, keyed with a key derived from
// the store's sealing key, so that it is stable while the sealing key is
// and reveals nothing of the value (not even whether two deployments of
// pave share a secret). It returns nil, which leaves secrets out of the
// inputs hashes, when there is no state or the store shows no sealer.
// Rotating the sealing key changes every fingerprint, so the resources that
// use platform secrets are updated once after a rotation.
func (s *Service) secretFingerprint(ctx context.Context) func(string) (string, error) {
	ss, ok := s.Store.(sealerStore)
	if !ok {
		return nil
	}
	key := ss.Sealer().DeriveKey(fingerprintKeyPurpose)
	return func(name string) (string, error) {
		val, err := s.Store.GetSecret(ctx, name)
		if errs.Is(err, errs.NotFound) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		m := hmac.New(sha256.New, key)
		m.Write(val)
		return "hmac-sha256:" + hex.EncodeToString(m.Sum(nil)), nil
	}
}
