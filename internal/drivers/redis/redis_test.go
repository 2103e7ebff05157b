package redis

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/driver/drivertest"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/testenv"
)

func request(uid string) *driver.Request {
	return &driver.Request{Type: "redis", Class: "default", Inputs: map[string]any{"addr": testenv.RedisAddr, "db": int64(2)}}
}

func admin(t *testing.T) *goredis.Client {
	t.Helper()
	c := goredis.NewClient(&goredis.Options{Addr: testenv.RedisAddr, DB: 2})
	t.Cleanup(func() { c.Close() })
	return c
}

// verify connects with the outputs and checks the user reaches its own
// keys and channels and nothing else.
func verify(t *testing.T, outputs map[string]any) {
	t.Helper()
	ctx := context.Background()
	db, _ := outputs["db"].(float64)
	c := goredis.NewClient(&goredis.Options{
		Addr:     fmt.Sprintf("%s:%v", outputs["host"], outputs["port"]),
		Username: outputs["username"].(string), Password: outputs["password"].(string), DB: int(db),
		MaxRetries: -1,
	})
	defer c.Close()
	prefix := outputs["prefix"].(string)
	if err := c.Set(ctx, prefix+"k", "v", 0).Err(); err != nil {
		t.Fatalf("the user cannot write under its prefix: %v", err)
	}
	if err := c.Publish(ctx, prefix+"events", "hi").Err(); err != nil {
		t.Errorf("the user cannot publish under its prefix: %v", err)
	}
	denied := map[string]func() error{
		"GET another key":   func() error { return c.Get(ctx, "pavetest_other:k").Err() },
		"PUBLISH elsewhere": func() error { return c.Publish(ctx, "pavetest_other", "x").Err() },
		"FLUSHALL":          func() error { return c.FlushAll(ctx).Err() },
		"KEYS":              func() error { return c.Keys(ctx, "*").Err() },
		"SCAN":              func() error { return c.Scan(ctx, 0, "*", 10).Err() },
		"CONFIG GET":        func() error { return c.ConfigGet(ctx, "*").Err() },
		"ACL LIST":          func() error { return c.Do(ctx, "ACL", "LIST").Err() },
		"FUNCTION FLUSH":    func() error { return c.FunctionFlush(ctx).Err() },
		"PUBSUB CHANNELS":   func() error { return c.PubSubChannels(ctx, "*").Err() },
		"EVAL on another key": func() error {
			return c.Eval(ctx, "return redis.call('GET', KEYS[1])", []string{"pavetest_other:k"}).Err()
		},
	}
	for what, call := range denied {
		if err := call(); err == nil || !strings.Contains(err.Error(), "NOPERM") {
			t.Errorf("%s: got %v, want NOPERM", what, err)
		}
	}
}

func namesOf(t *testing.T, req *driver.Request) (username, prefix string) {
	t.Helper()
	var st state
	if len(req.State) > 0 {
		if err := json.Unmarshal(req.State, &st); err != nil {
			t.Fatal(err)
		}
	}
	return resolve(req, st)
}

func TestConformance(t *testing.T) {
	testenv.RequireRedis(t)
	a := admin(t)
	drivertest.Run(t, New(), drivertest.Case{
		Request: request,
		Update:  func(req *driver.Request) { req.Inputs["db"] = int64(3) },
		VerifyUpdate: func(t *testing.T, _ *driver.Request, outputs map[string]any) {
			if outputs["db"] != float64(3) {
				t.Errorf("db = %v after the update, want 3", outputs["db"])
			}
		},
		Outputs: []drivertest.Output{
			{Name: "host", Kind: drivertest.String},
			{Name: "port", Kind: drivertest.Number},
			{Name: "db", Kind: drivertest.Number},
			{Name: "prefix", Kind: drivertest.String},
			{Name: "username", Kind: drivertest.String, Secret: true},
			{Name: "password", Kind: drivertest.String, Secret: true},
		},
		Verify: verify,
		VerifyGone: func(t *testing.T, req *driver.Request) {
			user, prefix := namesOf(t, req)
			users, err := a.Do(context.Background(), "ACL", "USERS").StringSlice()
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range users {
				if u == user {
					t.Errorf("ACL user %s is left", user)
				}
			}
			for _, db := range []int{2, 3} {
				c := goredis.NewClient(&goredis.Options{Addr: testenv.RedisAddr, DB: db})
				keys, _, err := c.Scan(context.Background(), 0, prefix+"*", 10000).Result()
				c.Close()
				if err != nil {
					t.Fatal(err)
				}
				if len(keys) > 0 {
					t.Errorf("keys %v are left in database %d", keys, db)
				}
			}
		},
	})
}

