-- pave state, version 2 (SQLite): users, teams and API tokens. Roles and
-- teams of a user are JSON lists; a token is kept as the SHA-256 of its
-- secret, never the secret.

CREATE TABLE teams (
	name        TEXT    NOT NULL PRIMARY KEY,
	description TEXT    NOT NULL,
	created_at  INTEGER NOT NULL
);

CREATE TABLE users (
	name       TEXT    NOT NULL PRIMARY KEY,
	roles      TEXT    NOT NULL,
	teams      TEXT    NOT NULL,
	disabled   INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

CREATE TABLE tokens (
	id           TEXT    NOT NULL PRIMARY KEY,
	user_name    TEXT    NOT NULL REFERENCES users (name),
	kind         TEXT    NOT NULL,
	name         TEXT    NOT NULL,
	hash         TEXT    NOT NULL,
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER,
	revoked_at   INTEGER,
	last_used_at INTEGER
);
CREATE INDEX tokens_user ON tokens (user_name, id);
