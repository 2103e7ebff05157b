package configsource

import (
	"context"
	"errors"
	"io"
	"path"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"github.com/go-git/go-git/v5/storage/memory"
	"golang.org/x/crypto/ssh"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/secrets"
)

// Git is a platform config in a Git repository: the tree of a branch or
// tag at a path. Each Read asks the remote where the ref points (one
// small request); only when that moved does it fetch the commit, depth 1,
// into memory, and read the config files of its tree. Nothing is written
// to disk, and only the last commit's files are kept.
type Git struct {
	spec   *gitSpec
	auth   transport.AuthMethod
	redact *secrets.Redactor

	mu   sync.Mutex
	seen plumbing.Hash // the ref's target when last fetched
	last *Snapshot
}

// localRef is where a fetch puts the ref in the in-memory repository.
const localRef = plumbing.ReferenceName("refs/pave/config")

func newGit(s string, c Credentials) (*Git, error) {
	spec, err := parseGitSpec(s)
	if err != nil {
		return nil, err
	}
	if err := spec.checkCredentials(c); err != nil {
		return nil, err
	}
	g := &Git{spec: spec, redact: secrets.NewRedactor(c.Password, c.Token, c.SSHKey)}
	switch {
	case c.Password != "":
		g.auth = &githttp.BasicAuth{Username: c.Username, Password: c.Password}
	case c.Token != "":
		user := c.Username
		if user == "" {
			user = DefaultTokenUser
		}
		g.auth = &githttp.BasicAuth{Username: user, Password: c.Token}
	case c.SSHKey != "":
		// An encrypted key is refused without trying to open it: its key
		// derivation rounds are chosen by whoever wrote it.
		signer, err := ssh.ParsePrivateKey([]byte(c.SSHKey))
		if err != nil {
			var missing *ssh.PassphraseMissingError
			if errors.As(err, &missing) {
				return nil, errs.New(errs.Invalid, "%s is protected by a passphrase; give an unencrypted key", EnvSSHKey)
			}
			return nil, errs.New(errs.Invalid, "%s is not a private key in PEM or OpenSSH format", EnvSSHKey)
		}
		g.auth = &gitssh.PublicKeys{User: spec.sshUser, Signer: signer}
	}
	return g, nil
}

// String is git+URL[#REF[:PATH]], without credentials.
func (g *Git) String() string {
	s := GitPrefix + g.spec.display
	if g.spec.ref != "" || g.spec.dir != "" {
		s += "#" + g.spec.ref
	}
	if g.spec.dir != "" {
		s += ":" + g.spec.dir
	}
	return s
}

// Where is the file's path in the repository.
func (g *Git) Where(file string) string {
	if g.spec.dir == "" {
		return file
	}
	return path.Join(g.spec.dir, file)
}

// Read returns the config at the ref's commit; the same snapshot as last
// time when the ref has not moved.
func (g *Git) Read(ctx context.Context) (*Snapshot, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	name, target, err := g.resolve(ctx)
	if err != nil {
		return nil, err
	}
	if g.last != nil && target == g.seen {
		return g.last, nil
	}
	fetched, snap, err := g.fetch(ctx, name)
	if err != nil {
		return nil, err
	}
	g.seen, g.last = fetched, snap
	return snap, nil
}

// resolve asks the remote for its refs and returns the full name of the
// configured ref and where it points.
func (g *Git) resolve(ctx context.Context) (plumbing.ReferenceName, plumbing.Hash, error) {
	remote := git.NewRemote(memory.NewStorage(), &config.RemoteConfig{Name: "origin", URLs: []string{g.spec.url}})
	refs, err := remote.ListContext(ctx, &git.ListOptions{Auth: g.auth})
	if err != nil {
		if errors.Is(err, transport.ErrEmptyRemoteRepository) {
			return "", plumbing.ZeroHash, errs.New(errs.Invalid, "platform config %s: the repository is empty", g.spec.display)
		}
		return "", plumbing.ZeroHash, g.remoteError(err)
	}
	byName := map[plumbing.ReferenceName]*plumbing.Reference{}
	for _, r := range refs {
		byName[r.Name()] = r
	}
	var candidates []plumbing.ReferenceName
	switch {
	case g.spec.ref == "":
		head, ok := byName[plumbing.HEAD]
		if !ok {
			return "", plumbing.ZeroHash, errs.New(errs.Invalid, "platform config %s: the remote has no HEAD; name a branch or tag: #REF", g.spec.display)
		}
		if head.Type() == plumbing.SymbolicReference {
			candidates = []plumbing.ReferenceName{head.Target()}
			break
		}
		// No symref capability: the branch HEAD points at.
		for _, r := range refs {
			if r.Name().IsBranch() && r.Hash() == head.Hash() {
				candidates = append(candidates, r.Name())
			}
		}
	case strings.HasPrefix(g.spec.ref, "refs/"):
		candidates = []plumbing.ReferenceName{plumbing.ReferenceName(g.spec.ref)}
	default:
		candidates = []plumbing.ReferenceName{plumbing.NewBranchReferenceName(g.spec.ref), plumbing.NewTagReferenceName(g.spec.ref)}
	}
	for _, c := range candidates {
		if r, ok := byName[c]; ok && r.Type() == plumbing.HashReference {
			return c, r.Hash(), nil
		}
	}
	what := "HEAD"
	if g.spec.ref != "" {
		what = "branch or tag " + g.spec.ref
	}
	return "", plumbing.ZeroHash, errs.New(errs.Invalid, "platform config %s: the remote has no %s", g.spec.display, what)
}

