package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/driver/drivertest"
	"github.com/pavedev/pave/internal/drivers/credential"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/testenv"
)

func open(t *testing.T, cfg *gomysql.Config) *sql.DB {
	t.Helper()
	connector, err := gomysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(connector)
	t.Cleanup(func() { db.Close() })
	return db
}

func adminDB(t *testing.T) *sql.DB {
	t.Helper()
	cfg, err := ParseAdminURL(testenv.MySQLURL)
	if err != nil {
		t.Fatal(err)
	}
	return open(t, cfg)
}

func request(uid string) *driver.Request {
	return &driver.Request{Type: "mysql", Class: "default", Inputs: map[string]any{"adminUrl": testenv.MySQLURL}}
}

func count(t *testing.T, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// verify connects with the outputs, uses the database, and checks the
// user reaches no other database.
func verify(t *testing.T, outputs map[string]any) {
	t.Helper()
	cfg := gomysql.NewConfig()
	cfg.User, cfg.Passwd = outputs["username"].(string), outputs["password"].(string)
	cfg.Net, cfg.Addr = "tcp", fmt.Sprintf("%s:%v", outputs["host"], outputs["port"])
	cfg.DBName = outputs["database"].(string)
	cfg.Timeout = 30 * time.Second
	db := open(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatalf("connect with the outputs: %v", credential.RedactError(err, cfg.Passwd))
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS pavetest_t (x int)"); err != nil {
		t.Errorf("the user cannot create tables in its database: %v", err)
	}
	if _, err := conn.ExecContext(ctx, "INSERT INTO pavetest_t VALUES (1)"); err != nil {
		t.Errorf("the user cannot write its database: %v", err)
	}
	// "_" is a wildcard in grants: the user must not reach a lookalike.
	lookalike := strings.Replace(cfg.DBName, "_", "x", 1)
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+ident(lookalike)); err == nil {
		conn.ExecContext(ctx, "DROP DATABASE "+ident(lookalike))
		t.Errorf("the user could create database %s: its grant is not limited to %s", lookalike, cfg.DBName)
	}
}

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
		database = Database(req.UID)
	}
	if username == "" {
		username = Username(req.UID)
	}
	return database, username
}

func TestConformance(t *testing.T) {
	testenv.RequireMySQL(t)
	admin := adminDB(t)
	drivertest.Run(t, New(), drivertest.Case{
		Request: request,
		Update: func(req *driver.Request) {
			req.Inputs["host"] = "localhost"
			req.Inputs["port"] = int64(3306)
		},
		VerifyUpdate: func(t *testing.T, req *driver.Request, outputs map[string]any) {
			if outputs["host"] != "localhost" {
				t.Errorf("host = %v after the update, want localhost", outputs["host"])
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
			db, user := namesOf(t, req)
			if count(t, admin, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", db) > 0 {
				t.Errorf("database %s is left", db)
			}
			if count(t, admin, "SELECT COUNT(*) FROM mysql.user WHERE User = ?", user) > 0 {
				t.Errorf("user %s is left", user)
			}
		},
	})
}

func TestDatabaseNameCannotChange(t *testing.T) {
	testenv.RequireMySQL(t)
	ctx := context.Background()
	d := New()
	req := request("")
	req.UID = drivertest.UID(t, "rename")
	t.Cleanup(func() { d.Deprovision(context.Background(), &driver.Request{UID: req.UID, Inputs: req.Inputs}) })
	res, err := d.Provision(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	changed := request("")
	changed.UID, changed.State = req.UID, res.State
	changed.Inputs["databaseName"] = "pavetest_other"
	_, err = d.Provision(ctx, changed)
	if !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), "/inputs/databaseName: cannot change") {
		t.Fatalf("got %v, want an invalid databaseName error", err)
	}
}

