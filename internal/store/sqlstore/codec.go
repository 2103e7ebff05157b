package sqlstore

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/secrets"
)

// Times are stored as Unix nanoseconds, so they round-trip exactly and sort
// as numbers in both dialects.

func toDB(t time.Time) int64 { return t.UnixNano() }

func fromDB(n int64) time.Time { return time.Unix(0, n).UTC() }

func toDBNull(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}
}

func fromDBNull(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromDB(n.Int64)
	return &t
}

// orNow returns t in UTC, or now when t is zero.
func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t.UTC()
}

// encodeJSON marshals v for a TEXT column.
func encodeJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", errs.Wrap(errs.Invalid, err, "store: value cannot be encoded as JSON")
	}
	return string(b), nil
}

// decodeJSON unmarshals a JSON column into v, turning numbers into int64
// when integral and float64 otherwise, like the rest of pave's plain values.
func decodeJSON(data []byte, v any) error {
	if len(data) == 0 {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return errs.Wrap(errs.Internal, err, "store: stored JSON is corrupt")
	}
	switch x := v.(type) {
	case *map[string]any:
		for k, e := range *x {
			(*x)[k] = plainNumbers(e)
		}
	case *[]map[string]any:
		for _, m := range *x {
			for k, e := range m {
				m[k] = plainNumbers(e)
			}
		}
	}
	return nil
}

func plainNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = plainNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = plainNumbers(e)
		}
	}
	return v
}

// sealJSON marshals and seals v; an empty value is stored as NULL.
func sealJSON(sl *secrets.Sealer, v any, empty bool) ([]byte, error) {
	if empty {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "store: value cannot be encoded as JSON")
	}
	out, err := sl.Seal(b)
	clear(b)
	return out, err
}

// openJSON opens and unmarshals a sealed column into v; NULL leaves v as is.
func openJSON(sl *secrets.Sealer, sealed []byte, v any) error {
	if sealed == nil {
		return nil
	}
	b, err := sl.Open(sealed)
	if err != nil {
		return err
	}
	return decodeJSON(b, v)
}
