package configsource

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pavedev/pave/internal/errs"
)

// GitPrefix marks a --platform value that names a Git repository.
const GitPrefix = "git+"

// The environment variables the server reads a Git source's credentials
// from: the same credentials, by the same names, as the gitops target's
// config keys username, password, token and sshKey. They are never taken
// from the URL, so that they stay out of process lists and logs.
const (
	EnvUsername = "PAVE_PLATFORM_GIT_USERNAME"
	EnvPassword = "PAVE_PLATFORM_GIT_PASSWORD"
	EnvToken    = "PAVE_PLATFORM_GIT_TOKEN"
	EnvSSHKey   = "PAVE_PLATFORM_GIT_SSH_KEY"
)

// DefaultTokenUser is the basic-authentication user name sent with a
// token when no username is given, as the gitops target does.
const DefaultTokenUser = "x-access-token"

// Credentials authenticate to a Git source.
type Credentials struct {
	// Username with Password, or Token (sent as the password, with
	// Username or DefaultTokenUser), authenticate over HTTP(S).
	Username, Password, Token string
	// SSHKey is an unencrypted private key (PEM or OpenSSH) for ssh URLs;
	// without it, the SSH agent. Host keys are checked against
	// SSH_KNOWN_HOSTS, ~/.ssh/known_hosts or /etc/ssh/ssh_known_hosts.
	SSHKey string
}

// Parse returns the source a --platform value names:
//
//	DIR                      a directory
//	git+URL[#REF[:PATH]]     a Git repository: URL is https://, http://,
//	                         ssh://, user@host:path or file:///; REF a
//	                         branch or tag (default: the remote's HEAD);
//	                         PATH the config's directory in it (default:
//	                         its root)
//
// c is used by Git sources only.
func Parse(spec string, c Credentials) (Source, error) {
	if spec == "" {
		return nil, errs.New(errs.Invalid, "no platform config given")
	}
	if strings.HasPrefix(spec, GitPrefix) {
		return newGit(strings.TrimPrefix(spec, GitPrefix), c)
	}
	if strings.Contains(spec, "://") {
		return nil, errs.New(errs.Invalid, "platform config %q: a Git repository is given as git+URL[#REF[:PATH]], such as git+https://example.com/platform.git#main:config", redactURL(spec))
	}
	return &Dir{Path: spec}, nil
}

// gitSpec is a parsed git+ value.
type gitSpec struct {
	// url is what go-git connects to; display is the same without any
	// user name, for messages.
	url, display string
	protocol     string
	host         string
	sshUser      string
	// ref is the ref as given; empty means the remote's HEAD.
	ref string
	// dir is the config's directory in the repository, cleaned; empty is
	// the root.
	dir string
}

// parseGitSpec reads URL[#REF[:PATH]]. Errors never repeat the URL's user
// information, which may hold a credential by mistake.
func parseGitSpec(s string) (*gitSpec, error) {
	raw, frag, _ := strings.Cut(s, "#")
	ref, dir, _ := strings.Cut(frag, ":")
	g := &gitSpec{ref: ref}
	bad := func(format string, args ...any) error {
		return errs.New(errs.Invalid, "platform config git+%s: %s", redactURL(s), fmt.Sprintf(format, args...))
	}
	if strings.ContainsAny(s, "\x00\r\n") {
		return nil, errs.New(errs.Invalid, "platform config: the Git URL must be one line")
	}
	if err := g.setURL(raw); err != nil {
		return nil, bad("%s", err.Error())
	}
	if ref != "" {
		if err := checkRef(ref); err != nil {
			return nil, bad("%s", err.Error())
		}
	}
	clean, err := cleanDir(dir)
	if err != nil {
		return nil, bad("%s", err.Error())
	}
	g.dir = clean
	return g, nil
}

