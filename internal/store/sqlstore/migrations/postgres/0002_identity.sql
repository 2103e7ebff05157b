-- pave state, version 2 (PostgreSQL): users, teams and API tokens. Roles and
-- teams of a user are JSON lists; a token is kept as the SHA-256 of its
-- secret, never the secret.

CREATE TABLE teams (
	name        TEXT    NOT NULL PRIMARY KEY,
	description TEXT    NOT NULL,
	created_at  BIGINT  NOT NULL
);

CREATE TABLE users (
	name       TEXT    NOT NULL PRIMARY KEY,
	roles      TEXT    NOT NULL,
	teams      TEXT    NOT NULL,
	disabled   BOOLEAN NOT NULL DEFAULT FALSE,
	created_at BIGINT  NOT NULL,
	updated_at BIGINT  NOT NULL
);

CREATE TABLE tokens (
	id           TEXT    NOT NULL PRIMARY KEY,
	user_name    TEXT    NOT NULL REFERENCES users (name),
	kind         TEXT    NOT NULL,
	name         TEXT    NOT NULL,
	hash         TEXT    NOT NULL,
	created_at   BIGINT  NOT NULL,
	expires_at   BIGINT,
	revoked_at   BIGINT,
	last_used_at BIGINT
);
CREATE INDEX tokens_user ON tokens (user_name, id);
