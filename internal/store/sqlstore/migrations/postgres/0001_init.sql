-- pave state, version 1 (PostgreSQL). Times are Unix nanoseconds (UTC); JSON is
-- TEXT; sealed values are BYTEA (AES-256-GCM, see internal/secrets).

CREATE TABLE apps (
	name       TEXT    NOT NULL PRIMARY KEY,
	team       TEXT    NOT NULL,
	created_at BIGINT  NOT NULL
);

CREATE TABLE environments (
	app         TEXT    NOT NULL REFERENCES apps (name),
	name        TEXT    NOT NULL,
	type        TEXT    NOT NULL,
	expires_at  BIGINT,
	cloned_from TEXT    NOT NULL DEFAULT '',
	created_at  BIGINT  NOT NULL,
	updated_at  BIGINT  NOT NULL,
	PRIMARY KEY (app, name)
);
CREATE INDEX environments_expires_at ON environments (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE workload_versions (
	app        TEXT    NOT NULL REFERENCES apps (name) ON DELETE CASCADE,
	workload   TEXT    NOT NULL,
	hash       TEXT    NOT NULL,
	score      BYTEA   NOT NULL,
	created_at BIGINT  NOT NULL,
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
	secret_outputs BYTEA,
	state          BYTEA,
	manifests      BYTEA,
	users          TEXT    NOT NULL,
	created_at     BIGINT  NOT NULL,
	updated_at     BIGINT  NOT NULL,
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
	created_at BIGINT  NOT NULL,
	FOREIGN KEY (app, env) REFERENCES environments (app, name) ON DELETE CASCADE
);
CREATE INDEX plans_env ON plans (app, env, id);
CREATE INDEX plans_hash ON plans (hash);

CREATE TABLE plan_approvals (
	plan_id TEXT    NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
	actor   TEXT    NOT NULL,
	comment TEXT    NOT NULL,
	time    BIGINT  NOT NULL,
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
	started_at  BIGINT  NOT NULL,
	finished_at BIGINT,
	error       TEXT    NOT NULL,
	owner       TEXT    NOT NULL,
	heartbeat   BIGINT  NOT NULL,
	event_seq   BIGINT  NOT NULL DEFAULT 0,
	FOREIGN KEY (app, env) REFERENCES environments (app, name) ON DELETE CASCADE
);
-- At most one active deployment per environment, whatever process asks.
CREATE UNIQUE INDEX deployments_one_active ON deployments (app, env) WHERE status IN ('pending', 'running');
CREATE INDEX deployments_env ON deployments (app, env, id);
CREATE INDEX deployments_heartbeat ON deployments (heartbeat) WHERE status IN ('pending', 'running');

CREATE TABLE deployment_events (
	deployment_id TEXT    NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
	seq           BIGINT  NOT NULL,
	node          TEXT    NOT NULL,
	phase         TEXT    NOT NULL,
	action        TEXT    NOT NULL,
	time          BIGINT  NOT NULL,
	duration      BIGINT  NOT NULL,
	message       TEXT    NOT NULL,
	PRIMARY KEY (deployment_id, seq)
);

CREATE TABLE audit (
	id         TEXT    NOT NULL PRIMARY KEY,
	time       BIGINT  NOT NULL,
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
CREATE FUNCTION pave_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit log is append-only';
END
$$;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
	FOR EACH ROW EXECUTE FUNCTION pave_audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
	FOR EACH STATEMENT EXECUTE FUNCTION pave_audit_append_only();

CREATE TABLE secrets (
	name       TEXT    NOT NULL PRIMARY KEY,
	value      BYTEA   NOT NULL,
	created_at BIGINT  NOT NULL,
	updated_at BIGINT  NOT NULL
);
