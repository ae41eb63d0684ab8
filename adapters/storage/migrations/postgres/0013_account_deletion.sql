-- Account deletion (PIPL art. 47). `delete_after` is set when the person asks
-- for their account to be deleted, cleared by their next sign-in within the
-- cooling-off period, and once it has passed the retention job erases the
-- account: the row goes (its tokens and bindings with it), and the audit rows
-- that named it keep only `subject`, a random pseudonym shared by that
-- account's rows and nothing else.
ALTER TABLE users ADD COLUMN delete_after TIMESTAMPTZ;
ALTER TABLE audit_events ADD COLUMN subject TEXT;

CREATE INDEX users_delete_after ON users (delete_after) WHERE delete_after IS NOT NULL;

-- Announced only when it actually changes: naming it in `users_changed`'s
-- column list would announce every login, whose UPDATE clears it.
CREATE TRIGGER users_deletion_changed
    AFTER UPDATE OF delete_after ON users
    FOR EACH ROW WHEN (OLD.delete_after IS DISTINCT FROM NEW.delete_after)
    EXECUTE FUNCTION log_account_change();
