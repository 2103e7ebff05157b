package service

import (
	"context"
	"slices"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/identity"
	"github.com/pavedev/pave/internal/store"
)

// Token lifetimes.
const (
	DefaultTokenTTL = 90 * 24 * time.Hour
	MaxTokenTTL     = 2 * 365 * 24 * time.Hour
	// touchEvery bounds how often a token's last use is written.
	touchEvery = time.Minute
)

// Authenticate returns the actor an API token stands for. Any token that is
// malformed, unknown, wrong, expired or revoked, or whose user is disabled,
// is unauthorized; the message tells which only to someone holding the
// real token.
func (s *Service) Authenticate(ctx context.Context, token string) (Actor, error) {
	a, _, err := s.AuthenticateUntil(ctx, token)
	return a, err
}

// AuthenticateUntil is Authenticate that also says until when the token is
// valid, for doors that remember an authentication for a moment.
func (s *Service) AuthenticateUntil(ctx context.Context, token string) (Actor, time.Time, error) {
	a, t, err := s.authenticate(ctx, token)
	if err != nil {
		return Actor{}, time.Time{}, err
	}
	return a, *t.ExpiresAt, nil
}

func (s *Service) authenticate(ctx context.Context, token string) (Actor, *store.Token, error) {
	bad := errs.New(errs.Unauthorized, "invalid API token")
	id, ok := identity.TokenID(token)
	if !ok {
		return Actor{}, nil, bad
	}
	t, err := s.Store.GetToken(ctx, id)
	if errs.Is(err, errs.NotFound) {
		return Actor{}, nil, bad
	}
	if err != nil {
		return Actor{}, nil, err
	}
	if !identity.TokenMatches(token, t.Hash) {
		return Actor{}, nil, bad
	}
	now := s.now()
	if t.RevokedAt != nil {
		return Actor{}, nil, errs.New(errs.Unauthorized, "API token %s was revoked", t.ID)
	}
	if !t.Usable(now) {
		return Actor{}, nil, errs.New(errs.Unauthorized, "API token %s expired", t.ID)
	}
	u, err := s.Store.GetUser(ctx, t.User)
	if errs.Is(err, errs.NotFound) {
		return Actor{}, nil, bad
	}
	if err != nil {
		return Actor{}, nil, err
	}
	if u.Disabled {
		return Actor{}, nil, errs.New(errs.Unauthorized, "user %q is disabled", u.Name)
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > touchEvery {
		_ = s.Store.TouchToken(ctx, t.ID, now)
	}
	if t.ExpiresAt == nil { // tokens are made with an expiry; one without has none
		far := now.Add(MaxTokenTTL)
		t.ExpiresAt = &far
	}
	return Actor{ID: u.Name, Kind: string(t.Kind), Roles: u.Roles, Teams: u.Teams, Bindings: bindings(u.Bindings)}, t, nil
}

// bindings converts stored role bindings to the form identity judges.
func bindings(bs []store.RoleBinding) []identity.Binding {
	if len(bs) == 0 {
		return nil
	}
	out := make([]identity.Binding, len(bs))
	for i, b := range bs {
		out[i] = identity.Binding{Role: b.Role, Team: b.Team, App: b.App, EnvTypes: b.EnvTypes}
	}
	return out
}

// bindingNames writes role bindings as ROLE@team/NAME... for the audit log.
func bindingNames(bs []store.RoleBinding) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.String()
	}
	return out
}

// CreateUser adds a user; admins only. Roles must be known, teams must
// exist, and bindings must grant a bindable role on an existing team or on
// an app (which need not exist yet).
func (s *Service) CreateUser(ctx context.Context, actor Actor, u *store.User) error {
	if err := s.allow(ctx, nil, actor, identity.ManageIdentity, "", ""); err != nil {
		return err
	}
	if err := s.checkUser(ctx, u); err != nil {
		return err
	}
	err := s.Store.CreateUser(ctx, u)
	s.audit(ctx, actor, "user.create", "user/"+u.Name, "", err, map[string]any{"roles": u.Roles, "teams": u.Teams, "bindings": bindingNames(u.Bindings)})
	return err
}

// UpdateUser changes a user's roles, teams and Disabled; admins only.
func (s *Service) UpdateUser(ctx context.Context, actor Actor, u *store.User) error {
	if err := s.allow(ctx, nil, actor, identity.ManageIdentity, "", ""); err != nil {
		return err
	}
	if err := s.checkUser(ctx, u); err != nil {
		return err
	}
	err := s.Store.UpdateUser(ctx, u)
	s.audit(ctx, actor, "user.update", "user/"+u.Name, "", err, map[string]any{"roles": u.Roles, "teams": u.Teams,
		"bindings": bindingNames(u.Bindings), "disabled": u.Disabled})
	return err
}

