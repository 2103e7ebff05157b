package score

import (
	"math/big"
	"strings"
	"testing"
)

func TestParseQuantity(t *testing.T) {
	tests := []struct {
		in   string
		want string // exact value as a fraction, "" for invalid
	}{
		{"1", "1/1"},
		{"0", "0/1"},
		{"500m", "1/2"},
		{"0.5", "1/2"},
		{".5", "1/2"},
		{"2.", "2/1"},
		{"+2", "2/1"},
		{"0.24", "6/25"},
		{"1000m", "1/1"},
		{"100n", "1/10000000"},
		{"3u", "3/1000000"},
		{"128Mi", "134217728/1"},
		{"1.5Gi", "1610612736/1"},
		{"10Ki", "10240/1"},
		{"1Ti", "1099511627776/1"},
		{"1Pi", "1125899906842624/1"},
		{"1Ei", "1152921504606846976/1"},
		{"1G", "1000000000/1"},
		{"125K", "125000/1"},
		{"125k", "125000/1"},
		{"2M", "2000000/1"},
		{"1T", "1000000000000/1"},
		{"1P", "1000000000000000/1"},
		{"1E", "1000000000000000000/1"},
		{"1e3", "1000/1"},
		{"1E3", "1000/1"},
		{"1.5e+3", "1500/1"},
		{"25e-2", "1/4"},
		{"1e30", "1000000000000000000000000000000/1"},
		{"", ""},
		{"-1", ""},
		{"-500m", ""},
		{"m", ""},
		{".", ""},
		{"1.2.3", ""},
		{"128MB", ""},
		{"1gi", ""},
		{"1Mi ", ""},
		{" 1", ""},
		{"1e", ""},
		{"1e+", ""},
		{"1e31", ""},
		{"1e99999999999999999999", ""},
		{"1ee3", ""},
		{"0x10", ""},
		{"1_000", ""},
		{"Infinity", ""},
		{"NaN", ""},
		{strings.Repeat("9", 65), ""},
	}
	for _, tt := range tests {
		q, err := ParseQuantity(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseQuantity(%q) = %v, want an error", tt.in, q)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseQuantity(%q): %v", tt.in, err)
			continue
		}
		if q.String() != tt.want {
			t.Errorf("ParseQuantity(%q) = %s, want %s", tt.in, q, tt.want)
		}
	}
}

// TestQuantityAcceptsScoreSchema checks that everything the Score schema's
// cpu and memory patterns allow is accepted.
func TestQuantityAcceptsScoreSchema(t *testing.T) {
	// cpu: ^\d+(?:m|\.\d+)?$   memory: ^(0\.\d+|[1-9]\d*(\.\d+)?)(K|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$
	for _, s := range []string{"2", "125m", "0.25", "1000m", "10", "0.5K", "125M", "1Gi", "1.5Gi", "7E", "3Pi", "64Ki"} {
		if _, err := ParseQuantity(s); err != nil {
			t.Errorf("ParseQuantity(%q): %v", s, err)
		}
	}
}

func TestQuantityCompare(t *testing.T) {
	less := [][2]string{{"250m", "1"}, {"1e9", "1Gi"}, {"999M", "1G"}, {"1m", "0.002"}}
	for _, p := range less {
		a, _ := ParseQuantity(p[0])
		b, _ := ParseQuantity(p[1])
		if a.Cmp(b) >= 0 {
			t.Errorf("%s is not less than %s", p[0], p[1])
		}
	}
	a, _ := ParseQuantity("512Mi")
	b, _ := ParseQuantity("0.5Gi")
	if a.Cmp(b) != 0 {
		t.Errorf("512Mi != 0.5Gi")
	}
	if q, _ := ParseQuantity("1k"); q.Cmp(big.NewRat(1000, 1)) != 0 {
		t.Errorf("1k = %s", q)
	}
}
