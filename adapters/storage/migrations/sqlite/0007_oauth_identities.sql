-- Third-party logins (QQ, WeChat): which account a provider identity logs in as.
-- Openids are per app, so (provider, app_id, openid) is the identity; the unique
-- index decides races between two bindings of it (sql_error.rs reads the
-- conflict from its name or columns). unionid is one person across a
-- provider's apps, when the provider gives it.
CREATE TABLE oauth_identities (
    id          INTEGER     PRIMARY KEY AUTOINCREMENT,
    provider    TEXT        NOT NULL,
    app_id      TEXT        NOT NULL,
    openid      TEXT        NOT NULL,
    unionid     TEXT        NULL,
    user_id     INTEGER     NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TIMESTAMP   NOT NULL
);

CREATE UNIQUE INDEX oauth_identities_identity_key ON oauth_identities (provider, app_id, openid);
CREATE INDEX oauth_identities_unionid ON oauth_identities (unionid) WHERE unionid IS NOT NULL;
CREATE INDEX oauth_identities_user ON oauth_identities (user_id);
