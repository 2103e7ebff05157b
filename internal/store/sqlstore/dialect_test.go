package sqlstore

import "testing"

func TestRebind(t *testing.T) {
	tests := []struct {
		d       *dialect
		in, out string
	}{
		{sqliteDialect, "SELECT a FROM t WHERE a = ? AND b = ?", "SELECT a FROM t WHERE a = ? AND b = ?"},
		{postgresDialect, "SELECT a FROM t WHERE a = ? AND b = ?", "SELECT a FROM t WHERE a = $1 AND b = $2"},
		{postgresDialect, "SELECT 1", "SELECT 1"},
		{postgresDialect, "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"},
	}
	for _, tt := range tests {
		if got := tt.d.rebind(tt.in); got != tt.out {
			t.Errorf("%s rebind(%q) = %q, want %q", tt.d.name, tt.in, got, tt.out)
		}
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, out string }{
		{"postgres://u:secret@h:5432/db", "postgres://u:***@h:5432/db"},
		{"postgres://u@h/db", "postgres://u@h/db"},
		{"postgres://h/db", "postgres://h/db"},
		{"postgres://u:p@ss@h/db", "postgres://u:***@h/db"},
	}
	for _, tt := range tests {
		if got := redactURL(tt.in); got != tt.out {
			t.Errorf("redactURL(%q) = %q, want %q", tt.in, got, tt.out)
		}
	}
}

func TestMigrationsParse(t *testing.T) {
	for _, d := range []string{"sqlite", "postgres"} {
		ms, err := migrations(d)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range ms {
			if m.version != int64(i+1) {
				t.Errorf("%s migration %s has version %d, want %d (no gaps)", d, m.name, m.version, i+1)
			}
		}
	}
	if SchemaVersion("sqlite") != SchemaVersion("postgres") {
		t.Errorf("the dialects' schemas are at versions %d and %d", SchemaVersion("sqlite"), SchemaVersion("postgres"))
	}
}
