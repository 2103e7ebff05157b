package score

import (
	"fmt"
	"strings"
	"testing"
)

func BenchmarkParse(b *testing.B) {
	for name, data := range seedFiles(b) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Parse(name, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseFiles1000 parses a thousand workloads, as a large plan does.
func BenchmarkParseFiles1000(b *testing.B) {
	base := string(seedFiles(b)["web-app.score.yaml"])
	files := make(map[string][]byte, 1000)
	for i := range 1000 {
		files[fmt.Sprintf("w%04d.score.yaml", i)] = []byte(strings.Replace(base, "name: shop-frontend", fmt.Sprintf("name: shop-%04d", i), 1))
	}
	b.ReportAllocs()
	for b.Loop() {
		ws, err := ParseFiles(files)
		if err != nil || len(ws) != 1000 {
			b.Fatal(err, len(ws))
		}
	}
}

func BenchmarkTemplateRender(b *testing.B) {
	s := "postgresql://${resources.db.username}:${resources.db.password}@${resources.db.host}:${resources.db.port}/${resources.db.name}"
	resolve := func(r Reference) (any, bool, error) { return r.Parts[2], false, nil }
	b.ReportAllocs()
	for b.Loop() {
		tpl, err := ParseTemplate(s)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := tpl.Render(resolve); err != nil {
			b.Fatal(err)
		}
	}
}
