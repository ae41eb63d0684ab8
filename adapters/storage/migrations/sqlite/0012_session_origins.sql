-- What a person is shown about their sessions and sign-ins.
--
-- Each refresh token carries its session's start, the device it was signed in
-- from (a short name made from the User-Agent, never the header itself) and
-- the address of its latest use; a rotation copies the first two to the
-- successor, so the current member of a family describes the whole session.
-- NULL on tokens stored before this migration.
ALTER TABLE refresh_tokens ADD COLUMN session_started_at BIGINT;
ALTER TABLE refresh_tokens ADD COLUMN device TEXT;
ALTER TABLE refresh_tokens ADD COLUMN ip TEXT;

-- Sign-ins and refused sign-ins record how (password, sms, qq, wechat_web,
-- wechat_mp, refresh) and from what device; a row with a method is part of the
-- account's sign-in history. NULL on events that are not sign-ins, and on
-- every event recorded before this migration.
ALTER TABLE audit_events ADD COLUMN method TEXT;
ALTER TABLE audit_events ADD COLUMN device TEXT;
