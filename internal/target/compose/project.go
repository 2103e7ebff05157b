package compose

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pavedev/pave/internal/errs"
	rendercompose "github.com/pavedev/pave/internal/render/compose"
	"github.com/pavedev/pave/internal/target"
)

// Names in the project directory.
const (
	composeFile = "compose.yaml"
	filesDir    = "files"
	secretsDir  = "secrets"
	// digestKeyFile keys the digests of secret files in service labels.
	digestKeyFile = secretsDir + "/.digest-key"
	gitignoreFile = secretsDir + "/.gitignore"
	tmpPrefix     = ".pave-tmp-"
)

// LabelFilesDigest is the label on a service whose container mounts files
// of the project directory: a digest of their contents and modes, so that
// Compose recreates the container when one changes (it does not look into
// bind-mounted files itself). It is an HMAC keyed by a random key in the
// secrets directory when the service mounts a secret file, so that the
// label tells nothing about a secret.
const LabelFilesDigest = "pave.dev/files-digest"

// RestartPolicy is the restart policy of every service: a container that
// exits is restarted by Docker, as a process target restarts a process.
const RestartPolicy = "unless-stopped"

// HealthInterval is the time between healthchecks. Docker's default, 30s,
// would also be the time before the first one (Docker before 25 has no
// start_interval), so every deploy would wait that long.
const HealthInterval = "5s"

// renderProject renders d for Compose with the target's settings and
// additions: the restart policy, the healthcheck interval and the files
// digest label. When a service mounts a secret file, the project's digest
// key (read from dir, or a new one) joins the files to write, with the
// secrets directory's .gitignore; nothing is written here.
func renderProject(d *target.Deployment, s settings, dir string) (*rendercompose.Project, error) {
	p, err := rendercompose.Render(d, rendercompose.Options{Builds: s.builds, HostIP: s.hostIP})
	if err != nil {
		return nil, errs.Prefix("compose target", err)
	}
	byPath := make(map[string]*rendercompose.File, len(p.Files))
	for i := range p.Files {
		byPath[p.Files[i].Path] = &p.Files[i]
	}
	var key []byte
	for i := range p.Services {
		svc := &p.Services[i]
		svc.Restart = RestartPolicy
		if len(svc.Healthcheck) > 0 {
			svc.HealthInterval = HealthInterval
		}
		var mounted []*rendercompose.File
		secret := false
		for _, m := range svc.Mounts {
			if f := byPath[strings.TrimPrefix(m.Source, "./")]; m.Type == "bind" && f != nil {
				mounted = append(mounted, f)
				secret = secret || f.Secret
			}
		}
		if len(mounted) == 0 {
			continue
		}
		if secret && key == nil {
			if key, err = digestKey(dir); err != nil {
				return nil, err
			}
		}
		svc.Labels[LabelFilesDigest] = filesDigest(mounted, secret, key)
	}
	if key != nil {
		p.Files = append(p.Files, rendercompose.File{Path: digestKeyFile, Content: key, Mode: 0o600, Secret: true})
		if byPath[gitignoreFile] == nil {
			p.Files = append(p.Files, rendercompose.File{Path: gitignoreFile, Content: gitignore, Mode: 0o644})
		}
		slices.SortFunc(p.Files, func(a, b rendercompose.File) int { return strings.Compare(a.Path, b.Path) })
	}
	return p, nil
}