// fetch fetches ref, depth 1, into a new in-memory repository and reads
// the config files of its commit.
func (g *Git) fetch(ctx context.Context, ref plumbing.ReferenceName) (plumbing.Hash, *Snapshot, error) {
	r, err := git.Init(memory.NewStorage(), nil)
	if err != nil {
		return plumbing.ZeroHash, nil, errs.Wrap(errs.Internal, err, "platform config: create an in-memory repository")
	}
	if _, err := r.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{g.spec.url}}); err != nil {
		return plumbing.ZeroHash, nil, errs.Wrap(errs.Internal, err, "platform config: set up the remote")
	}
	err = r.FetchContext(ctx, &git.FetchOptions{
		RemoteName: "origin",
		RefSpecs:   []config.RefSpec{config.RefSpec("+" + ref.String() + ":" + localRef.String())},
		Depth:      1,
		Auth:       g.auth,
		Tags:       git.NoTags,
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return plumbing.ZeroHash, nil, g.remoteError(err)
	}
	local, err := r.Reference(localRef, true)
	if err != nil {
		return plumbing.ZeroHash, nil, errs.Wrap(errs.Transient, err, "platform config %s: %s was not received", g.spec.display, ref)
	}
	commit, err := commitOf(r, local.Hash())
	if err != nil {
		return plumbing.ZeroHash, nil, errs.Wrap(errs.Invalid, err, "platform config %s: %s does not point at a commit", g.spec.display, ref)
	}
	snap, err := g.read(commit)
	if err != nil {
		return plumbing.ZeroHash, nil, err
	}
	return local.Hash(), snap, nil
}

// commitOf returns the commit h names, through an annotated tag.
func commitOf(r *git.Repository, h plumbing.Hash) (*object.Commit, error) {
	obj, err := r.Object(plumbing.AnyObject, h)
	if err != nil {
		return nil, err
	}
	switch o := obj.(type) {
	case *object.Commit:
		return o, nil
	case *object.Tag:
		return o.Commit()
	}
	return nil, errors.New("not a commit")
}

// read reads the config files of the configured directory of commit.
func (g *Git) read(commit *object.Commit) (*Snapshot, error) {
	short := commit.Hash.String()[:12]
	tree, err := commit.Tree()
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "platform config %s: read the tree of %s", g.spec.display, short)
	}
	if g.spec.dir != "" {
		if tree, err = tree.Tree(g.spec.dir); err != nil {
			return nil, errs.New(errs.Invalid, "platform config %s: commit %s has no directory %s", g.spec.display, short, g.spec.dir)
		}
	}
	var f files
	err = tree.Files().ForEach(func(file *object.File) error {
		if !wanted(file.Name) {
			return nil
		}
		if file.Mode == filemode.Symlink {
			return &errs.Error{Code: errs.Invalid, File: file.Name, Message: "is a symbolic link, which a Git platform config source does not follow"}
		}
		if file.Size > maxFileBytes {
			return tooBig(file.Name)
		}
		rd, err := file.Reader()
		if err != nil {
			return errs.Wrap(errs.Internal, err, "platform config %s: read %s at %s", g.spec.display, g.Where(file.Name), short)
		}
		data, err := io.ReadAll(rd)
		rd.Close()
		if err != nil {
			return errs.Wrap(errs.Internal, err, "platform config %s: read %s at %s", g.spec.display, g.Where(file.Name), short)
		}
		return f.add(file.Name, data)
	})
	if err != nil {
		return nil, err
	}
	return &Snapshot{Revision: commit.Hash.String(), Files: f.snapshotFS(), Atomic: true}, nil
}

// remoteError turns a transport error into a pave error whose message
// holds no credential.
func (g *Git) remoteError(err error) error {
	where := "platform config " + g.spec.display
	text := g.redact.Redact(err.Error())
	cause := errors.New(text)
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return errs.Wrap(errs.Transient, cause, "%s: %s", where, text)
	case errors.Is(err, transport.ErrAuthenticationRequired):
		return errs.Wrap(errs.Unauthorized, cause, "%s: the repository wants credentials (%s and %s, %s, or %s) or refused those given", where, EnvUsername, EnvPassword, EnvToken, EnvSSHKey)
	case errors.Is(err, transport.ErrAuthorizationFailed):
		return errs.Wrap(errs.Forbidden, cause, "%s: the credentials given may not read it", where)
	case errors.Is(err, transport.ErrRepositoryNotFound):
		return errs.Wrap(errs.NotFound, cause, "%s: no repository there (or no access to it)", where)
	}
	return errs.Wrap(errs.Transient, cause, "%s: %s", where, text)
}
