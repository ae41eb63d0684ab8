-- Access tokens ended by logout, kept until they would have expired anyway
-- (Unix milliseconds). The per-user token version lives in users.token_version.
CREATE TABLE revoked_access_tokens (
    jti         TEXT   PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at  BIGINT NOT NULL
);

CREATE INDEX revoked_access_tokens_expiry ON revoked_access_tokens (expires_at);
