-- pave state, version 3 (PostgreSQL): a plan belongs to its app rather than
-- to an existing environment, so that the plan of an environment not yet
-- created (its creation waits for an approval) can be stored. Deleting an
-- environment deletes its plans explicitly; deleting an app, its plans.

ALTER TABLE plans DROP CONSTRAINT plans_app_env_fkey;
ALTER TABLE plans ADD CONSTRAINT plans_app_fkey FOREIGN KEY (app) REFERENCES apps (name) ON DELETE CASCADE;
