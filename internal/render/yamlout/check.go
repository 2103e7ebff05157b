package yamlout

import (
	"strconv"
	"unicode/utf8"
)

// CheckText returns an *Error naming the JSON pointer of the first key or
// string in v (in no particular order) that is not valid UTF-8, and nil
// when there is none. Renderers call it so that text that YAML or JSON
// could not carry is reported where it comes from, not when it is written.
func CheckText(v any) error {
	switch t := v.(type) {
	case string:
		if !utf8.ValidString(t) {
			return fail("string is not valid UTF-8")
		}
	case map[string]any:
		for k, x := range t {
			if !utf8.ValidString(k) {
				return within(fail("key is not valid UTF-8"), k)
			}
			if err := CheckText(x); err != nil {
				return within(err, k)
			}
		}
	case map[string]string:
		for k, x := range t {
			if !utf8.ValidString(k) {
				return within(fail("key is not valid UTF-8"), k)
			}
			if !utf8.ValidString(x) {
				return within(fail("string is not valid UTF-8"), k)
			}
		}
	case []any:
		for i, x := range t {
			if err := CheckText(x); err != nil {
				return within(err, strconv.Itoa(i))
			}
		}
	case []string:
		for i, x := range t {
			if !utf8.ValidString(x) {
				return within(fail("string is not valid UTF-8"), strconv.Itoa(i))
			}
		}
	case []map[string]any:
		for i, x := range t {
			if err := CheckText(x); err != nil {
				return within(err, strconv.Itoa(i))
			}
		}
	}
	return nil
}
