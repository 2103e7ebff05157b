-- pave state, version 1 (SQLite). Times are Unix nanoseconds (UTC); JSON is
-- TEXT; sealed values are BLOBs (AES-256-GCM, see internal/secrets).

CREATE TABLE apps (
	name       TEXT    NOT NULL PRIMARY KEY,
	team       TEXT    NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE TABLE environments (
	app         TEXT    NOT NULL REFERENCES apps (name),
	name        TEXT    NOT NULL,
	type        TEXT    NOT NULL,
	expires_at  INTEGER,
	cloned_from TEXT    NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	PRIMARY KEY (app, name)
);
CREATE INDEX environments_expires_at ON environments (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE workload_versions (
	app        TEXT    NOT NULL REFERENCES apps (name) ON DELETE CASCADE,
	workload   TEXT    NOT NULL,
	hash       TEXT    NOT NULL,
	score      BLOB    NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (app, workload, hash)
);

CREATE TABLE resources (
	app            TEXT    NOT NULL,
	env            TEXT    NOT NULL,
	uid            TEXT    NOT NULL,
	type           TEXT    NOT NULL,
	class          TEXT    NOT NULL,
	res_id         TEXT    NOT NULL,
	definition     TEXT    NOT NULL,
	driver         TEXT    NOT NULL,
	status         TEXT    NOT NULL,
	message        TEXT    NOT NULL,
	inputs_hash    TEXT    NOT NULL,
	outputs        TEXT    NOT NULL,
	secret_outputs BLOB,
	state          BLOB,
	manifests      BLOB,
	users          TEXT    NOT NULL,
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL,
	PRIMARY KEY (app, env, uid),
	FOREIGN KEY (app, env) REFERENCES environments (app, name) ON DELETE CASCADE
);

CREATE TABLE plans (
	id         TEXT    NOT NULL PRIMARY KEY,
	hash       TEXT    NOT NULL,
	app        TEXT    NOT NULL,
	env        TEXT    NOT NULL,
	body       TEXT    NOT NULL,
	created_by TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	FOREIGN KEY (app, env) REFERENCES environments (app, name) ON DELETE CASCADE
);
CREATE INDEX plans_env ON plans (app, env, id);
CREATE INDEX plans_hash ON plans (hash);

CREATE TABLE plan_approvals (
	plan_id TEXT    NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
	actor   TEXT    NOT NULL,
	comment TEXT    NOT NULL,
	time    INTEGER NOT NULL,
	PRIMARY KEY (plan_id, actor)
);

CREATE TABLE deployments (
	id          TEXT    NOT NULL PRIMARY KEY,
	app         TEXT    NOT NULL,
	env         TEXT    NOT NULL,
	plan_id     TEXT    NOT NULL,
	plan_hash   TEXT    NOT NULL,
	actor       TEXT    NOT NULL,
	commit_ref  TEXT    NOT NULL,
	status      TEXT    NOT NULL,
	workloads   TEXT    NOT NULL,
	started_at  INTEGER NOT NULL,
	finished_at INTEGER,
	error       TEXT    NOT NULL,
	owner       TEXT    NOT NULL,
	heartbeat   INTEGER NOT NULL,
	event_seq   INTEGER NOT NULL DEFAULT 0,
	FOREIGN KEY (app, env) REFERENCES environments (app, name) ON DELETE CASCADE
);
-- At most one active deployment per environment, whatever process asks.
CREATE UNIQUE INDEX deployments_one_active ON deployments (app, env) WHERE status IN ('pending', 'running');
CREATE INDEX deployments_env ON deployments (app, env, id);
CREATE INDEX deployments_heartbeat ON deployments (heartbeat) WHERE status IN ('pending', 'running');

CREATE TABLE deployment_events (
	deployment_id TEXT    NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
	seq           INTEGER NOT NULL,
	node          TEXT    NOT NULL,
	phase         TEXT    NOT NULL,
	action        TEXT    NOT NULL,
	time          INTEGER NOT NULL,
	duration      INTEGER NOT NULL,
	message       TEXT    NOT NULL,
	PRIMARY KEY (deployment_id, seq)
);

CREATE TABLE audit (
	id         TEXT    NOT NULL PRIMARY KEY,
	time       INTEGER NOT NULL,
	actor      TEXT    NOT NULL,
	actor_kind TEXT    NOT NULL,
	action     TEXT    NOT NULL,
	target     TEXT    NOT NULL,
	outcome    TEXT    NOT NULL,
	plan_hash  TEXT    NOT NULL,
	detail     TEXT    NOT NULL
);
CREATE INDEX audit_time ON audit (time);
CREATE INDEX audit_actor ON audit (actor, id);
CREATE INDEX audit_target ON audit (target, id);

-- The audit log is append-only: the database refuses to change it.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit log is append-only');
END;

CREATE TABLE secrets (
	name       TEXT    NOT NULL PRIMARY KEY,
	value      BLOB    NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
