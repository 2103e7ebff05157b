package gitops

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"strings"
	"testing"

	"filippo.io/age"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

func TestParseConfig(t *testing.T) {
	identity, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	const secret = "Sup3r-Secret-Value-9911"
	cases := []struct {
		name string
		cfg  target.Config
		// path is the JSON pointer of the expected error; "" means valid.
		path string
		// want is a substring of the error, or checks a valid config.
		want  string
		check func(t *testing.T, s *settings)
	}{
		{name: "local path and defaults", cfg: target.Config{"repository": "/srv/deploy.git"}, check: func(t *testing.T, s *settings) {
			if s.protocol != "file" || s.url != "/srv/deploy.git" || s.branch != "main" || s.dir != "shop/staging" ||
				s.authorName != DefaultAuthorName || s.authorEmail != DefaultAuthorEmail {
				t.Errorf("settings = %+v", s)
			}
		}},
		{name: "relative path made absolute", cfg: target.Config{"repository": "deploy.git"}, check: func(t *testing.T, s *settings) {
			if !strings.HasPrefix(s.url, "/") || !strings.HasSuffix(s.url, "/deploy.git") {
				t.Errorf("url = %q", s.url)
			}
		}},
		{name: "file URL", cfg: target.Config{"repository": "file:///srv/deploy.git", "branch": "env/prod", "path": "clusters//prod/shop/"}, check: func(t *testing.T, s *settings) {
			if s.protocol != "file" || s.url != "/srv/deploy.git" || s.branch != "env/prod" || s.dir != "clusters/prod/shop" {
				t.Errorf("settings = %+v", s)
			}
		}},
		{name: "https token", cfg: target.Config{"repository": "https://git.example.com/org/deploy.git", "token": secret}, check: func(t *testing.T, s *settings) {
			a, err := s.auth()
			if err != nil {
				t.Fatal(err)
			}
			b, ok := a.(*githttp.BasicAuth)
			if !ok || b.Username != DefaultTokenUser || b.Password != secret {
				t.Errorf("auth = %T", a)
			}
			if strings.Contains(a.String(), secret) {
				t.Error("auth's String shows the token")
			}
		}},
		{name: "http to loopback with password", cfg: target.Config{"repository": "http://127.0.0.1:8080/deploy.git", "username": "u", "password": secret}},
		{name: "scp-like ssh", cfg: target.Config{"repository": "deploy@git.example.com:org/deploy.git"}, check: func(t *testing.T, s *settings) {
			if s.protocol != "ssh" || s.sshUser != "deploy" || s.host != "git.example.com" || s.sshHostPort() != "git.example.com:22" {
				t.Errorf("settings = %+v", s)
			}
		}},
		{name: "ssh URL gets user git", cfg: target.Config{"repository": "ssh://git.example.com:2222/org/deploy.git"}, check: func(t *testing.T, s *settings) {
			if s.url != "ssh://git@git.example.com:2222/org/deploy.git" || s.sshHostPort() != "git.example.com:2222" {
				t.Errorf("url = %q, host port %q", s.url, s.sshHostPort())
			}
		}},
		{name: "age recipients", cfg: target.Config{"repository": "/r", "ageRecipients": []any{identity.Recipient().String(), identity.Recipient().String()}}, check: func(t *testing.T, s *settings) {
			if len(s.recipients) != 1 || len(s.recipientKeys) != 1 {
				t.Errorf("recipients = %v", s.recipientKeys)
			}
		}},

		{name: "namespace", cfg: target.Config{"repository": "/r", "namespace": "shared-apps"}, check: func(t *testing.T, s *settings) {
			if s.namespace != "shared-apps" {
				t.Errorf("namespace = %q", s.namespace)
			}
		}},
		{name: "bad namespace", cfg: target.Config{"repository": "/r", "namespace": "Shop_Staging"}, path: "/namespace", want: "DNS label"},
		{name: "unknown key", cfg: target.Config{"repository": "/r", "kubeconfig": "x"}, path: "/kubeconfig", want: "unknown key"},
		{name: "no repository", cfg: target.Config{}, path: "/repository", want: "required"},
		{name: "repository not a string", cfg: target.Config{"repository": int64(3)}, path: "/repository", want: "must be a string"},
		{name: "credentials in URL", cfg: target.Config{"repository": "https://u:" + secret + "@git.example.com/r.git"}, path: "/repository", want: "must not hold credentials"},
		{name: "git protocol", cfg: target.Config{"repository": "git://git.example.com/r.git"}, path: "/repository", want: "not supported"},
		{name: "relative file URL", cfg: target.Config{"repository": "file://relative/r.git"}, path: "/repository", want: "local path"},
		{name: "password over plain http", cfg: target.Config{"repository": "http://git.example.com/r.git", "username": "u", "password": secret}, path: "/repository", want: "https"},
		{name: "password and token", cfg: target.Config{"repository": "https://h/r.git", "username": "u", "password": secret, "token": secret}, path: "/token", want: "not both"},
		{name: "password without username", cfg: target.Config{"repository": "https://h/r.git", "password": secret}, path: "/username", want: "required with password"},
		{name: "username alone", cfg: target.Config{"repository": "https://h/r.git", "username": "u"}, path: "/username", want: "needs a password"},
		{name: "token for a path", cfg: target.Config{"repository": "/r", "token": secret}, path: "/token", want: "http(s)"},
		{name: "sshKey for https", cfg: target.Config{"repository": "https://h/r.git", "sshKey": secret}, path: "/sshKey", want: "ssh repositories"},
		{name: "bad sshKey", cfg: target.Config{"repository": "git@h:r.git", "sshKey": "-----BEGIN OPENSSH PRIVATE KEY-----\n" + secret + "\n-----END OPENSSH PRIVATE KEY-----\n"}, path: "/sshKey", want: "not a private key"},
		{name: "path leaves the repository", cfg: target.Config{"repository": "/r", "path": "a/../../b"}, path: "/path", want: "must not leave"},
		{name: "absolute path", cfg: target.Config{"repository": "/r", "path": "/etc"}, path: "/path", want: "relative"},
		{name: "root path", cfg: target.Config{"repository": "/r", "path": "./"}, path: "/path", want: "below the repository root"},
		{name: "path in .git", cfg: target.Config{"repository": "/r", "path": "x/.GIT/hooks"}, path: "/path", want: ".git"},
		{name: "bad branch", cfg: target.Config{"repository": "/r", "branch": "a..b"}, path: "/branch", want: "not a valid branch"},
		{name: "full ref as branch", cfg: target.Config{"repository": "/r", "branch": "refs/heads/main"}, path: "/branch", want: "without refs/heads/"},
		{name: "author email", cfg: target.Config{"repository": "/r", "authorEmail": "a<b>"}, path: "/authorEmail", want: "'<'"},
		{name: "recipients not a list", cfg: target.Config{"repository": "/r", "ageRecipients": "age1x"}, path: "/ageRecipients", want: "list"},
		{name: "private key as recipient", cfg: target.Config{"repository": "/r", "ageRecipients": []any{identity.String()}}, path: "/ageRecipients", want: "private key"},
		{name: "garbage recipient", cfg: target.Config{"repository": "/r", "ageRecipients": []any{"age1" + secret}}, path: "/ageRecipients", want: "not a valid age public key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := parseConfig(tc.cfg, "shop", "staging")
			if tc.path == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if tc.check != nil {
					tc.check(t, s)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !errs.Is(err, errs.Invalid) {
				t.Errorf("code = %s, want invalid", errs.CodeOf(err))
			}
			var list errs.List
			if !asList(err, &list) || list[0].Path != tc.path {
				t.Errorf("error %v is not at %s", err, tc.path)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "AGE-SECRET-KEY") {
				t.Errorf("error repeats a secret: %v", err)
			}
		})
	}
}

