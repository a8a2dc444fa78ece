-- The login back-off per account and client address (issue 11): five wrong
-- passwords used to lock the account for everyone, so a stranger could
-- keep an organiser out. Now the failures of one address slow that
-- address only; nginx still limits how fast any address may try.

-- Wrong passwords in a row for one account from one source (an IPv4
-- address, or an IPv6 /64); after a few, that source waits until
-- locked_until. Rows quiet for a day are purged (logins and the worker).
CREATE TABLE login_fail (
	user_id      INTEGER NOT NULL REFERENCES admin_user (id) ON DELETE CASCADE,
	source       TEXT NOT NULL CHECK (length(source) <= 64),
	failed       INTEGER NOT NULL CHECK (failed >= 1),
	locked_until INTEGER NOT NULL,
	last_at      INTEGER NOT NULL,
	PRIMARY KEY (user_id, source)
) WITHOUT ROWID;
CREATE INDEX login_fail_last ON login_fail (last_at);

-- The account-wide counter it replaces.
ALTER TABLE admin_user DROP COLUMN failed;
ALTER TABLE admin_user DROP COLUMN locked_until;

PRAGMA user_version = 6;
