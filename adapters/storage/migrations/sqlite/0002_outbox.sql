-- Outgoing SMS and mail, written in the request and drained by workers.
-- Scheduling columns are Unix milliseconds so that comparisons are numeric.
CREATE TABLE outbox_messages (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    channel          TEXT    NOT NULL CHECK (channel IN ('sms', 'email')),
    recipient        TEXT    NOT NULL,
    purpose          TEXT    NOT NULL,
    code             TEXT,
    status           TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT  NOT NULL,
    locked_until     BIGINT,
    last_error       TEXT,
    created_at       TIMESTAMP NOT NULL,
    sent_at          TIMESTAMP
);

CREATE INDEX outbox_messages_due ON outbox_messages (next_attempt_at) WHERE status = 'pending';
