package gitops

import (
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/target"
)

// FuzzParseConfig feeds hostile config values to parseConfig: it must not
// panic, a directory it accepts must stay inside the repository, and no
// error may show the credential: an error text that holds the credential
// must hold it as well when a placeholder of the same length stands in.
func FuzzParseConfig(f *testing.F) {
	f.Add("https://git.example.com/org/r.git", "apps/shop", "main", "s3cret-token-value", "age1xyz")
	f.Add("git@github.com:org/r.git", "../x", "a..b", "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n", "AGE-SECRET-KEY-1ABC")
	f.Add("file:///srv/r.git", ".git/hooks", "refs/heads/x", "", "")
	f.Add("http://u:p@h/r", "/abs", "-x", "p", "age1")
	f.Add("ssh://h:22/r", "a/./b//c", "feature/x", "tok", "")
	f.Fuzz(func(t *testing.T, repository, path, branch, secret, recipient string) {
		for _, key := range []string{"password", "token", "sshKey"} {
			cfg := func(v string) target.Config {
				c := target.Config{"repository": repository, "path": path, "branch": branch, key: v, "ageRecipients": []any{recipient}}
				if key == "password" {
					c["username"] = "u"
				}
				return c
			}
			s, err := parseConfig(cfg(secret), "shop", "staging")
			if err == nil {
				if s.dir == "" || strings.HasPrefix(s.dir, "/") || strings.HasSuffix(s.dir, "/") {
					t.Fatalf("directory %q accepted", s.dir)
				}
				for _, p := range strings.Split(s.dir, "/") {
					if p == "" || p == "." || p == ".." || strings.EqualFold(p, ".git") {
						t.Fatalf("directory %q accepted", s.dir)
					}
				}
				continue
			}
			if len(secret) < 4 || !strings.Contains(err.Error(), secret) {
				continue
			}
			_, err2 := parseConfig(cfg(strings.Repeat("\x01", len(secret))), "shop", "staging")
			if err2 == nil || !strings.Contains(err2.Error(), secret) {
				t.Fatalf("the error shows the %s: %v", key, err)
			}
		}
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(recipient)), "AGE-SECRET-KEY-") && len(recipient) > 20 {
			_, err := parseConfig(target.Config{"repository": "/r", "ageRecipients": []any{recipient}}, "a", "b")
			if err == nil || strings.Contains(err.Error(), recipient) {
				t.Fatalf("a private key as recipient: %v", err)
			}
		}
	})
}
