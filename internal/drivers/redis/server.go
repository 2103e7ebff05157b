package redis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/pavedev/pave/internal/drivers/credential"
	"github.com/pavedev/pave/internal/errs"
)

// session is one admin client and the secrets its errors must not show.
type session struct {
	c       *goredis.Client
	addr    string
	secrets []string
}

// connect makes an admin client; it connects on first use. Errors never
// show the admin password or the resource's username and password: the
// resource type may declare its username secret.
func connect(in *inputs, username, password string) *session {
	c := goredis.NewClient(&goredis.Options{
		Addr: in.addr, Username: in.adminUser, Password: in.adminPwd, DB: int(in.db),
		DialTimeout: 10 * time.Second, MaxRetries: 1, PoolSize: 1,
		ContextTimeoutEnabled: true, DisableIdentity: true,
	})
	return &session{c: c, addr: in.addr, secrets: []string{in.adminPwd, username, password}}
}

func (s *session) close() { s.c.Close() }

// fail turns err into pave's error with no secret in it.
func (s *session) fail(ctx context.Context, err error, format string, args ...any) error {
	what := fmt.Sprintf(format, args...)
	cause := credential.RedactError(err, s.secrets...)
	if ctx.Err() != nil {
		return errs.Wrap(errs.Transient, cause, "%s: %v", what, ctx.Err())
	}
	var reply goredis.Error
	if errors.As(err, &reply) {
		return errs.Wrap(errs.Internal, cause, "%s: redis at %s: %s", what, s.addr, cause.Error())
	}
	return errs.Wrap(errs.Transient, cause, "%s: redis at %s: %s", what, s.addr, cause.Error())
}

// aclLine is the server's ACL LIST line of user, or "".
func (s *session) aclLine(ctx context.Context, user string) (string, error) {
	lines, err := s.c.Do(ctx, "ACL", "LIST").StringSlice()
	if err != nil {
		return "", s.fail(ctx, err, "list the ACL users")
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "user "+user+" ") {
			return l, nil
		}
	}
	return "", nil
}

// ensureUser makes user exist with password and the rules for prefix, and
// returns the server's rendering of it. The last run's rendering in st
// saves the write when nothing changed.
func (s *session) ensureUser(ctx context.Context, user, password, prefix string, st state) (string, error) {
	rules := userRules(prefix)
	if st.Rules == strings.Join(rules, " ") && st.ACL != "" && st.Password == password {
		line, err := s.aclLine(ctx, user)
		if err != nil {
			return "", err
		}
		if line == st.ACL {
			return line, nil
		}
	}
	sum := sha256.Sum256([]byte(password))
	args := []any{"ACL", "SETUSER", user, "reset", "on", "#" + hex.EncodeToString(sum[:])}
	for _, r := range rules {
		args = append(args, r)
	}
	if err := s.c.Do(ctx, args...).Err(); err != nil {
		return "", s.fail(ctx, err, "set up the resource's ACL user")
	}
	if err := s.save(ctx); err != nil {
		return "", err
	}
	return s.aclLine(ctx, user)
}

// save writes the users to the server's aclfile, when it has one.
func (s *session) save(ctx context.Context) error {
	err := s.c.Do(ctx, "ACL", "SAVE").Err()
	if err != nil && !strings.Contains(err.Error(), "ACL file") {
		return s.fail(ctx, err, "save the ACL users")
	}
	return nil
}

func (s *session) deleteUser(ctx context.Context, user string) error {
	if err := s.c.Do(ctx, "ACL", "DELUSER", user).Err(); err != nil {
		return s.fail(ctx, err, "delete the resource's ACL user")
	}
	return s.save(ctx)
}

// deleteKeys unlinks every key under prefix, a batch at a time. The prefix
// holds no glob characters: it is a name this package made.
func (s *session) deleteKeys(ctx context.Context, db int64, prefix string) error {
	// A connection of its own: the pool's has another database selected.
	conn := s.c.Conn()
	defer conn.Close()
	if err := conn.Select(ctx, int(db)).Err(); err != nil {
		return s.fail(ctx, err, "select database %d", db)
	}
	var cursor uint64
	for {
		keys, next, err := conn.Scan(ctx, cursor, prefix+"*", 1000).Result()
		if err != nil {
			return s.fail(ctx, err, "list the keys under %q", prefix)
		}
		if len(keys) > 0 {
			if err := conn.Unlink(ctx, keys...).Err(); err != nil {
				return s.fail(ctx, err, "delete the keys under %q", prefix)
			}
		}
		if next == 0 {
			return nil
		}
		cursor = next
	}
}
