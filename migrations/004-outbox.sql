-- The outbox: every notification is a row written in the same transaction
-- as the change that causes it, so a change and its e-mail commit together
-- or not at all; turnout-worker delivers the rows. The triggers enqueue
-- on every RSVP status change, whatever code path made it (sign-up,
-- cancel, waitlist promotion after a cancel or a capacity change).
-- dedupe_key is unique per (cause, recipient): enqueueing twice is harmless
-- (ON CONFLICT DO NOTHING, never OR IGNORE: that would also skip, silently,
-- a row whose recipient fails its CHECK, instead of refusing the change).
-- Only plain data is stored (no prebuilt headers): the worker renders and
-- validates each message when it sends it.

CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY,
	kind            TEXT NOT NULL CHECK (kind IN ('confirmed', 'waitlisted', 'promoted',
	                'cancelled', 'reminder', 'resend')),
	dedupe_key      TEXT NOT NULL UNIQUE,
	recipient       TEXT NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254
	                AND recipient NOT GLOB ('*[' || char(1) || '-' || char(32, 127) || ']*')),
	name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	event_id        INTEGER NOT NULL REFERENCES event (id) ON DELETE CASCADE,
	rsvp_id         INTEGER REFERENCES rsvp (id) ON DELETE SET NULL,
	-- The plain manage token, only for the messages that carry the link
	-- (sign-up, resend); cleared once the message is sent or discarded.
	link_token      TEXT CHECK (link_token IS NULL OR length(link_token) = 32),
	state           TEXT NOT NULL DEFAULT 'pending'
	                CHECK (state IN ('pending', 'sending', 'sent', 'dead', 'discarded')),
	attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	next_attempt_at INTEGER NOT NULL,
	lease_until     INTEGER,
	last_error      TEXT,
	created_at      INTEGER NOT NULL,
	sent_at         INTEGER
);
-- The worker's queue: due rows in order.
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
-- The resend rate limit counts recent resends per address and event.
CREATE INDEX outbox_recipient ON outbox (recipient, event_id, kind, created_at);

CREATE TRIGGER outbox_rsvp_insert AFTER INSERT ON rsvp BEGIN
	INSERT INTO outbox (kind, dedupe_key, recipient, name, event_id, rsvp_id,
		next_attempt_at, created_at)
	VALUES (NEW.status, 'rsvp:' || NEW.id || ':' || NEW.status, NEW.email, NEW.name,
		NEW.event_id, NEW.id, NEW.updated_at, NEW.updated_at)
	ON CONFLICT (dedupe_key) DO NOTHING;
END;

CREATE TRIGGER outbox_rsvp_status AFTER UPDATE OF status ON rsvp
WHEN NEW.status = 'cancelled' OR (OLD.status = 'waitlisted' AND NEW.status = 'confirmed')
BEGIN
	INSERT INTO outbox (kind, dedupe_key, recipient, name, event_id, rsvp_id,
		next_attempt_at, created_at)
	VALUES (iif(NEW.status = 'cancelled', 'cancelled', 'promoted'),
		'rsvp:' || NEW.id || ':' || iif(NEW.status = 'cancelled', 'cancelled', 'promoted'),
		NEW.email, NEW.name, NEW.event_id, NEW.id, NEW.updated_at, NEW.updated_at)
	ON CONFLICT (dedupe_key) DO NOTHING;
END;

PRAGMA user_version = 4;
