package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/driver/drivertest"
	"github.com/pavedev/pave/internal/drivers/credential"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/testenv"
)

func adminConn(t testing.TB) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, testenv.PostgresURL)
	if err != nil {
		t.Fatalf("connect as admin: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func request(uid string) *driver.Request {
	return &driver.Request{Type: "postgres", Class: "default", Inputs: map[string]any{"adminUrl": testenv.PostgresURL}}
}

// namesOf says what req's resource is called on the server.
func namesOf(t *testing.T, req *driver.Request) (database, username string) {
	t.Helper()
	var st state
	if len(req.State) > 0 {
		if err := json.Unmarshal(req.State, &st); err != nil {
			t.Fatal(err)
		}
	}
	database, username = st.Database, st.Username
	if database == "" {
		database, _ = req.Inputs["databaseName"].(string)
	}
	if database == "" {
		database = Database(req.UID)
	}
	if username == "" {
		username = Username(req.UID)
	}
	return database, username
}

func exists(t *testing.T, conn *pgx.Conn, query, name string) bool {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), query, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

const (
	databaseExists = "SELECT count(*) FROM pg_database WHERE datname = $1"
	roleExists     = "SELECT count(*) FROM pg_roles WHERE rolname = $1"
)

// verify connects with the outputs and uses the database as its owner.
func verify(t *testing.T, outputs map[string]any) {
	t.Helper()
	u := url.URL{
		Scheme: "postgres",
		User:   url.UserPassword(outputs["username"].(string), outputs["password"].(string)),
		Host:   fmt.Sprintf("%s:%v", outputs["host"], outputs["port"]),
		Path:   "/" + outputs["database"].(string),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u.String()+"?sslmode=disable")
	if err != nil {
		t.Fatalf("connect with the outputs: %v", credential.RedactError(err, outputs["password"].(string)))
	}
	defer conn.Close(context.Background())
	var user, db string
	if err := conn.QueryRow(ctx, "SELECT current_user, current_database()").Scan(&user, &db); err != nil {
		t.Fatal(err)
	}
	if user != outputs["username"] || db != outputs["database"] || outputs["name"] != db {
		t.Errorf("connected as %s to %s; outputs say %v to %v (name %v)", user, db, outputs["username"], outputs["database"], outputs["name"])
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE IF NOT EXISTS pavetest_t (x int); INSERT INTO pavetest_t VALUES (1)"); err != nil {
		t.Errorf("the role cannot create tables in its database: %v", err)
	}
}

func TestConformance(t *testing.T) {
	testenv.RequirePostgres(t)
	admin := adminConn(t)
	drivertest.Run(t, New(), drivertest.Case{
		Request: request,
		Update: func(req *driver.Request) {
			req.Inputs["databaseName"] = credential.Name(req.UID+"-renamed", MaxIdentifier)
			req.Inputs["host"] = "localhost"
		},
		VerifyUpdate: func(t *testing.T, req *driver.Request, outputs map[string]any) {
			want := req.Inputs["databaseName"].(string)
			if outputs["database"] != want || outputs["host"] != "localhost" {
				t.Errorf("after the update: database %v, host %v; want %s, localhost", outputs["database"], outputs["host"], want)
			}
			old := Database(req.UID)
			if exists(t, admin, databaseExists, old) {
				t.Errorf("database %s is still there after the rename", old)
			}
		},
		Outputs: []drivertest.Output{
			{Name: "host", Kind: drivertest.String},
			{Name: "port", Kind: drivertest.Number},
			{Name: "name", Kind: drivertest.String},
			{Name: "database", Kind: drivertest.String},
			{Name: "username", Kind: drivertest.String, Secret: true},
			{Name: "password", Kind: drivertest.String, Secret: true},
		},
		Verify: verify,
		VerifyGone: func(t *testing.T, req *driver.Request) {
			db, role := namesOf(t, req)
			if exists(t, admin, databaseExists, db) {
				t.Errorf("database %s is left", db)
			}
			if exists(t, admin, roleExists, role) {
				t.Errorf("role %s is left", role)
			}
		},
	})
}

func TestPasswordKeptInSync(t *testing.T) {
	testenv.RequirePostgres(t)
	admin := adminConn(t)
	ctx := context.Background()
	d := New()
	req := request("")
	req.UID = drivertest.UID(t, "sync")
	t.Cleanup(func() { d.Deprovision(context.Background(), &driver.Request{UID: req.UID, Inputs: req.Inputs}) })
	res, err := d.Provision(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	// Someone changes the password behind pave's back: the next provision
	// puts back the one in state.
	role := res.Outputs["username"].(string)
	if _, err := admin.Exec(ctx, "ALTER ROLE "+ident(role)+" PASSWORD 'changed-by-hand'"); err != nil {
		t.Fatal(err)
	}
	again := *req
	again.State, again.Outputs = res.State, res.Outputs
	res2, err := d.Provision(ctx, &again)
	if err != nil {
		t.Fatal(err)
	}
	if res2.Outputs["password"] != res.Outputs["password"] {
		t.Fatal("the password changed")
	}
	verify(t, res2.Outputs)
}

func TestScramMatchesPostgres(t *testing.T) {
	testenv.RequirePostgres(t)
	admin := adminConn(t)
	ctx := context.Background()
	role := credential.Name(drivertest.UID(t, "scram"), MaxIdentifier)
	t.Cleanup(func() { admin.Exec(context.Background(), "DROP ROLE IF EXISTS "+ident(role)) })
	if _, err := admin.Exec(ctx, "SET password_encryption = 'scram-sha-256'"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "CREATE ROLE "+ident(role)+" LOGIN PASSWORD 'Pa55word'"); err != nil {
		t.Fatal(err)
	}
	var verifier string
	if err := admin.QueryRow(ctx, "SELECT rolpassword FROM pg_authid WHERE rolname = $1", role).Scan(&verifier); err != nil {
		t.Fatal(err)
	}
	if !scramMatches(verifier, "Pa55word") {
		t.Errorf("scramMatches rejects PostgreSQL's own verifier")
	}
	if scramMatches(verifier, "Pa55wore") {
		t.Errorf("scramMatches accepts a wrong password")
	}
}

func TestScram(t *testing.T) {
	v := scramVerifier("secret")
	if !scramMatches(v, "secret") || scramMatches(v, "Secret") {
		t.Fatalf("scramMatches does not recognize its own verifier %q", v)
	}
	if scramVerifier("secret") == v {
		t.Error("two verifiers share a salt")
	}
	for _, bad := range []string{"", "md5abc", "SCRAM-SHA-256$", "SCRAM-SHA-256$x:abc$a:b", "SCRAM-SHA-256$4096:!!$a:b",
		"SCRAM-SHA-256$0:YWJj$a:b", "SCRAM-SHA-256$99999999:YWJj$a:b", "SCRAM-SHA-256$4096:YWJj"} {
		if scramMatches(bad, "secret") {
			t.Errorf("scramMatches(%q) = true", bad)
		}
	}
}

func TestInputs(t *testing.T) {
	tests := []struct {
		name       string
		inputs     map[string]any
		validating bool
		want       string
	}{
		{"missing adminUrl", map[string]any{}, false, "/inputs/adminUrl: required"},
		{"scheme", map[string]any{"adminUrl": "mysql://u:hunter22@h/"}, false, "/inputs/adminUrl: must be a postgres:// or postgresql:// URL"},
		{"bad url", map[string]any{"adminUrl": "postgres://u:hunter22@h:notaport/db"}, false, "/inputs/adminUrl: is not a valid PostgreSQL URL"},
		{"port range", map[string]any{"adminUrl": "postgres://h/db", "port": int64(70000)}, false, "/inputs/port: must be between 1 and 65535"},
		{"port type", map[string]any{"adminUrl": "postgres://h/db", "port": true}, false, "/inputs/port: must be a whole number"},
		{"long name", map[string]any{"adminUrl": "postgres://h/db", "databaseName": strings.Repeat("x", 64)}, false, "/inputs/databaseName: must be 1 to 63 bytes"},
		{"placeholders", map[string]any{"adminUrl": "${secrets.pg}", "port": "${resources.x.port}"}, true, ""},
		{"placeholder not resolved", map[string]any{"adminUrl": "${secrets.pg}"}, false, "/inputs/adminUrl: must be a postgres://"},
		{"fine", map[string]any{"adminUrl": "postgresql://u:p@db.example.com:6543/postgres", "port": "5432"}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New().parse(tt.inputs, tt.validating)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errs.Is(err, errs.Invalid) {
				t.Fatalf("got %v, want an invalid error containing %q", err, tt.want)
			}
			for _, e := range errs.Errors(err) {
				if strings.Contains(e.LogString(), "hunter22") {
					t.Errorf("the error shows the password: %s", e.LogString())
				}
			}
		})
	}
	in, err := New().parse(map[string]any{"adminUrl": "postgres://u:p@db.example.com:6543/postgres"}, false)
	if err != nil || in.host != "db.example.com" || in.port != 6543 {
		t.Errorf("reported address %s:%d (%v), want the admin URL's", in.host, in.port, err)
	}
}

func TestErrorsHideAdminPassword(t *testing.T) {
	testenv.RequirePostgres(t)
	u, err := url.Parse(testenv.PostgresURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword("pavetest_no_such_role", "hunter2hunter2")
	_, err = New().Provision(context.Background(), &driver.Request{UID: drivertest.UID(t, "x"), Inputs: map[string]any{"adminUrl": u.String()}})
	if err == nil {
		t.Fatal("provision as a role that does not exist succeeded")
	}
	for _, e := range errs.Errors(err) {
		if strings.Contains(e.LogString(), "hunter2hunter2") {
			t.Fatalf("the error shows the admin password: %s", e.LogString())
		}
	}
	t.Logf("error: %v", err)
}

// BenchmarkProvision100Concurrent provisions 100 databases with 8 at a time,
// then deprovisions them (untimed).
func BenchmarkProvision100Concurrent(b *testing.B) {
	testenv.RequirePostgres(b)
	const total, parallel = 100, 8
	d := New()
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		reqs := make([]*driver.Request, total)
		for j := range reqs {
			reqs[j] = request("")
			reqs[j].UID = drivertest.UID(b, "bench-"+strconv.Itoa(j))
		}
		results := make([]*driver.Result, total)
		run := func(f func(j int) error) {
			sem := make(chan struct{}, parallel)
			var wg sync.WaitGroup
			var mu sync.Mutex
			var first error
			for j := range reqs {
				sem <- struct{}{}
				wg.Go(func() {
					defer func() { <-sem }()
					if err := f(j); err != nil {
						mu.Lock()
						first = err
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if first != nil {
				b.Error(first)
			}
		}
		b.StartTimer()
		run(func(j int) (err error) {
			results[j], err = d.Provision(ctx, reqs[j])
			return err
		})
		b.StopTimer()
		run(func(j int) error {
			if results[j] != nil {
				reqs[j].State = results[j].State
			}
			return d.Deprovision(ctx, reqs[j])
		})
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*total), "ms/database")
}

// TestConformanceNonSuperuser runs the suite with an admin role that may
// only create databases and roles, as a managed PostgreSQL service gives.
func TestConformanceNonSuperuser(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite again")
	}
	testenv.RequirePostgres(t)
	admin := adminConn(t)
	role := credential.Name(drivertest.UID(t, "admin"), MaxIdentifier)
	if _, err := admin.Exec(context.Background(), "CREATE ROLE "+ident(role)+" LOGIN CREATEDB CREATEROLE"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(context.Background(), "DROP ROLE IF EXISTS "+ident(role)) })
	u, err := url.Parse(testenv.PostgresURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	adminURL := u.String()
	drivertest.Run(t, New(), drivertest.Case{
		Request: func(uid string) *driver.Request {
			return &driver.Request{Type: "postgres", Inputs: map[string]any{"adminUrl": adminURL}}
		},
		Outputs: []drivertest.Output{{Name: "password", Kind: drivertest.String, Secret: true}},
		Verify:  verify,
		VerifyGone: func(t *testing.T, req *driver.Request) {
			db, user := namesOf(t, req)
			if exists(t, admin, databaseExists, db) || exists(t, admin, roleExists, user) {
				t.Errorf("database %s or its role is left", db)
			}
		},
	})
}
