package cli

import (
	"encoding/json"
	"fmt"
	"io"
)

// Output formats accepted by -o.
const (
	formatText = "text"
	formatJSON = "json"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// checkFormat validates the -o flag.
func checkFormat(f string) error {
	if f != formatText && f != formatJSON {
		return usagef("-o must be text or json, not %q", f)
	}
	return nil
}

// writeJSON writes v as indented JSON followed by a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
