-- pave state, version 4: role bindings, the roles a user holds on one
-- team's apps or on one app (optionally only in environments of some
-- types), as a JSON list like roles and teams.

ALTER TABLE users ADD COLUMN bindings TEXT NOT NULL DEFAULT '[]';
