-- The retention job removes refresh tokens by expiry, oldest first; without this index
-- each of its batches would read the whole table.
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);
