package cli

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/pavedev/pave/internal/client"
	"github.com/pavedev/pave/internal/errs"
)

// credentials are a login to a pave server, saved by pave login.
type credentials struct {
	Server string `json:"server"`
	Token  string `json:"token"`
	// CA is the PEM of the CA the server's certificate is checked against,
	// when not the system's (pave login --ca-file).
	CA string `json:"ca,omitempty"`
}

// credentialsPath is where pave login saves the login: the user config
// directory (XDG_CONFIG_HOME, ~/.config...), pave/credentials.json.
func credentialsPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", errs.Wrap(errs.Invalid, err, "no user config directory: set HOME or XDG_CONFIG_HOME")
	}
	return filepath.Join(dir, "pave", "credentials.json"), nil
}

// loadCredentials returns the login to use: PAVE_SERVER with PAVE_TOKEN
// when set, else the saved one; nil when there is none.
func loadCredentials() (*credentials, error) {
	if s := os.Getenv("PAVE_SERVER"); s != "" {
		t := os.Getenv("PAVE_TOKEN")
		if t == "" {
			return nil, errs.New(errs.Unauthorized, "PAVE_SERVER is set but PAVE_TOKEN is not")
		}
		ca, err := readCAFile(os.Getenv("PAVE_CA_FILE"))
		if err != nil {
			return nil, err
		}
		return &credentials{Server: s, Token: t, CA: ca}, nil
	}
	path, err := credentialsPath()
	if err != nil {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "cannot read %s: %s", path, errText(err))
	}
	var c credentials
	if err := json.Unmarshal(b, &c); err != nil || c.Server == "" || c.Token == "" {
		return nil, errs.New(errs.Invalid, "%s is not a pave login: run pave login again, or pave logout", path)
	}
	return &c, nil
}

// save writes the login readable by its owner only.
func (c *credentials) save() (string, error) {
	path, err := credentialsPath()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", errs.Wrap(errs.Invalid, err, "cannot create %s: %s", filepath.Dir(path), errText(err))
	}
	b, _ := json.MarshalIndent(c, "", "  ")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return "", errs.Wrap(errs.Invalid, err, "cannot write %s: %s", tmp, errText(err))
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return "", errs.Wrap(errs.Invalid, err, "cannot write %s: %s", tmp, errText(err))
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", errs.Wrap(errs.Invalid, err, "cannot write %s: %s", path, errText(err))
	}
	return path, nil
}

func (c *credentials) client() (*client.Client, error) {
	var opts []client.Option
	if c.CA != "" {
		opts = append(opts, client.WithCA([]byte(c.CA)))
	}
	return client.New(c.Server, c.Token, opts...)
}

// maxCAFile bounds a CA bundle.
const maxCAFile = 1 << 20

// readCAFile reads a PEM CA bundle; "" for no file.
func readCAFile(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", errs.Wrap(errs.Invalid, err, "CA file %s: %s", path, errText(err))
	}
	if fi.Size() > maxCAFile {
		return "", errs.New(errs.Invalid, "CA file %s: larger than %d bytes", path, maxCAFile)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", errs.Wrap(errs.Invalid, err, "CA file %s: %s", path, errText(err))
	}
	if _, err := client.CertPool(b); err != nil {
		return "", errs.New(errs.Invalid, "CA file %s: no PEM certificate in it", path)
	}
	return string(b), nil
}
