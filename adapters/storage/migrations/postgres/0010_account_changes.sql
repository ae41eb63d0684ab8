-- The account-change log: one row per change that an instance may hold in
-- memory (an account's row, except `last_login`, and every logged-out token),
-- written by triggers in the change's own transaction, so it holds exactly
-- the changes that committed, announced on Redis or not. Every instance reads
-- it (by transaction id: sequence numbers are not handed out in commit order)
-- and answers from memory only while it has read it lately. Times are Unix
-- milliseconds; the retention job deletes rows older than an hour.
--
-- A column added to `users` later must be added to the list of
-- `users_changed` unless it is as harmless to serve stale as `last_login`.
CREATE TABLE account_changes (
    seq      BIGSERIAL PRIMARY KEY,
    user_id  BIGINT    NOT NULL,
    tx       xid8      NOT NULL DEFAULT pg_current_xact_id(),
    at       BIGINT    NOT NULL DEFAULT (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT
);

CREATE INDEX account_changes_tx ON account_changes (tx);
CREATE INDEX account_changes_at ON account_changes (at);

CREATE FUNCTION log_account_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'users' THEN
        IF TG_OP = 'DELETE' THEN
            INSERT INTO account_changes (user_id) VALUES (OLD.id);
        ELSE
            INSERT INTO account_changes (user_id) VALUES (NEW.id);
        END IF;
    ELSE
        INSERT INTO account_changes (user_id) VALUES (NEW.user_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER users_created AFTER INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION log_account_change();
CREATE TRIGGER users_changed
    AFTER UPDATE OF username, mobile, email, email_active, pending_email, password_hash, nickname, avatar, gender,
        birthday, address, signature, date_joined, token_version ON users
    FOR EACH ROW EXECUTE FUNCTION log_account_change();
CREATE TRIGGER users_deleted AFTER DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION log_account_change();
CREATE TRIGGER access_token_revoked AFTER INSERT ON revoked_access_tokens
    FOR EACH ROW EXECUTE FUNCTION log_account_change();
