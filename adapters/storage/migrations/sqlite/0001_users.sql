-- Accounts. Usernames are unique case-insensitively (an index on lower()),
-- mobiles exactly (stored normalised to 11 digits), emails exactly (stored lower-cased).
CREATE TABLE users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    username       TEXT    NOT NULL,
    mobile         TEXT,
    email          TEXT,
    email_active   BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash  TEXT,
    nickname       TEXT,
    avatar         TEXT,
    gender         TEXT    NOT NULL DEFAULT 'unknown' CHECK (gender IN ('male', 'female', 'unknown')),
    birthday       DATE,
    address        TEXT,
    signature      TEXT,
    date_joined    TIMESTAMP NOT NULL,
    last_login     TIMESTAMP,
    token_version  INTEGER NOT NULL DEFAULT 0
);

CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_mobile_key ON users (mobile);
CREATE UNIQUE INDEX users_email_key ON users (email);