func (g *gitSpec) setURL(raw string) error {
	if raw == "" {
		return fmt.Errorf("no repository URL")
	}
	if !strings.Contains(raw, "://") {
		user, rest, found := strings.Cut(raw, "@")
		if !found {
			user, rest = "", raw
		}
		host, p, ok := strings.Cut(rest, ":")
		if !ok || host == "" || p == "" || strings.Contains(host, "/") {
			return fmt.Errorf("the repository must be an https://, http://, ssh:// or file:/// URL, or user@host:path")
		}
		if user == "" {
			user = "git"
			raw = user + "@" + raw
		}
		g.protocol, g.url, g.display, g.host, g.sshUser = "ssh", raw, raw, host, user
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("the repository is not a valid URL")
	}
	g.protocol = strings.ToLower(u.Scheme)
	switch g.protocol {
	case "https", "http":
		if u.User != nil {
			return fmt.Errorf("the URL must not hold credentials: set %s and %s, or %s", EnvUsername, EnvPassword, EnvToken)
		}
		if u.Host == "" {
			return fmt.Errorf("an %s URL needs a host", g.protocol)
		}
		g.url, g.display, g.host = u.String(), u.String(), u.Hostname()
	case "ssh":
		if _, ok := u.User.Password(); ok {
			return fmt.Errorf("the URL must not hold a password: set %s", EnvSSHKey)
		}
		if u.Host == "" {
			return fmt.Errorf("an ssh URL needs a host")
		}
		g.sshUser = u.User.Username()
		if g.sshUser == "" {
			g.sshUser = "git"
			u.User = url.User(g.sshUser)
		}
		g.url, g.display, g.host = u.String(), u.String(), u.Hostname()
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return fmt.Errorf("a file:// URL names a local path (file:///srv/platform.git)")
		}
		if !strings.HasPrefix(u.Path, "/") {
			return fmt.Errorf("a file:// URL needs an absolute path")
		}
		g.url, g.display = "file://"+u.Path, "file://"+u.Path
	default:
		return fmt.Errorf("scheme %q is not supported; use https://, http://, ssh://, file:/// or user@host:path", u.Scheme)
	}
	return nil
}

// checkRef accepts a branch or tag name, or a full ref name (refs/...).
func checkRef(ref string) error {
	full := ref
	if !strings.HasPrefix(ref, "refs/") {
		if strings.HasPrefix(ref, "-") {
			return fmt.Errorf("%q is not a branch or tag name", ref)
		}
		full = "refs/heads/" + ref
	}
	if err := plumbing.ReferenceName(full).Validate(); err != nil {
		return fmt.Errorf("%q is not a valid branch or tag name", ref)
	}
	return nil
}

// cleanDir checks the config's directory in the repository and returns it
// slash-separated, without leading or trailing slashes; "" is the root.
func cleanDir(dir string) (string, error) {
	if strings.HasPrefix(dir, "/") || strings.Contains(dir, `\`) {
		return "", fmt.Errorf("path %q must be relative to the repository root, with '/' between directories", dir)
	}
	var parts []string
	for _, p := range strings.Split(dir, "/") {
		switch {
		case p == "" || p == ".":
			continue
		case p == "..":
			return "", fmt.Errorf("path %q must not leave the repository", dir)
		case strings.HasPrefix(p, "."):
			return "", fmt.Errorf("path %q names a hidden directory, which the loaders skip", dir)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "/"), nil
}

// credentials checks which credentials go with which protocol.
func (g *gitSpec) checkCredentials(c Credentials) error {
	var l errs.List
	bad := func(format string, args ...any) {
		l = append(l, errs.New(errs.Invalid, "platform config %s: %s", g.display, fmt.Sprintf(format, args...)))
	}
	http := g.protocol == "http" || g.protocol == "https"
	if !http && (c.Username != "" || c.Password != "" || c.Token != "") {
		bad("%s, %s and %s are for http(s) repositories; this one is %s", EnvUsername, EnvPassword, EnvToken, g.protocol)
	}
	if g.protocol != "ssh" && c.SSHKey != "" {
		bad("%s is for ssh repositories; this one is %s", EnvSSHKey, g.protocol)
	}
	if http {
		switch {
		case c.Password != "" && c.Token != "":
			bad("set either %s or %s, not both", EnvPassword, EnvToken)
		case c.Password != "" && c.Username == "":
			bad("%s needs %s", EnvPassword, EnvUsername)
		case c.Username != "" && c.Password == "" && c.Token == "":
			bad("%s needs %s or %s", EnvUsername, EnvPassword, EnvToken)
		}
		if (c.Password != "" || c.Token != "") && g.protocol == "http" && !isLoopback(g.host) {
			bad("credentials are only sent over https:// (or http:// to this machine)")
		}
	}
	return l.Err()
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// redactURL drops the user information of a URL, which may hold a
// credential, for messages.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		u.User = nil
		return u.String()
	}
	if scheme, rest, ok := strings.Cut(s, "://"); ok {
		if at := strings.LastIndex(rest, "@"); at >= 0 && !strings.Contains(rest[:at], "/") {
			return scheme + "://" + rest[at+1:]
		}
	}
	return s
}
