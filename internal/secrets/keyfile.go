package secrets

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/pavedev/pave/internal/errs"
)

// KeyFileName is the name of the key file in the state directory. It holds
// one base64 key a line, the sealing key first.
const KeyFileName = "secret.key"

// maxKeyFile bounds what is read from a key file.
const maxKeyFile = 64 << 10

// LoadOrCreateKey returns a Sealer for the keys in dir/secret.key, creating
// dir (mode 0700) and the file (mode 0600) with a new random key on first
// run. It refuses a key file that group or others may read or write. Two
// processes creating the file at once end up with the same key.
func LoadOrCreateKey(dir string) (*Sealer, error) {
	path := filepath.Join(dir, KeyFileName)
	keys, err := readKeyFile(path)
	if errs.Is(err, errs.NotFound) {
		keys, err = createKeyFile(dir)
	}
	if err != nil {
		return nil, err
	}
	return NewSealer(keys[0], keys[1:]...)
}

// LoadKey returns the Sealer pave runs with: the keys in envValue (the value
// of PAVE_SECRET_KEY) when it is set, else those of the key file in dir
// (see LoadOrCreateKey).
func LoadKey(envValue, dir string) (*Sealer, error) {
	if strings.TrimSpace(envValue) != "" {
		keys, err := ParseKeys(envValue)
		if err != nil {
			return nil, errs.Prefix(EnvKey, err)
		}
		return NewSealer(keys[0], keys[1:]...)
	}
	return LoadOrCreateKey(dir)
}

// WriteKeyFile replaces dir/secret.key with keys, the sealing key first,
// atomically (a crash leaves the old file or the new one, never a part) and
// with mode 0600.
func WriteKeyFile(dir string, keys ...Key) error {
	if len(keys) == 0 {
		return errs.New(errs.Invalid, "secrets: write key file: no key")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return errs.Wrap(errs.Internal, err, "secrets: create state directory %s", dir)
	}
	tmp, err := writeTemp(dir, keys)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, KeyFileName)); err != nil {
		os.Remove(tmp)
		return errs.Wrap(errs.Internal, err, "secrets: replace key file in %s", dir)
	}
	return syncDir(dir)
}

// RotateKeyFile rotates the key in dir/secret.key so that no crash can lose
// a secret: it generates a new key, writes the file with the new key first
// and the old ones after it, calls reseal with a Sealer that seals with the
// new key and still opens with the old ones (reseal re-seals every stored
// value, e.g. store.Store.RotateKey), and only when reseal succeeds rewrites
// the file with the new key alone. It returns the new key.
func RotateKeyFile(dir string, reseal func(next *Sealer) error) (Key, error) {
	cur, err := LoadOrCreateKey(dir)
	if err != nil {
		return Key{}, err
	}
	k, err := GenerateKey()
	if err != nil {
		return Key{}, err
	}
	old := cur.Keys()
	if err := WriteKeyFile(dir, append([]Key{k}, old...)...); err != nil {
		return Key{}, err
	}
	next, err := NewSealer(k, old...)
	if err != nil {
		return Key{}, err
	}
	if err := reseal(next); err != nil {
		return Key{}, errs.Prefix("secrets: rotate key (the key file keeps both keys; run rotation again)", err)
	}
	if err := WriteKeyFile(dir, k); err != nil {
		return Key{}, err
	}
	return k, nil
}

func readKeyFile(path string) ([]Key, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errs.Wrap(errs.NotFound, err, "secrets: no key file %s", path)
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "secrets: open key file %s", path)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "secrets: stat key file %s", path)
	}
	if !fi.Mode().IsRegular() {
		return nil, errs.New(errs.Invalid, "secrets: key file %s is not a regular file", path)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, errs.New(errs.Forbidden, "secrets: key file %s has mode %04o; it must be readable by its owner only (chmod 600 %s)", path, fi.Mode().Perm(), path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "secrets: read key file %s", path)
	}
	if len(data) > maxKeyFile {
		return nil, errs.New(errs.Invalid, "secrets: key file %s is too large", path)
	}
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return nil, errs.New(errs.Invalid, "secrets: key file %s holds no key", path)
	}
	keys, err := ParseKeys(strings.Join(lines, "\n"))
	if err != nil {
		return nil, errs.Prefix("secrets: key file "+path, err)
	}
	return keys, nil
}

// createKeyFile writes a new key to a temporary file and links it into
// place, which fails if another process created the file first; then the
// other process's key is read.
func createKeyFile(dir string) ([]Key, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "secrets: create state directory %s", dir)
	}
	k, err := GenerateKey()
	if err != nil {
		return nil, err
	}
	tmp, err := writeTemp(dir, []Key{k})
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp)
	path := filepath.Join(dir, KeyFileName)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readKeyFile(path)
		}
		return nil, errs.Wrap(errs.Internal, err, "secrets: create key file %s", path)
	}
	if err := syncDir(dir); err != nil {
		return nil, err
	}
	return []Key{k}, nil
}

func writeTemp(dir string, keys []Key) (string, error) {
	f, err := os.CreateTemp(dir, ".secret.key-*")
	if err != nil {
		return "", errs.Wrap(errs.Internal, err, "secrets: create key file in %s", dir)
	}
	name := f.Name()
	fail := func(err error) (string, error) {
		f.Close()
		os.Remove(name)
		return "", errs.Wrap(errs.Internal, err, "secrets: write key file in %s", dir)
	}
	if err := f.Chmod(0o600); err != nil {
		return fail(err)
	}
	var b strings.Builder
	b.WriteString("# pave sealing keys: the first seals, all open. Keep this file secret.\n")
	for _, k := range keys {
		b.WriteString(k.Encode())
		b.WriteByte('\n')
	}
	if _, err := f.WriteString(b.String()); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(name)
		return "", errs.Wrap(errs.Internal, err, "secrets: write key file in %s", dir)
	}
	return name, nil
}

func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "secrets: sync %s", dir)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return errs.Wrap(errs.Internal, err, "secrets: sync %s", dir)
	}
	return nil
}
