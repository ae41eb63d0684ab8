-- Account deletion (see the PostgreSQL migration of the same name).
ALTER TABLE users ADD COLUMN delete_after TIMESTAMP;
ALTER TABLE audit_events ADD COLUMN subject TEXT;

CREATE INDEX users_delete_after ON users (delete_after) WHERE delete_after IS NOT NULL;

-- Announced only when it actually changes: naming it in `users_changed`'s
-- column list would announce every login, whose UPDATE clears it.
CREATE TRIGGER users_deletion_changed
    AFTER UPDATE OF delete_after ON users
    FOR EACH ROW WHEN OLD.delete_after IS NOT NEW.delete_after
BEGIN
    INSERT INTO account_changes (user_id) VALUES (NEW.id);
END;
