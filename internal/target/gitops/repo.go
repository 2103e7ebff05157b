package gitops

import (
	"context"
	"errors"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/memory"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/pavedev/pave/internal/errs"
)

const remoteName = "origin"

// session is an in-memory repository with the target's repository as its
// one remote. It holds only what it fetched (history depth 1) and what it
// made.
type session struct {
	s    *settings
	r    *git.Repository
	auth transport.AuthMethod
}

func openSession(s *settings) (*session, error) {
	auth, err := s.auth()
	if err != nil {
		return nil, err
	}
	r, err := git.Init(memory.NewStorage(), nil)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "gitops target: create an in-memory repository")
	}
	if _, err := r.CreateRemote(&config.RemoteConfig{Name: remoteName, URLs: []string{s.url}}); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "gitops target: set up the remote")
	}
	return &session{s: s, r: r, auth: auth}, nil
}

func (ss *session) branchRef() plumbing.ReferenceName {
	return plumbing.NewBranchReferenceName(ss.s.branch)
}

func (ss *session) trackingRef() plumbing.ReferenceName {
	return plumbing.NewRemoteReferenceName(remoteName, ss.s.branch)
}

// fetch fetches the branch's head commit and returns its hash, or the
// zero hash when the repository is empty or has no such branch yet.
func (ss *session) fetch(ctx context.Context) (plumbing.Hash, error) {
	spec := config.RefSpec("+" + ss.branchRef().String() + ":" + ss.trackingRef().String())
	err := ss.r.FetchContext(ctx, &git.FetchOptions{
		RemoteName: remoteName,
		RefSpecs:   []config.RefSpec{spec},
		Depth:      1,
		Auth:       ss.auth,
		Tags:       git.NoTags,
	})
	switch {
	case err == nil, errors.Is(err, git.NoErrAlreadyUpToDate):
	case errors.Is(err, transport.ErrEmptyRemoteRepository), errors.Is(err, git.NoMatchingRefSpecError{}):
		_ = ss.r.Storer.RemoveReference(ss.trackingRef())
		return plumbing.ZeroHash, nil
	default:
		return plumbing.ZeroHash, ss.remoteError("fetch", err)
	}
	ref, err := ss.r.Reference(ss.trackingRef(), true)
	if err != nil {
		return plumbing.ZeroHash, errs.Wrap(errs.Internal, err, "gitops target: fetch %s: branch %q was not received", ss.s.display, ss.s.branch)
	}
	return ref.Hash(), nil
}

// push pushes commit as the branch's new head. The remote takes it only
// while the branch is still where this session fetched it.
func (ss *session) push(ctx context.Context, commit plumbing.Hash) error {
	if err := ss.r.Storer.SetReference(plumbing.NewHashReference(ss.branchRef(), commit)); err != nil {
		return errs.Wrap(errs.Internal, err, "gitops target: set the local branch")
	}
	spec := config.RefSpec(ss.branchRef().String() + ":" + ss.branchRef().String())
	err := ss.r.PushContext(ctx, &git.PushOptions{
		RemoteName: remoteName,
		RefSpecs:   []config.RefSpec{spec},
		Auth:       ss.auth,
	})
	if err == nil || errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	return ss.remoteError("push to", err)
}

// remoteError turns a transport error into a pave error whose message
// holds no credential.
func (ss *session) remoteError(op string, err error) error {
	where := op + " " + ss.s.display + " branch " + ss.s.branch
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return errs.Wrap(errs.Transient, err, "gitops target: %s: %s", where, err.Error())
	case errors.Is(err, transport.ErrAuthenticationRequired):
		return errs.Wrap(errs.Unauthorized, err, "gitops target: %s: the repository wants credentials (username and password, token or sshKey) or refused those given", where)
	case errors.Is(err, transport.ErrAuthorizationFailed):
		return errs.Wrap(errs.Forbidden, err, "gitops target: %s: the credentials given may not do this", where)
	case errors.Is(err, transport.ErrRepositoryNotFound):
		return errs.Wrap(errs.NotFound, err, "gitops target: %s: no repository there (or no access to it)", where)
	case isHostKeyError(err):
		return errs.Wrap(errs.Forbidden, errors.New(ss.s.errText(err)), "gitops target: %s: the SSH server's host key is not the one knownHosts (or the known_hosts files) names for it; refusing to talk to it", where)
	case strings.Contains(err.Error(), "ssh: unable to authenticate"):
		return errs.Wrap(errs.Unauthorized, errors.New(ss.s.errText(err)), "gitops target: %s: the SSH server refused the key (sshKey, or the SSH agent's)", where)
	}
	return errs.Wrap(errs.Transient, errors.New(ss.s.errText(err)), "gitops target: %s: %s", where, ss.s.errText(err))
}

// isHostKeyError reports whether err is a host key that known_hosts does
// not know or knows otherwise.
func isHostKeyError(err error) bool {
	var ke *knownhosts.KeyError
	return errors.As(err, &ke) || strings.Contains(err.Error(), "knownhosts: key mismatch") ||
		strings.Contains(err.Error(), "knownhosts: key is unknown")
}
