package gitops

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"filippo.io/age"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pavedev/pave/internal/target"
)

// Defaults of the target config keys.
const (
	DefaultBranch      = "main"
	DefaultAuthorName  = "pave"
	DefaultAuthorEmail = "pave@localhost"
	// DefaultTokenUser is the basic-authentication user name sent with a
	// token when no username is configured.
	DefaultTokenUser = "x-access-token"
	// defaultSSHUser is the SSH user when the URL names none.
	defaultSSHUser = "git"
)

var configInputs = []target.Input{
	{Name: "repository", Type: "string", Required: true, Description: "the Git repository: a local path, a file:// URL, an http(s):// URL or an ssh:// or scp-style (git@host:org/repo.git) URL; no credentials in it"},
	{Name: "branch", Type: "string", Description: "the branch to commit to; created on the first deploy when missing; default main"},
	{Name: "path", Type: "string", Description: "the directory of the repository that this app environment owns, replaced on every deploy; default <app>/<env>"},
	{Name: "namespace", Type: "string", Description: "namespace of the objects (a DNS label); default <app>-<env>. When set, no Namespace object is committed: a namespace the platform config names is the platform's to create, and may be shared by several apps"},
	{Name: "username", Type: "string", Description: "HTTP(S) basic-authentication user, with password or token (default with a token: x-access-token)"},
	{Name: "password", Type: "secret", Description: "HTTP(S) basic-authentication password; from a platform secret"},
	{Name: "token", Type: "secret", Description: "HTTP(S) access token, sent as the basic-authentication password; from a platform secret"},
	{Name: "sshKey", Type: "secret", Description: "SSH private key (PEM or OpenSSH, unencrypted) for ssh repositories; from a platform secret; default: the SSH agent"},
	{Name: "knownHosts", Type: "string", Description: "known_hosts lines the SSH server's key is checked against; default: SSH_KNOWN_HOSTS, ~/.ssh/known_hosts, /etc/ssh/ssh_known_hosts"},
	{Name: "authorName", Type: "string", Description: "author and committer name of pave's commits; default pave"},
	{Name: "authorEmail", Type: "string", Description: "author and committer email of pave's commits; default pave@localhost"},
	{Name: "ageRecipients", Type: "list", Description: "age public keys (age1…) Secrets are encrypted to as <path>/secrets/<name>.yaml.age; without them Secrets are not committed and SECRETS.md lists what the cluster must provide"},
}

// settings is the target config, checked.
type settings struct {
	// url is what go-git connects to; display is the same without
	// credentials, for messages.
	url, display string
	protocol     string
	host         string
	sshUser      string

	branch string
	// dir is the directory the target owns, slash-separated, cleaned.
	dir string
	// namespace is the configured namespace; empty means "<app>-<env>".
	namespace string

	username, password, token, sshKey string
	knownHosts                        string

	authorName, authorEmail string

	recipients []age.Recipient
	// recipientKeys are the recipients as configured, sorted: part of each
	// Secret's fingerprint, so that a change of recipients re-encrypts.
	recipientKeys []string
}

