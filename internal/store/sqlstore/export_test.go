package sqlstore

// WithSchemaVersion makes Open migrate only up to version v, leaving the
// database as an older pave left it, for tests of upgrades.
func WithSchemaVersion(v int64) Option {
	return func(s *Store) { s.schemaUpTo = v }
}
