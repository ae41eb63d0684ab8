-- Refresh tokens, kept only as SHA-256 hashes, one family per login; each
-- rotation adds a member. Times are Unix milliseconds.
CREATE TABLE refresh_tokens (
    token_hash  TEXT   PRIMARY KEY,
    family      TEXT   NOT NULL,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    rotated_at  BIGINT,
    revoked_at  BIGINT
);

CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
