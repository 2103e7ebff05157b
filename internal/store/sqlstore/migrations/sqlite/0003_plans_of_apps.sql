-- pave state, version 3 (SQLite): a plan belongs to its app rather than to
-- an existing environment, so that the plan of an environment not yet
-- created (its creation waits for an approval) can be stored. Deleting an
-- environment deletes its plans explicitly; deleting an app, its plans.
--
-- SQLite cannot drop a constraint: the tables are rebuilt. plan_approvals
-- is rebuilt first and dropped before plans, so that dropping plans (an
-- implicit DELETE) cascades to nothing.

CREATE TABLE plans_v3 (
	id         TEXT    NOT NULL PRIMARY KEY,
	hash       TEXT    NOT NULL,
	app        TEXT    NOT NULL REFERENCES apps (name) ON DELETE CASCADE,
	env        TEXT    NOT NULL,
	body       TEXT    NOT NULL,
	created_by TEXT    NOT NULL,
	created_at INTEGER NOT NULL
);
INSERT INTO plans_v3 (id, hash, app, env, body, created_by, created_at)
	SELECT id, hash, app, env, body, created_by, created_at FROM plans;

CREATE TABLE plan_approvals_v3 (
	plan_id TEXT    NOT NULL REFERENCES plans_v3 (id) ON DELETE CASCADE,
	actor   TEXT    NOT NULL,
	comment TEXT    NOT NULL,
	time    INTEGER NOT NULL,
	PRIMARY KEY (plan_id, actor)
);
INSERT INTO plan_approvals_v3 (plan_id, actor, comment, time)
	SELECT plan_id, actor, comment, time FROM plan_approvals;

DROP TABLE plan_approvals;
DROP TABLE plans;
ALTER TABLE plans_v3 RENAME TO plans;
ALTER TABLE plan_approvals_v3 RENAME TO plan_approvals;
CREATE INDEX plans_env ON plans (app, env, id);
CREATE INDEX plans_hash ON plans (hash);
