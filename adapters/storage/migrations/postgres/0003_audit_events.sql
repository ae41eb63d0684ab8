-- Security-relevant events: who (if an account), what, from where, when.
CREATE TABLE audit_events (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    event       TEXT NOT NULL,
    ip          TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE INDEX audit_events_user ON audit_events (user_id, created_at);
