package gitops

import (
	"errors"
	"net"
	"net/url"
	"os"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/secrets"
)

// maxSSHKey bounds sshKey (an RSA key of 16384 bits is about 12 KiB).
const maxSSHKey = 64 << 10

// auth returns how to authenticate to the repository; nil means none (or,
// over SSH without sshKey, go-git's default: the SSH agent).
func (s *settings) auth() (transport.AuthMethod, error) {
	switch s.protocol {
	case "http", "https":
		switch {
		case s.password != "":
			return &githttp.BasicAuth{Username: s.username, Password: s.password}, nil
		case s.token != "":
			user := s.username
			if user == "" {
				user = DefaultTokenUser
			}
			return &githttp.BasicAuth{Username: user, Password: s.token}, nil
		}
		return nil, nil
	case "ssh":
		if s.sshKey != "" {
			return s.sshAuth()
		}
		if s.knownHosts == "" {
			return nil, nil
		}
		a, err := gitssh.NewSSHAgentAuth(s.sshUser)
		if err != nil {
			return nil, errs.Wrap(errs.Invalid, err, "gitops target: no sshKey is set and the SSH agent is not usable")
		}
		if a.HostKeyCallback, a.HostKeyAlgorithms, err = s.hostKeyCheck(); err != nil {
			return nil, err
		}
		return a, nil
	}
	return nil, nil
}

// sshAuth parses sshKey. Its errors never quote the key. An encrypted key
// is refused without trying to open it: its key derivation rounds are
// chosen by whoever wrote it and may take hours.
func (s *settings) sshAuth() (*gitssh.PublicKeys, error) {
	if len(s.sshKey) > maxSSHKey {
		return nil, errs.New(errs.Invalid, "sshKey is longer than %d bytes", maxSSHKey)
	}
	signer, err := ssh.ParsePrivateKey([]byte(s.sshKey))
	if err != nil {
		var missing *ssh.PassphraseMissingError
		if errors.As(err, &missing) {
			return nil, errs.New(errs.Invalid, "sshKey is protected by a passphrase; give an unencrypted key (kept in a platform secret)")
		}
		return nil, errs.New(errs.Invalid, "sshKey is not a private key in PEM or OpenSSH format")
	}
	keys := &gitssh.PublicKeys{User: s.sshUser, Signer: signer}
	if s.knownHosts != "" {
		if keys.HostKeyCallback, keys.HostKeyAlgorithms, err = s.hostKeyCheck(); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// hostKeyCheck builds the host key check of knownHosts. The known_hosts
// reader takes files only, so the lines go through a private temporary
// file, removed at once; they are public keys, not secrets.
func (s *settings) hostKeyCheck() (ssh.HostKeyCallback, []string, error) {
	f, err := os.CreateTemp("", "pave-known-hosts-*")
	if err != nil {
		return nil, nil, errs.Wrap(errs.Internal, err, "gitops target: write known hosts")
	}
	defer os.Remove(f.Name())
	_, err = f.WriteString(s.knownHosts + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, nil, errs.Wrap(errs.Internal, err, "gitops target: write known hosts")
	}
	db, err := gitssh.NewKnownHostsDb(f.Name())
	if err != nil {
		return nil, nil, &errs.Error{Code: errs.Invalid, Path: "/knownHosts", Message: "gitops target config: knownHosts is not in known_hosts format", Cause: err}
	}
	return db.HostKeyCallback(), db.HostKeyAlgorithms(s.sshHostPort()), nil
}

// sshHostPort is the SSH server's address as known_hosts matches it.
func (s *settings) sshHostPort() string {
	port := "22"
	if u, err := url.Parse(s.url); err == nil && u.Scheme != "" && u.Port() != "" {
		port = u.Port()
	}
	return net.JoinHostPort(s.host, port)
}

// errText is err's message for a user, with every credential masked.
func (s *settings) errText(err error) string {
	return secrets.NewRedactor(s.secretValues()...).Redact(err.Error())
}
