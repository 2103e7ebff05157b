package sqlstore

import (
	"context"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/secrets"
)

// sealedColumns lists every sealed column with the key that finds its row.
var sealedColumns = []struct {
	table, column string
	key           []string
}{
	{"resources", "secret_outputs", []string{"app", "env", "uid"}},
	{"resources", "state", []string{"app", "env", "uid"}},
	{"resources", "manifests", []string{"app", "env", "uid"}},
	{"secrets", "value", []string{"name"}},
}

// RotateKey implements store.Store. It re-seals every sealed value in one
// transaction while no other operation of this Store seals or opens; other
// processes sharing the database should be stopped meanwhile, or they may
// go on sealing with the old key (which a Sealer holding both keys still
// opens).
func (s *Store) RotateKey(ctx context.Context, next *secrets.Sealer) (int, error) {
	if next == nil {
		return 0, errs.New(errs.Invalid, "rotate key: no sealer given")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	count := 0
	err := s.tx(ctx, "rotate key", func(c conn) error {
		count = 0
		for _, sc := range sealedColumns {
			n, err := s.resealColumn(ctx, c, next, sc.table, sc.column, sc.key)
			if err != nil {
				return err
			}
			count += n
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.sealer = next
	return count, nil
}

type sealedRow struct {
	key    []any
	sealed []byte
}

func (s *Store) resealColumn(ctx context.Context, c conn, next *secrets.Sealer, table, column string, key []string) (int, error) {
	keyCols := ""
	where := ""
	for i, k := range key {
		if i > 0 {
			keyCols += ", "
			where += " AND "
		}
		keyCols += k
		where += k + " = ?"
	}
	rows, err := c.query(ctx, "SELECT "+keyCols+", "+column+" FROM "+table+" WHERE "+column+" IS NOT NULL"+s.d.forUpdate)
	if err != nil {
		return 0, err
	}
	var all []sealedRow
	for rows.Next() {
		r := sealedRow{key: make([]any, len(key))}
		ptrs := make([]any, len(key)+1)
		keys := make([]string, len(key))
		for i := range keys {
			ptrs[i] = &keys[i]
		}
		ptrs[len(key)] = &r.sealed
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return 0, err
		}
		for i, k := range keys {
			r.key[i] = k
		}
		all = append(all, r)
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	for _, r := range all {
		plain, err := s.sealer.Open(r.sealed)
		if err != nil {
			plain, err = next.Open(r.sealed)
		}
		if err != nil {
			return 0, errs.Prefix("rotate key: "+table+"."+column+" of "+describeKey(r.key), err)
		}
		sealed, err := next.Seal(plain)
		clear(plain)
		if err != nil {
			return 0, err
		}
		if _, err := c.exec(ctx, "UPDATE "+table+" SET "+column+" = ? WHERE "+where, append([]any{sealed}, r.key...)...); err != nil {
			return 0, err
		}
	}
	return len(all), nil
}

func describeKey(key []any) string {
	s := ""
	for i, k := range key {
		if i > 0 {
			s += "/"
		}
		s += k.(string)
	}
	return s
}