// secretValues returns the credentials, for redacting transport errors.
func (s *settings) secretValues() []string {
	var out []string
	for _, v := range []string{s.password, s.token, s.sshKey} {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// parseConfig checks cfg for the deployment of app to env. Every problem is
// an errs.Invalid error with the key as path; no message repeats the value
// of a credential.
func parseConfig(cfg target.Config, app, env string) (*settings, error) {
	s := &settings{branch: DefaultBranch, authorName: DefaultAuthorName, authorEmail: DefaultAuthorEmail}
	r := target.NewConfigReader("gitops", configInputs)
	bad := r.Fail
	var repository, dir string
	r.Read(cfg, func(k string, v any) error {
		if k == "ageRecipients" {
			var err error
			s.recipients, s.recipientKeys, err = parseRecipients(v)
			return err
		}
		str, err := target.ConfigString(v)
		if err != nil {
			return err
		}
		switch k {
		case "repository":
			repository = str
		case "branch":
			s.branch = str
		case "path":
			dir = str
		case "namespace":
			s.namespace = str
			if !isDNSLabel(str) {
				return fmt.Errorf("%q is not a DNS label (lower-case letters, digits and '-', at most 63)", str)
			}
		case "username":
			s.username = str
		case "password":
			s.password = str
		case "token":
			s.token = str
		case "sshKey":
			s.sshKey = str
		case "knownHosts":
			s.knownHosts = str
		case "authorName":
			s.authorName = str
		case "authorEmail":
			s.authorEmail = str
		}
		return nil
	})
	if repository == "" {
		bad("repository", "is required: the Git repository to commit to")
	} else if err := s.setRepository(repository); err != nil {
		bad("repository", "%s", err.Error())
	}
	if err := checkBranch(s.branch); err != nil {
		bad("branch", "%s", err.Error())
	}
	if dir == "" {
		dir = app + "/" + env
	}
	if clean, err := cleanDir(dir); err != nil {
		bad("path", "%s", err.Error())
	} else {
		s.dir = clean
	}
	if err := checkIdent(s.authorName); err != nil {
		bad("authorName", "%s", err.Error())
	}
	if err := checkIdent(s.authorEmail); err != nil {
		bad("authorEmail", "%s", err.Error())
	}
	if err := s.checkCredentials(bad); err != nil {
		return nil, err
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

// setRepository classifies repository and sets url, display, protocol
// and host. Errors name the problem, never the value, which may hold a
// credential by mistake.
func (s *settings) setRepository(repository string) error {
	if strings.ContainsAny(repository, "\x00\r\n") {
		return fmt.Errorf("must be one line")
	}
	switch {
	case strings.Contains(repository, "://"):
		u, err := url.Parse(repository)
		if err != nil {
			return fmt.Errorf("is not a valid URL")
		}
		s.protocol = strings.ToLower(u.Scheme)
		switch s.protocol {
		case "file":
			if u.Host != "" && u.Host != "localhost" {
				return fmt.Errorf("a file:// URL names a local path (file:///srv/repo.git)")
			}
			if !filepath.IsAbs(u.Path) {
				return fmt.Errorf("a file:// URL needs an absolute path")
			}
			s.url, s.display = u.Path, u.Path
			return nil
		case "http", "https":
			if u.User != nil {
				return fmt.Errorf("must not hold credentials: set username and password, or token, from platform secrets")
			}
			if u.Host == "" {
				return fmt.Errorf("an %s URL needs a host", s.protocol)
			}
			s.url = u.String()
			s.host = u.Hostname()
			s.display = (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
			return nil
		case "ssh":
			if _, hasPassword := u.User.Password(); hasPassword {
				return fmt.Errorf("must not hold a password: set sshKey from a platform secret")
			}
			if u.Host == "" {
				return fmt.Errorf("an ssh URL needs a host")
			}
			s.url, s.display, s.host = u.String(), u.String(), u.Hostname()
			s.sshUser = u.User.Username()
		default:
			return fmt.Errorf("scheme %q is not supported; use a path, file://, http://, https://, ssh:// or user@host:path", u.Scheme)
		}
	case isSCPLike(repository):
		user, rest, found := strings.Cut(repository, "@")
		if !found {
			user, rest = "", repository
		}
		host, _, _ := strings.Cut(rest, ":")
		s.protocol, s.url, s.display, s.host, s.sshUser = "ssh", repository, repository, host, user
	default:
		abs, err := filepath.Abs(repository)
		if err != nil {
			return fmt.Errorf("local path: %s", err.Error())
		}
		s.protocol, s.url, s.display = "file", abs, abs
		return nil
	}
	if s.sshUser == "" {
		s.sshUser = defaultSSHUser
		if strings.Contains(s.url, "://") {
			if u, err := url.Parse(s.url); err == nil {
				u.User = url.User(defaultSSHUser)
				s.url = u.String()
			}
		}
	}
	return nil
}

// isSCPLike reports whether s is a [user@]host:path address, as git reads
// it: a colon before any slash, and not a Windows drive letter.
func isSCPLike(s string) bool {
	colon := strings.IndexByte(s, ':')
	if colon <= 0 || strings.HasPrefix(s, "/") || strings.HasPrefix(s, ".") || strings.Contains(s, "://") {
		return false
	}
	if slash := strings.IndexByte(s, '/'); slash >= 0 && slash < colon {
		return false
	}
	if colon == 1 {
		return false // C:\repo
	}
	return colon < len(s)-1
}

// checkCredentials checks which credentials go with which protocol.
func (s *settings) checkCredentials(bad func(key, format string, args ...any)) error {
	if s.protocol == "" {
		return nil // the repository error says enough
	}
	http := s.protocol == "http" || s.protocol == "https"
	if !http {
		for _, k := range []struct{ key, val string }{{"username", s.username}, {"password", s.password}, {"token", s.token}} {
			if k.val != "" {
				bad(k.key, "is for http(s) repositories; this one is %s", s.protocol)
			}
		}
	}
	if s.protocol != "ssh" {
		if s.sshKey != "" {
			bad("sshKey", "is for ssh repositories; this one is %s", s.protocol)
		}
		if s.knownHosts != "" {
			bad("knownHosts", "is for ssh repositories; this one is %s", s.protocol)
		}
	}
	if http {
		if s.password != "" && s.token != "" {
			bad("token", "set either password or token, not both")
		}
		if s.password != "" && s.username == "" {
			bad("username", "is required with password")
		}
		if s.username != "" && s.password == "" && s.token == "" {
			bad("username", "needs a password or a token")
		}
		if (s.password != "" || s.token != "") && s.protocol == "http" && !isLoopback(s.host) {
			bad("repository", "credentials are only sent over https:// (or http:// to this machine)")
		}
	}
	if s.sshKey != "" {
		if _, err := s.sshAuth(); err != nil {
			bad("sshKey", "%s", err.Error())
		}
	}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// checkBranch accepts what git accepts as a branch name.
func checkBranch(b string) error {
	if b == "" {
		return fmt.Errorf("must not be empty")
	}
	if strings.HasPrefix(b, "-") || strings.HasPrefix(b, "refs/") {
		return fmt.Errorf("%q is not a branch name (give it without refs/heads/)", b)
	}
	if err := plumbing.NewBranchReferenceName(b).Validate(); err != nil {
		return fmt.Errorf("%q is not a valid branch name", b)
	}
	return nil
}

// cleanDir checks a repository directory and returns it cleaned,
// slash-separated, without leading or trailing slashes.
func cleanDir(dir string) (string, error) {
	if strings.HasPrefix(dir, "/") {
		return "", fmt.Errorf("%q must be relative to the repository root", dir)
	}
	if strings.Contains(dir, `\`) {
		return "", fmt.Errorf("%q: use '/' to separate directories", dir)
	}
	var parts []string
	for _, p := range strings.Split(dir, "/") {
		switch {
		case p == "" || p == ".":
			continue
		case p == "..":
			return "", fmt.Errorf("%q must not leave the repository", dir)
		case strings.EqualFold(p, ".git"):
			return "", fmt.Errorf("%q must not be in .git", dir)
		case strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			return "", fmt.Errorf("%q holds a control character", dir)
		case len(p) > 255:
			return "", fmt.Errorf("a directory name of %q is longer than 255 bytes", dir)
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("must name a directory below the repository root: the target replaces its whole content")
	}
	if len(parts) > 64 {
		return "", fmt.Errorf("is nested more than 64 directories deep")
	}
	return strings.Join(parts, "/"), nil
}

// checkIdent refuses what would break a commit's author line.
func checkIdent(s string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("must not be empty")
	}
	if strings.ContainsAny(s, "<>\x00\r\n") {
		return fmt.Errorf("must not hold '<', '>' or line breaks")
	}
	return nil
}

// parseRecipients reads ageRecipients: a list of age public keys.
func parseRecipients(v any) ([]age.Recipient, []string, error) {
	var items []string
	switch t := v.(type) {
	case []any:
		for i, x := range t {
			s, ok := x.(string)
			if !ok {
				return nil, nil, fmt.Errorf("item %d must be a string, not %s", i, target.TypeName(x))
			}
			items = append(items, s)
		}
	case []string:
		items = t
	default:
		return nil, nil, fmt.Errorf("must be a list of age public keys, not %s", target.TypeName(v))
	}
	var recips []age.Recipient
	var keys []string
	for i, s := range items {
		s = strings.TrimSpace(s)
		if strings.HasPrefix(strings.ToUpper(s), "AGE-SECRET-KEY-") {
			// Never repeat a private key, not even in an error.
			return nil, nil, fmt.Errorf("item %d is an age private key: give its public key (age1…), and keep the private key out of the platform config", i)
		}
		if !strings.HasPrefix(s, "age1") || strings.ContainsAny(s, " \t\r\n#") {
			return nil, nil, fmt.Errorf("item %d is not an age public key (age1…)", i)
		}
		rs, err := age.ParseRecipients(strings.NewReader(s))
		if err != nil || len(rs) != 1 {
			return nil, nil, fmt.Errorf("item %d is not a valid age public key", i)
		}
		if slices.Contains(keys, s) {
			continue
		}
		recips = append(recips, rs[0])
		keys = append(keys, s)
	}
	slices.Sort(keys)
	return recips, keys, nil
}

// isDNSLabel reports whether s is an RFC 1123 label, as Kubernetes wants a
// namespace name.
func isDNSLabel(s string) bool {
	if len(s) == 0 || len(s) > 63 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && (c != '-' || i == 0 || i == len(s)-1) {
			return false
		}
	}
	return true
}
