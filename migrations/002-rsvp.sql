-- RSVPs with guests, the waitlist, idempotent forms and the analytics log.
-- Counters on event are kept by triggers; a guard trigger refuses any change
-- that raises confirmed spots above the capacity, so no code path can
-- overbook (lowering the capacity below the count is allowed: nobody is
-- bumped, the event is just full).

ALTER TABLE event ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 0 CHECK (confirmed >= 0);
ALTER TABLE event ADD COLUMN waitlisted INTEGER NOT NULL DEFAULT 0 CHECK (waitlisted >= 0);

-- Server secret for signing form tokens and deriving manage links.
CREATE TABLE setting (
	key   TEXT PRIMARY KEY,
	value BLOB NOT NULL
) WITHOUT ROWID;
INSERT INTO setting (key, value) VALUES ('secret', randomblob(32));

CREATE TABLE rsvp (
	id            INTEGER PRIMARY KEY,           -- also the arrival order
	event_id      INTEGER NOT NULL REFERENCES event (id) ON DELETE CASCADE,
	token_hash    BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
	name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	email         TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
	guests        INTEGER NOT NULL CHECK (guests BETWEEN 0 AND 100),
	note          TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
	status        TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	checked_in_at INTEGER
);
-- One active RSVP per address per event.
CREATE UNIQUE INDEX rsvp_active_email ON rsvp (event_id, email) WHERE status <> 'cancelled';
CREATE INDEX rsvp_event_status ON rsvp (event_id, status, id);

-- Every status or party change, in order: what the admin figures read.
CREATE TABLE rsvp_log (
	id         INTEGER PRIMARY KEY,
	rsvp_id    INTEGER NOT NULL REFERENCES rsvp (id) ON DELETE CASCADE,
	event_id   INTEGER NOT NULL,
	action     TEXT NOT NULL CHECK (action IN ('rsvp', 'waitlist', 'promote', 'update', 'cancel')),
	old_status TEXT,
	new_status TEXT NOT NULL,
	spots      INTEGER NOT NULL,
	at         INTEGER NOT NULL
);
CREATE INDEX rsvp_log_event ON rsvp_log (event_id, id);

-- One-time form tokens that have been used, with what they did.
CREATE TABLE form_use (
	token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
	used_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX form_use_age ON form_use (used_at);

CREATE TRIGGER rsvp_counts_insert AFTER INSERT ON rsvp BEGIN
	UPDATE event SET
		confirmed = confirmed + iif(NEW.status = 'confirmed', 1 + NEW.guests, 0),
		waitlisted = waitlisted + iif(NEW.status = 'waitlisted', 1 + NEW.guests, 0),
		version = version + 1
	WHERE id = NEW.event_id;
	INSERT INTO rsvp_log (rsvp_id, event_id, action, old_status, new_status, spots, at)
	VALUES (NEW.id, NEW.event_id, iif(NEW.status = 'confirmed', 'rsvp', 'waitlist'),
		NULL, NEW.status, 1 + NEW.guests, NEW.updated_at);
END;

CREATE TRIGGER rsvp_counts_update AFTER UPDATE OF status, guests ON rsvp
WHEN OLD.status <> NEW.status OR OLD.guests <> NEW.guests BEGIN
	UPDATE event SET
		confirmed = confirmed - iif(OLD.status = 'confirmed', 1 + OLD.guests, 0)
			+ iif(NEW.status = 'confirmed', 1 + NEW.guests, 0),
		waitlisted = waitlisted - iif(OLD.status = 'waitlisted', 1 + OLD.guests, 0)
			+ iif(NEW.status = 'waitlisted', 1 + NEW.guests, 0),
		version = version + 1
	WHERE id = NEW.event_id;
	INSERT INTO rsvp_log (rsvp_id, event_id, action, old_status, new_status, spots, at)
	VALUES (NEW.id, NEW.event_id,
		CASE WHEN NEW.status = 'cancelled' THEN 'cancel'
		     WHEN OLD.status = 'waitlisted' AND NEW.status = 'confirmed' THEN 'promote'
		     ELSE 'update' END,
		OLD.status, NEW.status, 1 + NEW.guests, NEW.updated_at);
END;

CREATE TRIGGER rsvp_counts_delete AFTER DELETE ON rsvp BEGIN
	UPDATE event SET
		confirmed = confirmed - iif(OLD.status = 'confirmed', 1 + OLD.guests, 0),
		waitlisted = waitlisted - iif(OLD.status = 'waitlisted', 1 + OLD.guests, 0),
		version = version + 1
	WHERE id = OLD.event_id;
END;

-- The overbooking guard: a raise of confirmed spots must stay within capacity.
CREATE TRIGGER event_no_overbooking BEFORE UPDATE OF confirmed ON event
WHEN NEW.capacity IS NOT NULL AND NEW.confirmed > OLD.confirmed
     AND NEW.confirmed > NEW.capacity BEGIN
	SELECT RAISE(ABORT, 'overbooking: confirmed spots would exceed capacity');
END;

PRAGMA user_version = 2;
