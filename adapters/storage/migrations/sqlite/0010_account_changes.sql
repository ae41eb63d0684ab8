-- The account-change log (see the PostgreSQL migration of the same name). SQLite
-- lets one writer in at a time, so `seq` follows commit order. Times are Unix
-- milliseconds.
--
-- A column added to `users` later must be added to the list of
-- `users_changed` unless it is as harmless to serve stale as `last_login`.
CREATE TABLE account_changes (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id  INTEGER NOT NULL,
    at       INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
);

CREATE INDEX account_changes_at ON account_changes (at);

CREATE TRIGGER users_created AFTER INSERT ON users
BEGIN
    INSERT INTO account_changes (user_id) VALUES (NEW.id);
END;

CREATE TRIGGER users_changed
    AFTER UPDATE OF username, mobile, email, email_active, pending_email, password_hash, nickname, avatar, gender,
        birthday, address, signature, date_joined, token_version ON users
BEGIN
    INSERT INTO account_changes (user_id) VALUES (NEW.id);
END;

CREATE TRIGGER users_deleted AFTER DELETE ON users
BEGIN
    INSERT INTO account_changes (user_id) VALUES (OLD.id);
END;

CREATE TRIGGER access_token_revoked AFTER INSERT ON revoked_access_tokens
BEGIN
    INSERT INTO account_changes (user_id) VALUES (NEW.user_id);
END;
