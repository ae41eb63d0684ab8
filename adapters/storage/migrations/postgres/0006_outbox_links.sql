-- Email-binding mails carry a verification link instead of a code; wiped like the code once settled.
ALTER TABLE outbox_messages ADD COLUMN link TEXT;