func (s *Service) checkUser(ctx context.Context, u *store.User) error {
	var list errs.List
	for _, r := range u.Roles {
		if !identity.ValidRole(r) {
			list.Add(errs.New(errs.Invalid, "user %q: unknown role %q (want viewer, developer, platform-engineer or admin)", u.Name, r))
		}
	}
	teams := slices.Clone(u.Teams)
	for _, b := range u.Bindings {
		if !slices.Contains(identity.BindableRoles, b.Role) {
			list.Add(errs.New(errs.Invalid, "user %q: binding %s: role %q cannot be bound to a team or an app (want viewer, developer or platform-engineer; admin is global)", u.Name, b, b.Role))
		}
		if b.Team != "" && !slices.Contains(teams, b.Team) {
			teams = append(teams, b.Team)
		}
	}
	for _, t := range teams {
		if _, err := s.Store.GetTeam(ctx, t); errs.Is(err, errs.NotFound) {
			list.Add(errs.New(errs.Invalid, "user %q: team %q does not exist", u.Name, t))
		} else if err != nil {
			return err
		}
	}
	return list.Err()
}

// GetUser returns a user; anyone may read themselves.
func (s *Service) GetUser(ctx context.Context, actor Actor, name string) (*store.User, error) {
	if name != actor.ID || actor.ID == "" {
		if err := s.allow(ctx, nil, actor, identity.ReadIdentity, "", ""); err != nil {
			return nil, err
		}
	}
	return s.Store.GetUser(ctx, name)
}

// ListUsers returns every user.
func (s *Service) ListUsers(ctx context.Context, actor Actor) ([]store.User, error) {
	if err := s.allow(ctx, nil, actor, identity.ReadIdentity, "", ""); err != nil {
		return nil, err
	}
	return s.Store.ListUsers(ctx)
}

// CreateTeam adds a team; admins only.
func (s *Service) CreateTeam(ctx context.Context, actor Actor, t *store.Team) error {
	if err := s.allow(ctx, nil, actor, identity.ManageIdentity, "", ""); err != nil {
		return err
	}
	err := s.Store.CreateTeam(ctx, t)
	s.audit(ctx, actor, "team.create", "team/"+t.Name, "", err, nil)
	return err
}

// ListTeams returns every team; any authenticated actor may.
func (s *Service) ListTeams(ctx context.Context, actor Actor) ([]store.Team, error) {
	if err := s.allow(ctx, nil, actor, identity.ReadPlatform, "", ""); err != nil {
		return nil, err
	}
	return s.Store.ListTeams(ctx)
}

// CreateTokenRequest asks for a new API token.
type CreateTokenRequest struct {
	// User owns the token; the actor's own user when empty.
	User string
	// Kind is human, ci or agent.
	Kind string
	Name string
	// TTL is how long the token lives: DefaultTokenTTL when zero, at most
	// MaxTokenTTL.
	TTL   time.Duration
	Actor Actor
}

// NewToken is a token just made: Secret is the token itself, shown this
// once and never kept.
type NewToken struct {
	store.Token
	Secret string `json:"token"`
}

// CreateToken makes an API token for a user: one's own, or anyone's for an
// admin.
func (s *Service) CreateToken(ctx context.Context, req CreateTokenRequest) (*NewToken, error) {
	if req.User == "" {
		req.User = req.Actor.ID
	}
	if _, err := s.authorizeScope(ctx, req.Actor, identity.ManageOwnTokens, identity.Scope{User: req.User}); err != nil {
		return nil, err
	}
	kind := store.ActorKind(req.Kind)
	if kind == "" {
		kind = store.ActorHuman
	}
	if kind != store.ActorHuman && kind != store.ActorCI && kind != store.ActorAgent {
		return nil, errs.New(errs.Invalid, "token kind %q: want human, ci or agent", req.Kind)
	}
	ttl := req.TTL
	switch {
	case ttl == 0:
		ttl = DefaultTokenTTL
	case ttl < 0 || ttl > MaxTokenTTL:
		return nil, errs.New(errs.Invalid, "token ttl %s: want a positive duration of at most %s", ttl, MaxTokenTTL)
	}
	id := store.NewID()
	secret, hash, err := identity.NewToken(id)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "token: no randomness")
	}
	exp := s.now().Add(ttl)
	t := store.Token{ID: id, User: req.User, Kind: kind, Name: req.Name, Hash: hash, ExpiresAt: &exp}
	err = s.Store.CreateToken(ctx, &t)
	s.audit(ctx, req.Actor, "token.create", "user/"+req.User, "", err, map[string]any{"token": id, "kind": kind, "expiresAt": exp})
	if err != nil {
		return nil, err
	}
	t.Hash = ""
	return &NewToken{Token: t, Secret: secret}, nil
}

// ListTokens lists a user's tokens (the actor's own when user is empty),
// without secrets or hashes.
func (s *Service) ListTokens(ctx context.Context, actor Actor, user string) ([]store.Token, error) {
	if user == "" {
		user = actor.ID
	}
	if _, err := s.authorizeScope(ctx, actor, identity.ManageOwnTokens, identity.Scope{User: user}); err != nil {
		return nil, err
	}
	return s.Store.ListTokens(ctx, user)
}

// RevokeToken revokes a token: one's own, or anyone's for an admin.
func (s *Service) RevokeToken(ctx context.Context, actor Actor, id string) error {
	t, err := s.Store.GetToken(ctx, id)
	if err != nil {
		return err
	}
	if _, err := s.authorizeScope(ctx, actor, identity.ManageOwnTokens, identity.Scope{User: t.User}); err != nil {
		return err
	}
	err = s.Store.RevokeToken(ctx, id, s.now())
	s.audit(ctx, actor, "token.revoke", "user/"+t.User, "", err, map[string]any{"token": id})
	return err
}
