package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pavedev/pave/internal/store"
	"github.com/pavedev/pave/internal/store/sqlstore/sqlstoretest"
)

// BenchmarkReads measures the server's own cost of the read endpoints,
// without a network: authentication, the store read, JSON encoding.
func BenchmarkReads(b *testing.B) {
	benchReads(b, func(b *testing.B) store.Store { return sqlstoretest.SQLite(b) })
}

// BenchmarkReadsPostgres is BenchmarkReads on PostgreSQL.
func BenchmarkReadsPostgres(b *testing.B) {
	benchReads(b, func(b *testing.B) store.Store { return sqlstoretest.Postgres(b) })
}

func benchReads(b *testing.B, open func(b *testing.B) store.Store) {
	for _, path := range []string{"/api/v1/whoami", "/api/v1/apps", "/api/v1/apps/shop/environments/dev/deployments", "/api/v1/apps/shop/environments/dev/resources"} {
		b.Run(path, func(b *testing.B) {
			f := benchFixture(b, open(b))
			req := httptest.NewRequest("GET", path, nil)
			req.Header.Set("Authorization", "Bearer "+f.tokens["ann"])
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				f.srv.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
		})
	}
}
