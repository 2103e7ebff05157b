package driver

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDecodeResult(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{`{"outputs":{"a":1},"state":{"k":"v"},"manifests":[{"kind":"X"}]}`, ""},
		{"", "no JSON at all"},
		{"  \n", "no JSON at all"},
		{"this is not JSON", "not JSON (at byte 2)"},
		{`{"outputs":{"a":1}`, "truncated JSON"},
		{`{"outputs":[]}`, `field "outputs" must not be a JSON array`},
		{`[1]`, "must not be a JSON array"},
		{`{"output":{}}`, `unknown field "output"`},
		{`{"outputs":{"a":1}} {}`, "more than one JSON value"},
	}
	for _, tt := range tests {
		res, err := DecodeResult([]byte(tt.in))
		if tt.want == "" {
			if err != nil || res.Outputs["a"] != float64(1) {
				t.Errorf("%s: %v %v", tt.in, res, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want %q", tt.in, err, tt.want)
		}
		if err != nil && len(tt.in) > 4 && strings.Contains(err.Error(), tt.in) {
			t.Errorf("%q: the error quotes the data: %v", tt.in, err)
		}
	}
	if res, err := DecodeResult([]byte(`{}`)); err != nil || res.Outputs == nil {
		t.Errorf("no outputs: %v %v, want an empty map", res, err)
	}
}

func TestDecodeState(t *testing.T) {
	type state struct {
		Password string `json:"password"`
	}
	st, err := DecodeState[state]("demo", nil)
	if err != nil || st != (state{}) {
		t.Errorf("no state: %+v %v", st, err)
	}
	st, err = DecodeState[state]("demo", json.RawMessage(`{"password":"pw-123456"}`))
	if err != nil || st.Password != "pw-123456" {
		t.Errorf("state: %+v %v", st, err)
	}
	_, err = DecodeState[state]("demo", json.RawMessage(`{"password":pw-123456}`))
	if err == nil || err.Error() != "the demo driver's state does not decode" {
		t.Errorf("bad state: %v", err)
	}
}

func FuzzDecodeResult(f *testing.F) {
	f.Add([]byte(`{"outputs":{"a":"b"},"state":1}`))
	f.Add([]byte(`{"outputs":{}} x`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := DecodeResult(data)
		if err == nil && res.Outputs == nil {
			t.Fatal("nil outputs")
		}
	})
}
