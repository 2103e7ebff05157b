package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkReads measures the server's own cost of the read endpoints,
// without a network: authentication, the store read, JSON encoding.
func BenchmarkReads(b *testing.B) {
	for _, path := range []string{"/api/v1/whoami", "/api/v1/apps", "/api/v1/apps/shop/environments/dev/deployments", "/api/v1/apps/shop/environments/dev/resources"} {
		b.Run(path, func(b *testing.B) {
			f := benchFixture(b)
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
