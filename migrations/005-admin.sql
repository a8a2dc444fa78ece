-- The admin web page: admin accounts and their sessions, the editor's
-- optimistic lock, and who did what in the analytics log.

-- Admins log in with a name and a password (argon2id, crypto_pwhash_str).
-- failed counts wrong passwords in a row; after a few, logins wait until
-- locked_until (per-account back-off; nginx limits the rate per address).
CREATE TABLE admin_user (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL UNIQUE
	             CHECK (length(name) BETWEEN 1 AND 64 AND name NOT GLOB '*[^a-z0-9._-]*'),
	hash         TEXT NOT NULL CHECK (length(hash) <= 200),
	failed       INTEGER NOT NULL DEFAULT 0 CHECK (failed >= 0),
	locked_until INTEGER NOT NULL DEFAULT 0,
	created_at   INTEGER NOT NULL
);

-- Logged-in admins: only the hash of the cookie's random token is stored.
CREATE TABLE session (
	token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
	user_id    INTEGER NOT NULL REFERENCES admin_user (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX session_user ON session (user_id);

-- version changes with every RSVP (it is status.json's ETag); the editor's
-- optimistic lock needs a number only edits of the event itself change.
ALTER TABLE event ADD COLUMN edit_version INTEGER NOT NULL DEFAULT 1;

-- rsvp_log gains the actor (the admin's name; NULL = the visitor) and the
-- check-in actions, so the table is rebuilt. legacy_alter_table keeps the
-- rename from re-checking the triggers that name rsvp_log while it is gone.
PRAGMA legacy_alter_table = ON;
CREATE TABLE rsvp_log_new (
	id         INTEGER PRIMARY KEY,
	rsvp_id    INTEGER NOT NULL REFERENCES rsvp (id) ON DELETE CASCADE,
	event_id   INTEGER NOT NULL,
	action     TEXT NOT NULL CHECK (action IN ('rsvp', 'waitlist', 'promote', 'update',
	                                           'cancel', 'checkin', 'uncheckin')),
	old_status TEXT,
	new_status TEXT NOT NULL,
	spots      INTEGER NOT NULL,
	at         INTEGER NOT NULL,
	actor      TEXT
);
INSERT INTO rsvp_log_new SELECT *, NULL FROM rsvp_log;
DROP TABLE rsvp_log;
ALTER TABLE rsvp_log_new RENAME TO rsvp_log;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX rsvp_log_event ON rsvp_log (event_id, id);

-- Check-in at the door is logged like a status change (for no-show figures).
CREATE TRIGGER rsvp_checkin AFTER UPDATE OF checked_in_at ON rsvp
WHEN OLD.checked_in_at IS NOT NEW.checked_in_at BEGIN
	INSERT INTO rsvp_log (rsvp_id, event_id, action, old_status, new_status, spots, at)
	VALUES (NEW.id, NEW.event_id, iif(NEW.checked_in_at IS NULL, 'uncheckin', 'checkin'),
		NEW.status, NEW.status, 1 + NEW.guests, NEW.updated_at);
END;

PRAGMA user_version = 5;