func TestUnchangedUserIsNotRewritten(t *testing.T) {
	testenv.RequireRedis(t)
	ctx := context.Background()
	d := New()
	req := request("")
	req.UID = drivertest.UID(t, "keep")
	t.Cleanup(func() { d.Deprovision(context.Background(), &driver.Request{UID: req.UID, Inputs: req.Inputs}) })
	res, err := d.Provision(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	// A client of the user stays connected across an unchanged provision.
	c := goredis.NewClient(&goredis.Options{Addr: testenv.RedisAddr, Username: res.Outputs["username"].(string),
		Password: res.Outputs["password"].(string), DB: 2, PoolSize: 1, MaxRetries: -1})
	defer c.Close()
	id1, err := c.ClientID(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	again := *req
	again.State = res.State
	if _, err := d.Provision(ctx, &again); err != nil {
		t.Fatal(err)
	}
	id2, err := c.ClientID(ctx).Result()
	if err != nil || id1 != id2 {
		t.Errorf("the user's connection changed (%d, %d, %v)", id1, id2, err)
	}
	// Changed behind pave's back: put right.
	a := admin(t)
	if err := a.Do(ctx, "ACL", "SETUSER", res.Outputs["username"], "~*").Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Provision(ctx, &again); err != nil {
		t.Fatal(err)
	}
	if err := c.Get(ctx, "pavetest_other:k").Err(); err == nil || !strings.Contains(err.Error(), "NOPERM") {
		t.Errorf("a widened user was not put right: %v", err)
	}
}

func TestInputs(t *testing.T) {
	tests := []struct {
		inputs     map[string]any
		validating bool
		want       string
	}{
		{map[string]any{}, false, "/inputs/addr: required"},
		{map[string]any{"addr": "localhost"}, false, "/inputs/addr: must be host:port"},
		{map[string]any{"addr": ":6379"}, false, "/inputs/addr: must be host:port"},
		{map[string]any{"addr": "h:0"}, false, "/inputs/addr: must be host:port"},
		{map[string]any{"addr": "h:1", "db": int64(-1)}, false, "/inputs/db: must be between"},
		{map[string]any{"addr": "h:1", "adminUsername": "a b"}, false, "/inputs/adminUsername: must not hold spaces"},
		{map[string]any{"addr": "${resources.cache.addr}", "db": "${x}"}, true, ""},
		{map[string]any{"addr": "[::1]:6379", "db": "4"}, false, ""},
	}
	for _, tt := range tests {
		_, err := New().parse(tt.inputs, tt.validating)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%v: %v", tt.inputs, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) || !errs.Is(err, errs.Invalid) {
			t.Errorf("%v: got %v, want an invalid error containing %q", tt.inputs, err, tt.want)
		}
	}
}

func TestErrorsHideAdminPassword(t *testing.T) {
	testenv.RequireRedis(t)
	_, err := New().Provision(context.Background(), &driver.Request{UID: drivertest.UID(t, "x"), Inputs: map[string]any{
		"addr": testenv.RedisAddr, "adminUsername": "pavetest_nobody", "adminPassword": "hunter2hunter2",
	}})
	if err == nil {
		t.Fatal("provision as a user that does not exist succeeded")
	}
	for _, e := range errs.Errors(err) {
		if strings.Contains(e.LogString(), "hunter2hunter2") {
			t.Fatalf("the error shows the admin password: %s", e.LogString())
		}
	}
	t.Logf("error: %v", err)
}
