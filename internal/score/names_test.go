package score

import (
	"strings"
	"testing"
)

func TestNames(t *testing.T) {
	long := strings.Repeat("a", 63)
	tests := []struct {
		name string
		fn   func(string) bool
		ok   []string
		bad  []string
	}{
		{"IsLabel", IsLabel,
			[]string{"ab", "web", "a-b", "a--b", "0a", "123", long},
			[]string{"", "a", "-ab", "ab-", "Ab", "a_b", "a.b", "a b", long + "a", "é1"}},
		{"IsResourceType", IsResourceType,
			[]string{"postgres", "Resource-One", "S3", "a-b", long},
			[]string{"", "x", "-a", "a-", "a_b", "a.b", long + "a"}},
		{"IsResourceID", IsResourceID,
			[]string{"ab", "shared", "shared.db", "a.b", "a--b.c-d", "db-1.x.y"},
			[]string{"", "a", "A1", ".ab", "ab.", "a..b", "-a", "a-.b", "a_b", long + ".b"}},
		{"isAnnotationKey", isAnnotationKey,
			[]string{"team", "Default-Annotation", "example.com/Another-Key_Annotation.2", "ab.cd/ab", "ab/x.y"},
			[]string{"", "x", "-a", "a-", "Example.com/ab", "a.b/cd", "a/b/cd", "/ab", "ab/", "e.c/" + long + "a", "a..b/cd"}},
		{"isHeaderName", isHeaderName,
			[]string{"X-Trace", "SOME_HEADER", "a"},
			[]string{"", "X Trace", "X:Y"}},
		{"isFileMode", isFileMode,
			[]string{"644", "0644", "0777", "000"},
			[]string{"", "64", "0999", "1644", "00644", "rw-"}},
	}
	for _, tt := range tests {
		for _, s := range tt.ok {
			if !tt.fn(s) {
				t.Errorf("%s(%q) = false", tt.name, s)
			}
		}
		for _, s := range tt.bad {
			if tt.fn(s) {
				t.Errorf("%s(%q) = true", tt.name, s)
			}
		}
	}
}