func TestErrorsHideAdminPassword(t *testing.T) {
	testenv.RequireMySQL(t)
	cfg, err := ParseAdminURL(testenv.MySQLURL)
	if err != nil {
		t.Fatal(err)
	}
	bad := fmt.Sprintf("mysql://pavetest_nobody:hunter2hunter2@%s/", cfg.Addr)
	_, err = New().Provision(context.Background(), &driver.Request{UID: drivertest.UID(t, "x"), Inputs: map[string]any{"adminUrl": bad}})
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

func TestParseAdminURL(t *testing.T) {
	tests := []struct {
		url  string
		dsn  string
		want string
	}{
		{"mysql://root@127.0.0.1:3306/", "root@tcp(127.0.0.1:3306)/?timeout=30s", ""},
		{"mysql://root@127.0.0.1/", "root@tcp(127.0.0.1:3306)/?timeout=30s", ""},
		{"mariadb://admin:p%40ss@db.example.com:3307/app?tls=true", "admin:p@ss@tcp(db.example.com:3307)/app?timeout=30s&tls=true", ""},
		{"mysql://root@[::1]:3306/", "root@tcp([::1]:3306)/?timeout=30s", ""},
		{"mysql://root@localhost/?socket=/run/mysqld/mysqld.sock", "root@unix(/run/mysqld/mysqld.sock)/?timeout=30s", ""},
		{"postgres://root@h/", "", "must be a mysql:// or mariadb:// URL"},
		{"mysql://h:3306/", "", "must name a user"},
		{"mysql://root:secretpw@:3306/", "", "must name a host"},
		{"mysql://root:secretpw@h:99999/", "", "has an invalid port"},
		{"mysql://root:secretpw@h:x/", "", "is not a valid URL"},
		{"mysql://root:secretpw@h/a/b", "", "more than a database name"},
		{"mysql://root:secretpw@h/?parseTime=true", "", `unknown parameter "parseTime"`},
		{"mysql://root:secretpw@h/?tls=maybe", "", `has tls="maybe"`},
		{"mysql://root:secretpw@h:3306/?socket=/s", "", "both a port and a socket"},
		{"mysql:root", "", "must be a mysql://user:password@host:port/ URL"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			cfg, err := ParseAdminURL(tt.url)
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("got %v, want an error containing %q", err, tt.want)
				}
				if strings.Contains(err.Error(), "secretpw") {
					t.Errorf("the error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.FormatDSN(); got != tt.dsn {
				t.Errorf("DSN %q, want %q", got, tt.dsn)
			}
		})
	}
}

func FuzzParseAdminURL(f *testing.F) {
	f.Add("mysql://root:pw@127.0.0.1:3306/db?tls=true")
	f.Add("mariadb://u@[::1]/?socket=/x")
	f.Add("mysql://%zz@h/")
	f.Fuzz(func(t *testing.T, s string) {
		cfg, err := ParseAdminURL(s)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("error %v is not invalid", err)
			}
			if len(s) > 12 && strings.Contains(err.Error(), s) {
				t.Fatalf("the error quotes the URL: %v", err)
			}
			return
		}
		if cfg.User == "" || cfg.Addr == "" {
			t.Fatalf("accepted %q without user or address", s)
		}
		if _, err := gomysql.ParseDSN(cfg.FormatDSN()); err != nil {
			t.Fatalf("DSN of %q does not parse back: %v", s, err)
		}
	})
}

func TestQuoting(t *testing.T) {
	tests := []struct{ got, want string }{
		{ident("a`b"), "`a``b`"},
		{grantIdent("shop_db%1"), "`shop\\_db\\%1`"},
		{literal("it's"), "'it''s'"},
		{account("u_1"), "'u_1'@'%'"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
}

func TestNames(t *testing.T) {
	for _, uid := range []string{"a", "pavetest_1.shop#db", strings.Repeat("a_b.", 40), strings.Repeat("x", 100)} {
		db, user := Database(uid), Username(uid)
		if n := len(grantIdent(db)) - 2; n > MaxDatabase {
			t.Errorf("Database(%q) = %q is %d bytes in a grant", uid, db, n)
		}
		if len(user) > MaxUser || user == db {
			t.Errorf("Username(%q) = %q: too long or equal to the database name", uid, user)
		}
		if Database(uid) != db || Username(uid) != user {
			t.Errorf("names of %q are not stable", uid)
		}
	}
}