func asList(err error, l *errs.List) bool {
	if x, ok := err.(errs.List); ok {
		*l = x
		return len(x) > 0
	}
	return false
}

// TestSSHAuth checks that an OpenSSH key and known hosts give public key
// authentication with a host key check.
func TestSSHAuth(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	hostPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sshHostPub, err := ssh.NewPublicKey(hostPub)
	if err != nil {
		t.Fatal(err)
	}
	known := "[git.example.com]:2222 " + string(ssh.MarshalAuthorizedKey(sshHostPub))
	s, err := parseConfig(target.Config{
		"repository": "ssh://deploy@git.example.com:2222/org/r.git",
		"sshKey":     string(pem.EncodeToMemory(block)),
		"knownHosts": known,
	}, "shop", "staging")
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.auth()
	if err != nil {
		t.Fatal(err)
	}
	pk, ok := a.(*gitssh.PublicKeys)
	if !ok || pk.User != "deploy" || pk.HostKeyCallback == nil {
		t.Fatalf("auth = %#v", a)
	}
	if err := pk.HostKeyCallback("git.example.com:2222", fakeAddr{}, sshHostPub); err != nil {
		t.Errorf("the known host key is refused: %v", err)
	}
	otherPub, _, _ := ed25519.GenerateKey(rand.Reader)
	other, _ := ssh.NewPublicKey(otherPub)
	if err := pk.HostKeyCallback("git.example.com:2222", fakeAddr{}, other); err == nil {
		t.Error("an unknown host key is accepted")
	}

	enc, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte("passphrase"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = parseConfig(target.Config{"repository": "git@h:r.git", "sshKey": string(pem.EncodeToMemory(enc))}, "shop", "staging")
	if err == nil || !strings.Contains(err.Error(), "passphrase") {
		t.Errorf("an encrypted key: err = %v", err)
	}

	s.knownHosts = "this is not known_hosts"
	if _, err := s.auth(); !errs.Is(err, errs.Invalid) {
		t.Errorf("bad knownHosts: err = %v", err)
	}
}

type fakeAddr struct{}

func (fakeAddr) Network() string { return "tcp" }
func (fakeAddr) String() string  { return "192.0.2.1:2222" }
