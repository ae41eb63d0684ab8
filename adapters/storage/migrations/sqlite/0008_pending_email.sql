-- An address set with PUT /email/ waits in pending_email until its link is
-- opened; only then does it move to email. So email holds verified addresses
-- only, and its unique index (users_email_key) covers exactly those: an
-- unverified address blocks nobody, and two accounts may wait for the same one
-- (the first to verify wins). email_active stays for readers of the table and
-- is true exactly when email is set.
ALTER TABLE users ADD COLUMN pending_email TEXT;

UPDATE users SET pending_email = email, email = NULL WHERE email IS NOT NULL AND NOT email_active;
