-- Security-relevant events: who (if an account), what, from where, when.
CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    event       TEXT NOT NULL,
    ip          TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

CREATE INDEX audit_events_user ON audit_events (user_id, created_at);