// filesDigest is the hex SHA-256 (or, with secret files, HMAC-SHA-256
// under key) of the files' paths, modes and contents.
func filesDigest(files []*rendercompose.File, secret bool, key []byte) string {
	h := sha256.New()
	if secret {
		h = hmac.New(sha256.New, key)
	}
	var buf []byte
	for _, f := range files {
		buf = binary.BigEndian.AppendUint64(buf[:0], uint64(len(f.Path)))
		buf = binary.BigEndian.AppendUint32(buf, uint32(f.Mode))
		buf = binary.BigEndian.AppendUint64(buf, uint64(len(f.Content)))
		h.Write(buf)
		h.Write([]byte(f.Path))
		h.Write(f.Content)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// digestKey reads the project's digest key, or makes a new one.
func digestKey(dir string) ([]byte, error) {
	p := filepath.Join(dir, filepath.FromSlash(digestKeyFile))
	key, err := os.ReadFile(p)
	if err == nil && len(key) == 32 {
		return key, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, errs.Wrap(errs.Internal, err, "compose target: read %s", p)
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "compose target: make a digest key")
	}
	return key, nil
}

// gitignore is the secrets directory's .gitignore, as the renderer writes it.
var gitignore = []byte("# pave: secret values live here; never commit them.\n*\n")

// writeProject writes the project's files, then compose.yaml, each
// atomically, leaving unchanged files alone. Files of a previous
// deployment are left for pruneProject, after `docker compose up`.
func writeProject(dir string, p *rendercompose.Project, composeYAML []byte) error {
	// The .gitignore first, so that no secret sits in secrets/ without it.
	files := slices.Clone(p.Files)
	slices.SortStableFunc(files, func(a, b rendercompose.File) int {
		return cmpBool(b.Path == gitignoreFile, a.Path == gitignoreFile)
	})
	for _, f := range files {
		if err := writeFile(dir, f.Path, f.Content, f.Mode); err != nil {
			return err
		}
	}
	return writeFile(dir, composeFile, composeYAML, 0o644)
}

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// writeFile writes rel (a '/'-separated path inside dir) atomically with
// mode, unless it holds content already; its directories are created 0700
// under secrets/ and 0755 elsewhere.
func writeFile(dir, rel string, content []byte, mode fs.FileMode) error {
	if !filepath.IsLocal(filepath.FromSlash(rel)) || strings.Contains(rel, "\\") {
		return errs.New(errs.Internal, "compose target: file path %q is not inside the project directory", rel)
	}
	p := filepath.Join(dir, filepath.FromSlash(rel))
	secret := strings.HasPrefix(rel, secretsDir+"/")
	if err := mkdirs(dir, path.Dir(rel), secret); err != nil {
		return err
	}
	if st, err := os.Lstat(p); err == nil && st.Mode().IsRegular() {
		if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, content) {
			if st.Mode().Perm() != mode.Perm() {
				if err := os.Chmod(p, mode.Perm()); err != nil {
					return errs.Wrap(errs.Internal, err, "compose target: chmod %s", rel)
				}
			}
			return nil
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), tmpPrefix+"*")
	if err != nil {
		return errs.Wrap(errs.Internal, err, "compose target: write %s", rel)
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(name)
		}
	}()
	// CreateTemp makes the file 0600, so content is never readable by
	// others before the mode is set.
	if _, err := tmp.Write(content); err != nil {
		return errs.Wrap(errs.Internal, err, "compose target: write %s", rel)
	}
	if err := tmp.Chmod(mode.Perm()); err != nil {
		return errs.Wrap(errs.Internal, err, "compose target: chmod %s", rel)
	}
	if err := tmp.Sync(); err != nil {
		return errs.Wrap(errs.Internal, err, "compose target: write %s", rel)
	}
	if err := tmp.Close(); err != nil {
		return errs.Wrap(errs.Internal, err, "compose target: write %s", rel)
	}
	if err := os.Rename(name, p); err != nil {
		return errs.Wrap(errs.Internal, err, "compose target: write %s", rel)
	}
	ok = true
	return nil
}

// mkdirs creates rel's directories under dir: 0700 when secret (and
// tightened to that when they exist), 0755 otherwise.
func mkdirs(dir, rel string, secret bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return errs.Wrap(errs.Internal, err, "compose target: create project directory %s", dir)
	}
	if rel == "." {
		return nil
	}
	cur := dir
	for _, part := range strings.Split(rel, "/") {
		cur = filepath.Join(cur, part)
		st, err := os.Lstat(cur)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			mode := fs.FileMode(0o755)
			if secret {
				mode = 0o700
			}
			if err := os.Mkdir(cur, mode); err != nil && !errors.Is(err, fs.ErrExist) {
				return errs.Wrap(errs.Internal, err, "compose target: create directory %s", cur)
			}
		case err != nil:
			return errs.Wrap(errs.Internal, err, "compose target: directory %s", cur)
		case !st.IsDir():
			return errs.New(errs.Internal, "compose target: %s is not a directory", cur)
		case secret && st.Mode().Perm()&0o077 != 0:
			if err := os.Chmod(cur, 0o700); err != nil {
				return errs.Wrap(errs.Internal, err, "compose target: chmod directory %s", cur)
			}
		}
	}
	return nil
}

// pruneProject removes what the files and secrets directories hold that p
// does not write (files of workloads no longer deployed, leftovers of an
// interrupted write), and the directories that become empty.
func pruneProject(dir string, p *rendercompose.Project) error {
	keep := map[string]bool{}
	for _, f := range p.Files {
		keep[f.Path] = true
	}
	var dirs []string
	for _, top := range []string{filesDir, secretsDir} {
		root := filepath.Join(dir, top)
		err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			rel = filepath.ToSlash(rel)
			if e.IsDir() {
				dirs = append(dirs, p)
				return nil
			}
			if !keep[rel] {
				return os.Remove(p)
			}
			return nil
		})
		if err != nil {
			return errs.Wrap(errs.Internal, err, "compose target: prune %s", root)
		}
	}
	removeTemps(dir)
	// Deepest first; a directory that is not empty stays.
	slices.SortFunc(dirs, func(a, b string) int { return len(b) - len(a) })
	for _, d := range dirs {
		if entries, err := os.ReadDir(d); err == nil && len(entries) == 0 {
			os.Remove(d)
		}
	}
	return nil
}

// removeTemps removes temporary files an interrupted write left in dir.
func removeTemps(dir string) {
	tmps, _ := filepath.Glob(filepath.Join(dir, tmpPrefix+"*"))
	for _, p := range tmps {
		os.Remove(p)
	}
}
