-- Turnout schema: the one source of truth. turnout-admin init runs this file
-- on an empty database; changes to an existing database go in
-- migrations/NNN-name.sql, each ending with PRAGMA user_version = NNN, and
-- are mirrored here so a fresh database and a migrated one are the same.
-- Times are unix seconds, UTC.
-- A CHECK or a trigger's WHEN lists three or more values with OR, never
-- IN: SQLite builds a temporary index of an IN list for every row it
-- checks (migrations/025-check-lists.sql).

CREATE TABLE event (
	id             INTEGER PRIMARY KEY,
	slug           TEXT NOT NULL UNIQUE
	               CHECK (length(slug) BETWEEN 1 AND 64
	                      AND slug NOT GLOB '*[^a-z0-9-]*'
	                      AND substr(slug, 1, 1) <> '-'),
	title          TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	description    TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
	location       TEXT NOT NULL DEFAULT '' CHECK (length(location) <= 200),
	starts_at      INTEGER NOT NULL,
	ends_at        INTEGER CHECK (ends_at IS NULL OR ends_at >= starts_at),
	status         TEXT NOT NULL DEFAULT 'draft'
	               CHECK (status = 'draft' OR status = 'published'
	                      OR status = 'cancelled'),
	capacity       INTEGER CHECK (capacity IS NULL OR capacity >= 0),  -- NULL: unlimited
	max_guests     INTEGER NOT NULL DEFAULT 0 CHECK (max_guests BETWEEN 0 AND 100),
	rsvp_opens_at  INTEGER,                                            -- NULL: open now
	rsvp_closes_at INTEGER,                                            -- NULL: until it starts
	version        INTEGER NOT NULL DEFAULT 1,
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL,
	confirmed      INTEGER NOT NULL DEFAULT 0 CHECK (confirmed >= 0),   -- spots, by trigger
	waitlisted     INTEGER NOT NULL DEFAULT 0 CHECK (waitlisted >= 0),  -- spots, by trigger
	-- version changes with every RSVP (status.json's ETag); edit_version
	-- only with edits of the event itself: the editor's optimistic lock.
	edit_version   INTEGER NOT NULL DEFAULT 1,
	-- 1 once its reminders are enqueued (migrations/007-history.sql).
	reminded       INTEGER NOT NULL DEFAULT 0 CHECK (reminded IN (0, 1)),
	-- 'drop': a limited drop (drop_* tables) instead of RSVPs.
	kind           TEXT NOT NULL DEFAULT 'rsvp' CHECK (kind IN ('rsvp', 'drop')),
	-- The organiser's address: replies to the event's e-mails go there
	-- (migrations/020-organiser-contact.sql). NULL: none.
	contact        TEXT CHECK (contact IS NULL OR
	               (length(contact) BETWEEN 3 AND 254
	               AND contact NOT GLOB ('*[' || char(1) || '-' || char(32, 127) || ']*')))
);

CREATE INDEX event_upcoming ON event (status, starts_at);
-- Events not over yet, without walking the past ones.
CREATE INDEX event_end ON event (coalesce(ends_at, starts_at));

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
	status        TEXT NOT NULL CHECK (status = 'confirmed' OR status = 'waitlisted'
	                                   OR status = 'cancelled'),
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	checked_in_at INTEGER
);
-- One active RSVP per address per event.
CREATE UNIQUE INDEX rsvp_active_email ON rsvp (event_id, email) WHERE status <> 'cancelled';
-- With the party size: the waitlist position reads only the index.
CREATE INDEX rsvp_event_status ON rsvp (event_id, status, id, guests);
-- The newest sign-ups still active (event and live pages).
CREATE INDEX rsvp_event_active ON rsvp (event_id, id) WHERE status <> 'cancelled';
-- An address's RSVPs across events, newest first ("my sign-ups").
CREATE INDEX rsvp_email ON rsvp (email, id);
-- Several live links per RSVP: "e-mail me my link" and a promotion each
-- add one, so the link a person has keeps working; "replace my link"
-- drops them all and gives the RSVP a new first one (rsvp.token_hash).
-- Only hashes are stored, as for the first link.
CREATE TABLE rsvp_link (
	token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
	rsvp_id    INTEGER NOT NULL REFERENCES rsvp (id) ON DELETE CASCADE,
	made_at    INTEGER NOT NULL,
	-- The "my sign-ups" link it was opened from (migrations/018-mine.sql):
	-- revoking that link ends this one too. NULL: a sign-up's or a resend's.
	mine_id    INTEGER
) WITHOUT ROWID;
CREATE INDEX rsvp_link_rsvp ON rsvp_link (rsvp_id);
CREATE INDEX rsvp_link_mine ON rsvp_link (mine_id) WHERE mine_id IS NOT NULL;
-- Door mode: the confirmed parties of an event in alphabetical order.
CREATE INDEX rsvp_door ON rsvp (event_id, name COLLATE NOCASE, id)
	WHERE status = 'confirmed';
-- The earliest waiting party of each size (promotion).
CREATE INDEX rsvp_waitlist_size ON rsvp (event_id, guests, id) WHERE status = 'waitlisted';

-- Every status or party change, in order: what the admin figures read.
CREATE TABLE rsvp_log (
	id         INTEGER PRIMARY KEY,
	rsvp_id    INTEGER NOT NULL REFERENCES rsvp (id) ON DELETE CASCADE,
	event_id   INTEGER NOT NULL,
	action     TEXT NOT NULL CHECK (action = 'rsvp' OR action = 'waitlist'
	                                OR action = 'promote' OR action = 'update'
	                                OR action = 'cancel' OR action = 'checkin'
	                                OR action = 'uncheckin' OR action = 'score'
	                                OR action = 'void' OR action = 'correct'),
	old_status TEXT,
	new_status TEXT NOT NULL,
	spots      INTEGER NOT NULL,
	at         INTEGER NOT NULL,
	actor      TEXT,                             -- the admin's name; NULL: the visitor
	score_id   INTEGER                           -- score, void, correct: the score
);
CREATE INDEX rsvp_log_event ON rsvp_log (event_id, id);
-- An RSVP's log rows by action: its first promotion, its wait.
CREATE INDEX rsvp_log_rsvp ON rsvp_log (rsvp_id, action, id);
-- The score rows of an event and of an entry, newest last (the score log).
CREATE INDEX rsvp_log_scores ON rsvp_log (event_id, id) WHERE score_id IS NOT NULL;
CREATE INDEX rsvp_log_entry_scores ON rsvp_log (rsvp_id, id) WHERE score_id IS NOT NULL;

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

-- Check-in at the door is logged like a status change (for no-show figures).
CREATE TRIGGER rsvp_checkin AFTER UPDATE OF checked_in_at ON rsvp
WHEN OLD.checked_in_at IS NOT NEW.checked_in_at BEGIN
	INSERT INTO rsvp_log (rsvp_id, event_id, action, old_status, new_status, spots, at)
	VALUES (NEW.id, NEW.event_id, iif(NEW.checked_in_at IS NULL, 'uncheckin', 'checkin'),
		NEW.status, NEW.status, 1 + NEW.guests, NEW.updated_at);
END;

-- The overbooking guard: a raise of confirmed spots must stay within capacity.
CREATE TRIGGER event_no_overbooking BEFORE UPDATE OF confirmed ON event
WHEN NEW.capacity IS NOT NULL AND NEW.confirmed > OLD.confirmed
     AND NEW.confirmed > NEW.capacity BEGIN
	SELECT RAISE(ABORT, 'overbooking: confirmed spots would exceed capacity');
END;

-- The potluck sheet (migrations/003-potluck.sql): item.pledged and
-- item.version are kept by triggers; capped items refuse over-pledging by CHECK.

CREATE TABLE item (
	id         INTEGER PRIMARY KEY,
	event_id   INTEGER NOT NULL REFERENCES event (id) ON DELETE CASCADE,
	name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	category   TEXT NOT NULL DEFAULT 'other'
	           CHECK (category = 'food' OR category = 'drink' OR category = 'utensil'
	                  OR category = 'decoration' OR category = 'other'),
	suggested  INTEGER NOT NULL CHECK (suggested BETWEEN 1 AND 10000),
	capped     INTEGER NOT NULL DEFAULT 0 CHECK (capped IN (0, 1)),
	unit       TEXT NOT NULL DEFAULT '' CHECK (length(unit) <= 30),
	position   INTEGER NOT NULL DEFAULT 0,
	pledged    INTEGER NOT NULL DEFAULT 0 CHECK (pledged >= 0),   -- by trigger
	version    INTEGER NOT NULL DEFAULT 1,                        -- by trigger
	pledges    INTEGER NOT NULL DEFAULT 0 CHECK (pledges >= 0),   -- by trigger
	CHECK (capped = 0 OR pledged <= suggested)
);
CREATE INDEX item_event ON item (event_id, position, id);

-- One participant's quantity of one item; changing it replaces it.
CREATE TABLE pledge (
	id         INTEGER PRIMARY KEY,
	item_id    INTEGER NOT NULL REFERENCES item (id) ON DELETE CASCADE,
	rsvp_id    INTEGER NOT NULL REFERENCES rsvp (id) ON DELETE CASCADE,
	quantity   INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	UNIQUE (item_id, rsvp_id)
);
CREATE INDEX pledge_rsvp ON pledge (rsvp_id);
-- The first pledgers of an item, in order.
CREATE INDEX pledge_item ON pledge (item_id, id);

-- Only an active RSVP of the item's own event may pledge.
CREATE TRIGGER pledge_guard BEFORE INSERT ON pledge
WHEN (SELECT event_id FROM item WHERE id = NEW.item_id) IS NOT
     (SELECT event_id FROM rsvp WHERE id = NEW.rsvp_id AND status <> 'cancelled') BEGIN
	SELECT RAISE(ABORT, 'pledge: not an active RSVP of the item''s event');
END;

CREATE TRIGGER pledge_counts_insert AFTER INSERT ON pledge BEGIN
	UPDATE item SET pledged = pledged + NEW.quantity, pledges = pledges + 1,
		version = version + 1
	WHERE id = NEW.item_id;
END;

CREATE TRIGGER pledge_counts_update AFTER UPDATE OF quantity ON pledge BEGIN
	UPDATE item SET pledged = pledged - OLD.quantity + NEW.quantity, version = version + 1
	WHERE id = NEW.item_id;
END;

CREATE TRIGGER pledge_counts_delete AFTER DELETE ON pledge BEGIN
	UPDATE item SET pledged = pledged - OLD.quantity, pledges = pledges - 1,
		version = version + 1
	WHERE id = OLD.item_id;
END;

-- A cancelled RSVP releases its pledges in the cancelling transaction.
CREATE TRIGGER rsvp_cancel_releases_pledges AFTER UPDATE OF status ON rsvp
WHEN NEW.status = 'cancelled' AND OLD.status <> 'cancelled' BEGIN
	DELETE FROM pledge WHERE rsvp_id = NEW.id;
END;

CREATE TRIGGER item_event_version_insert AFTER INSERT ON item BEGIN
	UPDATE event SET version = version + 1 WHERE id = NEW.event_id;
END;

CREATE TRIGGER item_event_version_update AFTER UPDATE ON item BEGIN
	UPDATE event SET version = version + 1 WHERE id = NEW.event_id;
END;

CREATE TRIGGER item_event_version_delete AFTER DELETE ON item BEGIN
	UPDATE event SET version = version + 1 WHERE id = OLD.event_id;
END;

-- The outbox: every notification, written in the transaction that causes
-- it; turnout-worker delivers it (see migrations/004-outbox.sql).
CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY,
	kind            TEXT NOT NULL CHECK (kind = 'confirmed' OR kind = 'waitlisted'
	                                     OR kind = 'promoted' OR kind = 'cancelled'
	                                     OR kind = 'reminder' OR kind = 'resend'
	                                     OR kind = 'claimed'
	                                     OR kind = 'claim_cancelled' OR kind = 'mine'
	                                     OR kind = 'alert'),
	dedupe_key      TEXT NOT NULL UNIQUE,
	recipient       TEXT NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254
	                AND recipient NOT GLOB ('*[' || char(1) || '-' || char(32, 127) || ']*')),
	name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	-- NULL only for a "my sign-ups" link (kind 'mine'), about no one event,
	-- and an alert to the admins (alert_to, migrations/022-alerts.sql),
	-- about the site.
	event_id        INTEGER REFERENCES event (id) ON DELETE CASCADE
	                CHECK ((event_id IS NULL) = (kind IN ('mine', 'alert'))),
	rsvp_id         INTEGER REFERENCES rsvp (id) ON DELETE SET NULL,
	-- The plain manage token, only for the messages that carry the link
	-- (sign-up, resend), or the "my sign-ups" token (mine); cleared once
	-- the message is sent or discarded.
	link_token      TEXT CHECK (link_token IS NULL OR length(link_token) = 32),
	state           TEXT NOT NULL DEFAULT 'pending'
	                CHECK (state = 'pending' OR state = 'sending' OR state = 'sent'
	                       OR state = 'dead' OR state = 'discarded'),
	attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	next_attempt_at INTEGER NOT NULL,
	lease_until     INTEGER,
	last_error      TEXT,
	created_at      INTEGER NOT NULL,
	sent_at         INTEGER,
	-- A drop's claim the message is about (claimed, claim_cancelled).
	hold_id         INTEGER REFERENCES drop_hold (id) ON DELETE SET NULL,
	-- A cancellation an organiser made, with their message to the person.
	by_organiser    INTEGER NOT NULL DEFAULT 0 CHECK (by_organiser IN (0, 1)),
	message         TEXT CHECK (message IS NULL OR length(message) BETWEEN 1 AND 1000)
);
-- The worker's queue holds only what is to send; the admin's dead letters,
-- the purge's old rows and an RSVP's messages each their own.
CREATE INDEX outbox_queue ON outbox (next_attempt_at, id) WHERE state IN ('pending', 'sending');
CREATE INDEX outbox_dead ON outbox (id) WHERE state = 'dead';
CREATE INDEX outbox_done ON outbox (created_at) WHERE state IN ('sent', 'discarded');
CREATE INDEX outbox_rsvp ON outbox (rsvp_id);
-- The resend rate limit counts recent resends per address and event.
CREATE INDEX outbox_recipient ON outbox (recipient, event_id, kind, created_at);
-- A claim's messages (the foreign key's searches).
CREATE INDEX outbox_hold ON outbox (hold_id);

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

-- Messages per state (the admin pages), kept by triggers.
CREATE TABLE outbox_count (
	state TEXT PRIMARY KEY,
	n     INTEGER NOT NULL CHECK (n >= 0)
) WITHOUT ROWID;
INSERT INTO outbox_count (state, n)
	VALUES ('pending', 0), ('sending', 0), ('sent', 0), ('dead', 0), ('discarded', 0);

CREATE TRIGGER outbox_count_insert AFTER INSERT ON outbox BEGIN
	UPDATE outbox_count SET n = n + 1 WHERE state = NEW.state;
END;

CREATE TRIGGER outbox_count_update AFTER UPDATE OF state ON outbox
WHEN OLD.state <> NEW.state BEGIN
	UPDATE outbox_count SET n = n - 1 WHERE state = OLD.state;
	UPDATE outbox_count SET n = n + 1 WHERE state = NEW.state;
END;

CREATE TRIGGER outbox_count_delete AFTER DELETE ON outbox BEGIN
	UPDATE outbox_count SET n = n - 1 WHERE state = OLD.state;
END;

-- Admin accounts and sessions (migrations/005-admin.sql, 006-login.sql).
-- Admins log in with a name and a password (argon2id, crypto_pwhash_str).
CREATE TABLE admin_user (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL UNIQUE
	             CHECK (length(name) BETWEEN 1 AND 64 AND name NOT GLOB '*[^a-z0-9._-]*'),
	hash         TEXT NOT NULL CHECK (length(hash) <= 200),
	created_at   INTEGER NOT NULL,
	role         TEXT NOT NULL DEFAULT 'admin'
	             CHECK (role = 'admin' OR role = 'organiser' OR role = 'scorekeeper'),
	last_login_at INTEGER,
	disabled_at  INTEGER                         -- NULL: may log in
);

-- There is always an admin who can log in: the last enabled admin cannot
-- be removed, demoted or disabled (migrations/011-accounts.sql).
CREATE TRIGGER admin_user_last_admin_delete BEFORE DELETE ON admin_user
WHEN OLD.role = 'admin' AND OLD.disabled_at IS NULL
     AND NOT EXISTS (SELECT 1 FROM admin_user WHERE role = 'admin' AND disabled_at IS NULL
                     AND id <> OLD.id) BEGIN
	SELECT RAISE(ABORT, 'admin_user: the last admin stays');
END;
CREATE TRIGGER admin_user_last_admin_update BEFORE UPDATE OF role, disabled_at ON admin_user
WHEN OLD.role = 'admin' AND OLD.disabled_at IS NULL
     AND (NEW.role <> 'admin' OR NEW.disabled_at IS NOT NULL)
     AND NOT EXISTS (SELECT 1 FROM admin_user WHERE role = 'admin' AND disabled_at IS NULL
                     AND id <> OLD.id) BEGIN
	SELECT RAISE(ABORT, 'admin_user: the last admin stays');
END;

-- Wrong passwords in a row for one account from one source (an IPv4
-- address, or an IPv6 /64); after a few, that source waits until
-- locked_until (a back-off per account and address: a stranger's failures
-- do not lock the organiser out; nginx limits the rate per address).
-- Rows quiet for a day are purged (logins and the worker).
CREATE TABLE login_fail (
	user_id      INTEGER NOT NULL REFERENCES admin_user (id) ON DELETE CASCADE,
	source       TEXT NOT NULL CHECK (length(source) <= 64),
	failed       INTEGER NOT NULL CHECK (failed >= 1),
	locked_until INTEGER NOT NULL,
	last_at      INTEGER NOT NULL,
	PRIMARY KEY (user_id, source)
) WITHOUT ROWID;
CREATE INDEX login_fail_last ON login_fail (last_at);

-- Logged-in admins: only the hash of the cookie's random token is stored.
CREATE TABLE session (
	token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
	user_id    INTEGER NOT NULL REFERENCES admin_user (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX session_user ON session (user_id);

-- The admin figures of an event (parties, not spots; migrations/007-history.sql),
-- kept by triggers:
-- from the log, sign-ups confirmed at once (direct) or waitlisted,
-- cancellations, parties promoted at least once, promotions with a wait;
-- from rsvp, parties confirmed now and those of them checked in.
CREATE TABLE event_figures (
	event_id   INTEGER PRIMARY KEY REFERENCES event (id) ON DELETE CASCADE,
	direct     INTEGER NOT NULL DEFAULT 0,
	waitlisted INTEGER NOT NULL DEFAULT 0,
	cancels    INTEGER NOT NULL DEFAULT 0,
	promoted   INTEGER NOT NULL DEFAULT 0,
	waits      INTEGER NOT NULL DEFAULT 0,
	confirmed  INTEGER NOT NULL DEFAULT 0 CHECK (confirmed >= 0),
	checked_in INTEGER NOT NULL DEFAULT 0 CHECK (checked_in >= 0),
	-- Addresses that signed up, and of them those that had signed up to
	-- another event before (migrations/021-came_back.sql).
	people     INTEGER NOT NULL DEFAULT 0,
	came_back  INTEGER NOT NULL DEFAULT 0
);

-- Each promoted party's wait: seconds from joining the waitlist to its
-- first promotion after that (the median is read in wait order).
CREATE TABLE event_wait (
	id       INTEGER PRIMARY KEY,
	event_id INTEGER NOT NULL REFERENCES event (id) ON DELETE CASCADE,
	wait     INTEGER NOT NULL
);
CREATE INDEX event_wait_order ON event_wait (event_id, wait);

CREATE TRIGGER event_figures_new AFTER INSERT ON event BEGIN
	INSERT INTO event_figures (event_id) VALUES (NEW.id);
END;

CREATE TRIGGER rsvp_log_figures AFTER INSERT ON rsvp_log BEGIN
	UPDATE event_figures SET
		direct = direct + (NEW.action = 'rsvp'),
		waitlisted = waitlisted + (NEW.action = 'waitlist'),
		cancels = cancels + (NEW.action = 'cancel'),
		promoted = promoted + (NEW.action = 'promote' AND NOT EXISTS (SELECT 1 FROM rsvp_log p
			WHERE p.rsvp_id = NEW.rsvp_id AND p.action = 'promote' AND p.id < NEW.id))
	WHERE event_id = NEW.event_id;
	-- A promotion ends each wait of the party that no promotion ended yet.
	INSERT INTO event_wait (event_id, wait)
	SELECT NEW.event_id, NEW.at - w.at FROM rsvp_log w
	WHERE NEW.action = 'promote' AND w.rsvp_id = NEW.rsvp_id AND w.action = 'waitlist'
		AND w.id < NEW.id AND NOT EXISTS (SELECT 1 FROM rsvp_log p
		WHERE p.rsvp_id = NEW.rsvp_id AND p.action = 'promote' AND p.id > w.id
		AND p.id < NEW.id);
END;

-- The figures page's curves: sign-ups, cancellations and waitlist changes
-- per time bucket, 1/600 of the time from the event's creation to its
-- start and at least a minute (migrations/017-figures-curve.sql).
CREATE TABLE event_curve (
	event_id INTEGER NOT NULL REFERENCES event (id) ON DELETE CASCADE,
	at       INTEGER NOT NULL,	-- the bucket's start
	signups  INTEGER NOT NULL,	-- parties that signed up (confirmed or waitlisted)
	cancels  INTEGER NOT NULL,	-- cancellations and removals
	waiting  INTEGER NOT NULL,	-- change in the parties waiting
	PRIMARY KEY (event_id, at)
) WITHOUT ROWID;

CREATE TRIGGER rsvp_log_curve AFTER INSERT ON rsvp_log
WHEN NEW.action = 'rsvp' OR NEW.action = 'waitlist' OR NEW.action = 'promote'
	OR NEW.action = 'cancel' BEGIN
	INSERT INTO event_curve (event_id, at, signups, cancels, waiting)
	SELECT NEW.event_id, NEW.at - NEW.at % max(60, (starts_at - created_at) / 600),
		NEW.action IN ('rsvp', 'waitlist'), NEW.action = 'cancel',
		(NEW.action = 'waitlist') - (NEW.action = 'promote'
			OR coalesce(NEW.old_status, '') = 'waitlisted')
	FROM event WHERE id = NEW.event_id
	ON CONFLICT (event_id, at) DO UPDATE SET signups = signups + excluded.signups,
		cancels = cancels + excluded.cancels, waiting = waiting + excluded.waiting;
END;

-- Who comes back, across all events: addresses that ever signed up, and
-- the sign-ups from addresses seen at another event before.
CREATE TABLE site_figures (
	id        INTEGER PRIMARY KEY CHECK (id = 1),
	people    INTEGER NOT NULL,	-- addresses that ever signed up
	came_back INTEGER NOT NULL	-- first sign-ups to an event by an address seen at another before
);

INSERT INTO site_figures (id, people, came_back) VALUES (1, 0, 0);

-- An address's first sign-up to an event counts it there, and as
-- came_back if it signed up to another event before.
CREATE TRIGGER rsvp_returning AFTER INSERT ON rsvp
WHEN NOT EXISTS (SELECT 1 FROM rsvp f WHERE f.email = NEW.email AND f.id < NEW.id
	AND f.event_id = NEW.event_id) BEGIN
	UPDATE event_figures SET people = people + 1,
		came_back = came_back + EXISTS (SELECT 1 FROM rsvp o WHERE o.email = NEW.email
			AND o.id < NEW.id AND o.event_id <> NEW.event_id)
	WHERE event_id = NEW.event_id;
	UPDATE site_figures SET
		people = people + NOT EXISTS (SELECT 1 FROM rsvp o WHERE o.email = NEW.email
			AND o.id < NEW.id),
		came_back = came_back + EXISTS (SELECT 1 FROM rsvp o WHERE o.email = NEW.email
			AND o.id < NEW.id AND o.event_id <> NEW.event_id)
	WHERE id = 1;
END;

CREATE TRIGGER event_wait_count AFTER INSERT ON event_wait BEGIN
	UPDATE event_figures SET waits = waits + 1 WHERE event_id = NEW.event_id;
END;

CREATE TRIGGER rsvp_figures_insert AFTER INSERT ON rsvp BEGIN
	UPDATE event_figures SET
		confirmed = confirmed + (NEW.status = 'confirmed'),
		checked_in = checked_in + (NEW.status = 'confirmed' AND NEW.checked_in_at IS NOT NULL)
	WHERE event_id = NEW.event_id;
END;

CREATE TRIGGER rsvp_figures_update AFTER UPDATE OF status, checked_in_at ON rsvp BEGIN
	UPDATE event_figures SET
		confirmed = confirmed - (OLD.status = 'confirmed') + (NEW.status = 'confirmed'),
		checked_in = checked_in
			- (OLD.status = 'confirmed' AND OLD.checked_in_at IS NOT NULL)
			+ (NEW.status = 'confirmed' AND NEW.checked_in_at IS NOT NULL)
	WHERE event_id = NEW.event_id;
END;

CREATE TRIGGER rsvp_figures_delete AFTER DELETE ON rsvp BEGIN
	UPDATE event_figures SET
		confirmed = confirmed - (OLD.status = 'confirmed'),
		checked_in = checked_in - (OLD.status = 'confirmed' AND OLD.checked_in_at IS NOT NULL)
	WHERE event_id = OLD.event_id;
END;

-- Limited drops: an event of kind 'drop' sells or gives away items in
-- variants, each with a stock. A visitor's hold reserves units for a short
-- time and must be claimed before it expires. The counters on
-- drop_variant (held, claimed) are kept by triggers from the holds'
-- statuses, and a guard trigger refuses any change that would take
-- held + claimed above the stock, so no code path can oversell; lowering
-- the stock below held + claimed is allowed (the holds run out), below
-- claimed it is refused (nobody loses a claim).
-- Hold times (created_at, expires_at, updated_at of drop_hold and the
-- log's at) are unix MILLISECONDS: a hold is live while now < expires_at,
-- so a claim 1 ms before the expiry wins and one at the expiry is refused.

-- One row per drop; the sale window is the event's rsvp_opens_at/closes_at.
CREATE TABLE drop_setting (
	event_id     INTEGER PRIMARY KEY REFERENCES event (id) ON DELETE CASCADE,
	per_person   INTEGER NOT NULL DEFAULT 1 CHECK (per_person BETWEEN 1 AND 100),
	hold_seconds INTEGER NOT NULL DEFAULT 60 CHECK (hold_seconds BETWEEN 15 AND 1800),
	renewals     INTEGER NOT NULL DEFAULT 2 CHECK (renewals BETWEEN 0 AND 10),
	pickup       TEXT NOT NULL DEFAULT '' CHECK (length(pickup) <= 2000)
);

CREATE TABLE drop_item (
	id          INTEGER PRIMARY KEY,
	event_id    INTEGER NOT NULL REFERENCES drop_setting (event_id) ON DELETE CASCADE,
	name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	price       TEXT NOT NULL DEFAULT '' CHECK (length(price) <= 100),
	description TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
	position    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX drop_item_event ON drop_item (event_id, position, id);

CREATE TABLE drop_variant (
	id       INTEGER PRIMARY KEY,
	item_id  INTEGER NOT NULL REFERENCES drop_item (id) ON DELETE CASCADE,
	name     TEXT NOT NULL DEFAULT '' CHECK (length(name) <= 50),
	stock    INTEGER NOT NULL CHECK (stock BETWEEN 0 AND 1000000),
	held     INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0),      -- by trigger
	claimed  INTEGER NOT NULL DEFAULT 0 CHECK (claimed >= 0),   -- by trigger
	position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX drop_variant_item ON drop_variant (item_id, position, id);

CREATE TABLE drop_hold (
	id           INTEGER PRIMARY KEY,
	event_id     INTEGER NOT NULL REFERENCES drop_setting (event_id) ON DELETE CASCADE,
	variant_id   INTEGER NOT NULL REFERENCES drop_variant (id) ON DELETE CASCADE,
	token_hash   BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
	quantity     INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 100),
	name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	email        TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
	status       TEXT NOT NULL DEFAULT 'live'
	             CHECK (status = 'live' OR status = 'claimed' OR status = 'released'
	                    OR status = 'expired' OR status = 'cancelled'),
	hold_ms      INTEGER NOT NULL CHECK (hold_ms BETWEEN 15000 AND 1800000),
	renewals     INTEGER NOT NULL DEFAULT 0,
	max_renewals INTEGER NOT NULL CHECK (max_renewals BETWEEN 0 AND 10),
	created_at   INTEGER NOT NULL,                       -- ms
	expires_at   INTEGER NOT NULL,                       -- ms
	updated_at   INTEGER NOT NULL,                       -- ms
	updated_by   TEXT,                                   -- the admin; NULL: the visitor
	CHECK (renewals BETWEEN 0 AND max_renewals),
	-- However the clock moves, a hold lasts at most its first hold time
	-- plus one full hold time per renewal it was given.
	CHECK (expires_at > created_at AND expires_at <= created_at + hold_ms * (1 + renewals))
);
-- One live hold per address per drop; the holds that can run out, by expiry.
CREATE UNIQUE INDEX drop_hold_live_email ON drop_hold (event_id, email) WHERE status = 'live';
CREATE INDEX drop_hold_live ON drop_hold (event_id, expires_at) WHERE status = 'live';
CREATE INDEX drop_hold_email ON drop_hold (event_id, email, status);
CREATE INDEX drop_hold_variant ON drop_hold (variant_id, status);
-- An address's holds across drops, newest first ("my sign-ups").
CREATE INDEX drop_hold_by_email ON drop_hold (email, id);
-- More links to a hold: "my sign-ups" opens each hold at one of its own
-- (migrations/019-hold-links.sql), as it does each RSVP (rsvp_link); only
-- hashes are stored, and revoking that page's link (mine_id) deletes them.
CREATE TABLE hold_link (
	token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
	hold_id    INTEGER NOT NULL REFERENCES drop_hold (id) ON DELETE CASCADE,
	made_at    INTEGER NOT NULL,
	mine_id    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX hold_link_hold ON hold_link (hold_id);
CREATE INDEX hold_link_mine ON hold_link (mine_id);

-- A claimed hold's order: its number at this drop and the price then.
CREATE TABLE drop_claim (
	id           INTEGER PRIMARY KEY,
	hold_id      INTEGER NOT NULL UNIQUE REFERENCES drop_hold (id) ON DELETE CASCADE,
	event_id     INTEGER NOT NULL REFERENCES drop_setting (event_id) ON DELETE CASCADE,
	number       INTEGER NOT NULL CHECK (number >= 1),
	price        TEXT NOT NULL CHECK (length(price) <= 100),
	created_at   INTEGER NOT NULL,                       -- s
	picked_up_at INTEGER,                                -- s
	paid_at      INTEGER,                                -- s
	UNIQUE (event_id, number)
);

-- Every hold, renewal, claim, release, expiry and cancellation, in order:
-- the activity feed and the figures read it.
CREATE TABLE drop_log (
	id         INTEGER PRIMARY KEY,
	event_id   INTEGER NOT NULL,
	hold_id    INTEGER NOT NULL REFERENCES drop_hold (id) ON DELETE CASCADE,
	variant_id INTEGER NOT NULL,
	action     TEXT NOT NULL
	           CHECK (action = 'hold' OR action = 'renew' OR action = 'claim'
	                  OR action = 'release' OR action = 'expire' OR action = 'cancel'),
	quantity   INTEGER NOT NULL,
	at         INTEGER NOT NULL,                         -- ms
	actor      TEXT
);
CREATE INDEX drop_log_event ON drop_log (event_id, id);
-- What the foreign key's cascade searches.
CREATE INDEX drop_log_hold ON drop_log (hold_id);

-- A hold is for a variant of its own drop, within the per-person limit
-- (live holds plus claims of the address).
CREATE TRIGGER drop_hold_guard BEFORE INSERT ON drop_hold BEGIN
	SELECT RAISE(ABORT, 'hold: the variant belongs to another drop')
	WHERE (SELECT i.event_id FROM drop_variant v JOIN drop_item i ON i.id = v.item_id
	       WHERE v.id = NEW.variant_id) IS NOT NEW.event_id;
	SELECT RAISE(ABORT, 'hold: above the per-person limit')
	WHERE NEW.quantity + (SELECT coalesce(sum(quantity), 0) FROM drop_hold
	       WHERE event_id = NEW.event_id AND email = NEW.email
	       AND status IN ('live', 'claimed'))
	    > (SELECT per_person FROM drop_setting WHERE event_id = NEW.event_id);
END;

CREATE TRIGGER drop_hold_counts_insert AFTER INSERT ON drop_hold BEGIN
	UPDATE drop_variant SET
		held = held + iif(NEW.status = 'live', NEW.quantity, 0),
		claimed = claimed + iif(NEW.status = 'claimed', NEW.quantity, 0)
	WHERE id = NEW.variant_id;
	INSERT INTO drop_log (event_id, hold_id, variant_id, action, quantity, at, actor)
	VALUES (NEW.event_id, NEW.id, NEW.variant_id, 'hold', NEW.quantity, NEW.updated_at,
		NEW.updated_by);
END;

CREATE TRIGGER drop_hold_counts_update AFTER UPDATE OF status ON drop_hold
WHEN OLD.status <> NEW.status BEGIN
	UPDATE drop_variant SET
		held = held - iif(OLD.status = 'live', OLD.quantity, 0)
			+ iif(NEW.status = 'live', NEW.quantity, 0),
		claimed = claimed - iif(OLD.status = 'claimed', OLD.quantity, 0)
			+ iif(NEW.status = 'claimed', NEW.quantity, 0)
	WHERE id = NEW.variant_id;
	INSERT INTO drop_log (event_id, hold_id, variant_id, action, quantity, at, actor)
	VALUES (NEW.event_id, NEW.id, NEW.variant_id,
		CASE NEW.status WHEN 'claimed' THEN 'claim' WHEN 'released' THEN 'release'
		     WHEN 'expired' THEN 'expire' ELSE 'cancel' END,
		NEW.quantity, NEW.updated_at, NEW.updated_by);
END;

CREATE TRIGGER drop_hold_renew AFTER UPDATE OF renewals ON drop_hold
WHEN NEW.renewals > OLD.renewals BEGIN
	INSERT INTO drop_log (event_id, hold_id, variant_id, action, quantity, at, actor)
	VALUES (NEW.event_id, NEW.id, NEW.variant_id, 'renew', NEW.quantity, NEW.updated_at,
		NEW.updated_by);
END;

CREATE TRIGGER drop_hold_counts_delete AFTER DELETE ON drop_hold BEGIN
	UPDATE drop_variant SET
		held = held - iif(OLD.status = 'live', OLD.quantity, 0),
		claimed = claimed - iif(OLD.status = 'claimed', OLD.quantity, 0)
	WHERE id = OLD.variant_id;
END;

-- The overselling guard: a new hold must fit in the stock beside the holds
-- and claims; a new claim must fit in the stock (after the stock was
-- lowered below held + claimed, the holds left over run out).
CREATE TRIGGER drop_variant_no_overselling BEFORE UPDATE OF held, claimed ON drop_variant
WHEN (NEW.held > OLD.held AND NEW.held + NEW.claimed > NEW.stock)
     OR (NEW.claimed > OLD.claimed AND NEW.claimed > NEW.stock) BEGIN
	SELECT RAISE(ABORT, 'oversold: held + claimed would exceed stock');
END;

-- The stock may fall below held + claimed (holds run out), never below claimed.
CREATE TRIGGER drop_variant_stock_guard BEFORE UPDATE OF stock ON drop_variant
WHEN NEW.stock < NEW.claimed BEGIN
	SELECT RAISE(ABORT, 'stock: below what is already claimed');
END;

-- Every change of the numbers is a new version of the drop (stock.json's ETag).
CREATE TRIGGER drop_variant_version_update AFTER UPDATE ON drop_variant BEGIN
	UPDATE event SET version = version + 1
	WHERE id = (SELECT event_id FROM drop_item WHERE id = NEW.item_id);
END;

CREATE TRIGGER drop_variant_version_insert AFTER INSERT ON drop_variant BEGIN
	UPDATE event SET version = version + 1
	WHERE id = (SELECT event_id FROM drop_item WHERE id = NEW.item_id);
END;

CREATE TRIGGER drop_variant_version_delete AFTER DELETE ON drop_variant BEGIN
	UPDATE event SET version = version + 1
	WHERE id = (SELECT event_id FROM drop_item WHERE id = OLD.item_id);
END;

CREATE TRIGGER drop_item_version_update AFTER UPDATE ON drop_item BEGIN
	UPDATE event SET version = version + 1 WHERE id = NEW.event_id;
END;

-- A claim, or the organiser's cancellation of one, e-mails the person in the
-- same transaction (times in the outbox are seconds).
CREATE TRIGGER outbox_drop_claim AFTER UPDATE OF status ON drop_hold
WHEN NEW.status IN ('claimed', 'cancelled') AND OLD.status <> NEW.status BEGIN
	INSERT INTO outbox (kind, dedupe_key, recipient, name, event_id, hold_id,
		next_attempt_at, created_at)
	VALUES (iif(NEW.status = 'claimed', 'claimed', 'claim_cancelled'),
		'hold:' || NEW.id || ':' || NEW.status, NEW.email, NEW.name, NEW.event_id, NEW.id,
		NEW.updated_at / 1000, NEW.updated_at / 1000)
	ON CONFLICT (dedupe_key) DO NOTHING;
END;

-- Competitions (migrations/009-compete.sql): events of kind 'rsvp' with a
-- competition row; entries are RSVPs; each entry's aggregates are kept by
-- triggers from its scores. Values are integers in thousandths
-- (milliseconds for times).
CREATE TABLE competition (
	event_id     INTEGER PRIMARY KEY REFERENCES event (id) ON DELETE CASCADE,
	kind         TEXT NOT NULL CHECK (kind = 'points' OR kind = 'time'
	                                  OR kind = 'distance'),
	rule         TEXT NOT NULL CHECK (rule = 'best' OR rule = 'total'
	                                  OR rule = 'average'),
	unit         TEXT NOT NULL DEFAULT '' CHECK (length(unit) <= 16),
	rounds       INTEGER NOT NULL DEFAULT 1 CHECK (rounds BETWEEN 1 AND 100),
	self_scoring INTEGER NOT NULL DEFAULT 0 CHECK (self_scoring IN (0, 1)),
	closed       INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1)),
	version      INTEGER NOT NULL DEFAULT 1,                -- by trigger: the leaderboard's ETag
	-- migrations/012-board.sql: freeze and publish (see board_snapshot)
	frozen_at      INTEGER,       -- NULL: the public board is live
	frozen_version INTEGER,       -- the public board's ETag while frozen
	published_at   INTEGER        -- NULL: no final results yet
);

-- A drop cannot be a competition: its sign-ups are holds, not RSVPs.
CREATE TRIGGER competition_rsvp_only BEFORE INSERT ON competition
WHEN (SELECT kind FROM event WHERE id = NEW.event_id) IS NOT 'rsvp' BEGIN
	SELECT RAISE(ABORT, 'competition: only an RSVP event can be a competition');
END;
-- ... nor can a competition become a drop (it would strand its entries).
CREATE TRIGGER drop_not_competition BEFORE UPDATE OF kind ON event
WHEN NEW.kind = 'drop' AND EXISTS (SELECT 1 FROM competition WHERE event_id = NEW.id) BEGIN
	SELECT RAISE(ABORT, 'event: a competition cannot become a drop');
END;

-- The rules that give stored scores their meaning are fixed once there
-- are scores (migrations/010-compete-settings.sql).
CREATE TRIGGER competition_rules_fixed BEFORE UPDATE OF kind, rule, unit ON competition
WHEN (NEW.kind IS NOT OLD.kind OR NEW.rule IS NOT OLD.rule OR NEW.unit IS NOT OLD.unit)
     AND EXISTS (SELECT 1 FROM score WHERE event_id = OLD.event_id) BEGIN
	SELECT RAISE(ABORT, 'competition: kind, rule and unit are fixed once there are scores');
END;

CREATE TRIGGER competition_rounds_scored BEFORE UPDATE OF rounds ON competition
WHEN NEW.rounds < (SELECT max(round) FROM score
                   WHERE event_id = OLD.event_id AND voided_at IS NULL) BEGIN
	SELECT RAISE(ABORT, 'competition: fewer rounds than a live score has');
END;

CREATE TABLE division (
	id       INTEGER PRIMARY KEY,
	event_id INTEGER NOT NULL REFERENCES competition (event_id) ON DELETE CASCADE,
	name     TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
	position INTEGER NOT NULL DEFAULT 0,
	UNIQUE (event_id, name)
);

-- The divisions are on the board: its version (the ETag) follows them.
CREATE TRIGGER division_board_insert AFTER INSERT ON division BEGIN
	UPDATE competition SET version = version + 1 WHERE event_id = NEW.event_id;
END;
CREATE TRIGGER division_board_update AFTER UPDATE OF name, position ON division BEGIN
	UPDATE competition SET version = version + 1 WHERE event_id = NEW.event_id;
END;
CREATE TRIGGER division_board_delete AFTER DELETE ON division BEGIN
	UPDATE competition SET version = version + 1 WHERE event_id = OLD.event_id;
END;

CREATE TABLE entry (
	rsvp_id      INTEGER PRIMARY KEY REFERENCES rsvp (id) ON DELETE CASCADE,
	event_id     INTEGER NOT NULL REFERENCES competition (event_id) ON DELETE CASCADE,
	bib          INTEGER NOT NULL CHECK (bib >= 1),
	display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 40),
	division_id  INTEGER REFERENCES division (id),
	scores       INTEGER NOT NULL DEFAULT 0 CHECK (scores >= 0),   -- by trigger
	total        INTEGER NOT NULL DEFAULT 0,                       -- by trigger
	best         INTEGER,                                          -- by trigger; NULL: none
	UNIQUE (event_id, bib)
);
CREATE INDEX entry_division ON entry (event_id, division_id);

-- A division must be one of the entry's own competition.
CREATE TRIGGER entry_division_guard BEFORE INSERT ON entry
WHEN NEW.division_id IS NOT NULL
     AND (SELECT event_id FROM division WHERE id = NEW.division_id) IS NOT NEW.event_id BEGIN
	SELECT RAISE(ABORT, 'entry: division of another competition');
END;

CREATE TABLE score (
	id         INTEGER PRIMARY KEY,
	entry_id   INTEGER NOT NULL REFERENCES entry (rsvp_id) ON DELETE CASCADE,
	event_id   INTEGER NOT NULL,
	round      INTEGER NOT NULL CHECK (round BETWEEN 1 AND 100),
	value      INTEGER NOT NULL CHECK (value BETWEEN 0 AND 1000000000),
	source     TEXT NOT NULL CHECK (source = 'entrant' OR source = 'scorekeeper'
	                                OR source = 'api'),
	created_by TEXT,                               -- the admin or API token; NULL: the entrant
	created_at INTEGER NOT NULL,
	voided_at  INTEGER,
	voided_by  TEXT,
	void_reason TEXT CHECK (void_reason IS NULL OR length(void_reason) BETWEEN 1 AND 200),
	replaced_by INTEGER REFERENCES score (id),     -- a correction: the score that replaces it
	CHECK ((voided_at IS NULL) = (void_reason IS NULL))
);
-- One live score per entry and round; the log of a competition in order.
CREATE UNIQUE INDEX score_live_round ON score (entry_id, round) WHERE voided_at IS NULL;
CREATE INDEX score_event ON score (event_id, id);

-- Scores only for a confirmed entry of an open competition, within its rounds.
CREATE TRIGGER score_guard BEFORE INSERT ON score
WHEN (SELECT e.event_id FROM entry e JOIN rsvp r ON r.id = e.rsvp_id
      WHERE e.rsvp_id = NEW.entry_id AND r.status = 'confirmed') IS NOT NEW.event_id
     OR (SELECT closed = 0 AND NEW.round <= rounds FROM competition
         WHERE event_id = NEW.event_id) IS NOT 1 BEGIN
	SELECT RAISE(ABORT, 'score: not a confirmed entry of an open competition, or past its rounds');
END;

-- A score is never changed, only voided (once).
CREATE TRIGGER score_immutable BEFORE UPDATE OF entry_id, event_id, round, value, source,
	created_by, created_at ON score BEGIN
	SELECT RAISE(ABORT, 'score: scores are voided, never changed');
END;
CREATE TRIGGER score_void_once BEFORE UPDATE OF voided_at ON score
WHEN OLD.voided_at IS NOT NULL BEGIN
	SELECT RAISE(ABORT, 'score: already voided');
END;

-- Lower is better for times: the best is the least.
CREATE TRIGGER score_aggregate_insert AFTER INSERT ON score BEGIN
	UPDATE entry SET scores = scores + 1, total = total + NEW.value,
		best = CASE WHEN best IS NULL THEN NEW.value
		       WHEN (SELECT kind FROM competition WHERE event_id = NEW.event_id) = 'time'
		       THEN min(best, NEW.value) ELSE max(best, NEW.value) END
	WHERE rsvp_id = NEW.entry_id;
	UPDATE competition SET version = version + 1 WHERE event_id = NEW.event_id;
END;

CREATE TRIGGER score_aggregate_void AFTER UPDATE OF voided_at ON score
WHEN OLD.voided_at IS NULL AND NEW.voided_at IS NOT NULL BEGIN
	UPDATE entry SET scores = scores - 1, total = total - OLD.value,
		best = (SELECT iif(c.kind = 'time', min(s.value), max(s.value))
		        FROM score s JOIN competition c ON c.event_id = s.event_id
		        WHERE s.entry_id = OLD.entry_id AND s.voided_at IS NULL)
	WHERE rsvp_id = OLD.entry_id;
	UPDATE competition SET version = version + 1 WHERE event_id = OLD.event_id;
END;

-- Every score, void and correction in the analytics log, with who did it
-- (actor: the account, "api:LABEL" for an API token, NULL for the
-- entrant; migrations/015-score-log.sql). A correction is the old score's
-- void and its replacement as 'correct'.
CREATE TRIGGER score_log_insert AFTER INSERT ON score BEGIN
	INSERT INTO rsvp_log (rsvp_id, event_id, action, old_status, new_status, spots, at,
		actor, score_id)
	SELECT id, event_id, 'score', status, status, 1 + guests, NEW.created_at,
		NEW.created_by, NEW.id
	FROM rsvp WHERE id = NEW.entry_id;
END;
CREATE TRIGGER score_log_void AFTER UPDATE OF voided_at ON score
WHEN OLD.voided_at IS NULL AND NEW.voided_at IS NOT NULL BEGIN
	INSERT INTO rsvp_log (rsvp_id, event_id, action, old_status, new_status, spots, at,
		actor, score_id)
	SELECT id, event_id, 'void', status, status, 1 + guests, NEW.voided_at,
		NEW.voided_by, NEW.id
	FROM rsvp WHERE id = NEW.entry_id;
END;
-- A correction: the replacement's row says so.
CREATE TRIGGER score_log_correct AFTER UPDATE OF replaced_by ON score
WHEN OLD.replaced_by IS NULL AND NEW.replaced_by IS NOT NULL BEGIN
	UPDATE rsvp_log SET action = 'correct' WHERE rsvp_id = NEW.entry_id
		AND score_id = NEW.replaced_by AND action = 'score';
END;

-- Names, divisions and entries leaving or coming back change the board too.
CREATE TRIGGER entry_board_update AFTER UPDATE OF display_name, division_id ON entry BEGIN
	UPDATE competition SET version = version + 1 WHERE event_id = NEW.event_id;
END;
CREATE TRIGGER entry_board_status AFTER UPDATE OF status ON rsvp
WHEN EXISTS (SELECT 1 FROM entry WHERE rsvp_id = NEW.id) BEGIN
	UPDATE competition SET version = version + 1 WHERE event_id = NEW.event_id;
END;

-- Bearer tokens for the scores API, one set per competition; only hashes
-- are stored. A revoked token stays, so its name still reads in the log.
CREATE TABLE api_token (
	id         INTEGER PRIMARY KEY,
	event_id   INTEGER NOT NULL REFERENCES competition (event_id) ON DELETE CASCADE,
	token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
	label      TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 60),
	created_by TEXT,
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
);

-- Idempotency-Key uses: the key's hash per token, the hash of the body it
-- came with, and the answer given, replayed for 24 h (then purged).
CREATE TABLE api_key_use (
	token_id  INTEGER NOT NULL REFERENCES api_token (id) ON DELETE CASCADE,
	key_hash  BLOB NOT NULL CHECK (length(key_hash) = 32),
	body_hash BLOB NOT NULL CHECK (length(body_hash) = 32),
	status    INTEGER NOT NULL,
	response  TEXT NOT NULL,
	used_at   INTEGER NOT NULL,
	PRIMARY KEY (token_id, key_hash)
) WITHOUT ROWID;
CREATE INDEX api_key_use_age ON api_key_use (used_at);

-- Roles of admin accounts: admin (everything, accounts too), organiser
-- (events, participants, competitions), scorekeeper (score entry and
-- corrections for the competitions assigned to them, nothing else). The
-- route flags in cgi-bin/route.c say which role may use each page.
CREATE TABLE scorekeeper (
	user_id  INTEGER NOT NULL REFERENCES admin_user (id) ON DELETE CASCADE,
	event_id INTEGER NOT NULL REFERENCES competition (event_id) ON DELETE CASCADE,
	PRIMARY KEY (user_id, event_id)
) WITHOUT ROWID;
CREATE INDEX scorekeeper_event ON scorekeeper (event_id);

-- Leaderboard freeze and publish: the organiser freezes the public board
-- (the last hour of a league) and later publishes the final results.
-- While frozen_at is set the public HTML and JSON boards show
-- board_snapshot, the standings taken in the freezing transaction (by the
-- trigger below), and their ETag is frozen_version; scores keep coming in
-- and the organiser's and scorekeepers' board stays live. published_at set:
-- the final results, live again; a published board is never frozen again.
-- Every freeze, unfreeze and publish is in board_log with who did it.

-- The standings at the freeze: each confirmed entry as the board showed it.
CREATE TABLE board_snapshot (
	event_id     INTEGER NOT NULL REFERENCES competition (event_id) ON DELETE CASCADE,
	entry_id     INTEGER NOT NULL,
	bib          INTEGER NOT NULL,
	display_name TEXT NOT NULL,
	division_id  INTEGER,
	scores       INTEGER NOT NULL,
	total        INTEGER NOT NULL,
	best         INTEGER,
	PRIMARY KEY (event_id, entry_id)
) WITHOUT ROWID;

-- A board is frozen once until published; published results stay published.
CREATE TRIGGER board_state_guard BEFORE UPDATE OF frozen_at, published_at ON competition
WHEN (NEW.frozen_at IS NOT NULL AND NEW.published_at IS NOT NULL)
     OR (OLD.published_at IS NOT NULL AND NEW.published_at IS NOT OLD.published_at)
     OR (OLD.frozen_at IS NOT NULL AND NEW.frozen_at IS NOT NULL
         AND NEW.frozen_at IS NOT OLD.frozen_at) BEGIN
	SELECT RAISE(ABORT, 'competition: only a live board is frozen, and published results stay');
END;

-- Freezing takes the snapshot; unfreezing or publishing drops it.
CREATE TRIGGER board_freeze AFTER UPDATE OF frozen_at ON competition
WHEN OLD.frozen_at IS NULL AND NEW.frozen_at IS NOT NULL BEGIN
	INSERT INTO board_snapshot (event_id, entry_id, bib, display_name, division_id,
		scores, total, best)
	SELECT e.event_id, e.rsvp_id, e.bib, e.display_name, e.division_id, e.scores,
		e.total, e.best
	FROM entry e JOIN rsvp r ON r.id = e.rsvp_id
	WHERE e.event_id = NEW.event_id AND r.status = 'confirmed';
END;
CREATE TRIGGER board_unfreeze AFTER UPDATE OF frozen_at ON competition
WHEN OLD.frozen_at IS NOT NULL AND NEW.frozen_at IS NULL BEGIN
	DELETE FROM board_snapshot WHERE event_id = NEW.event_id;
END;

-- Who froze, unfroze and published each board, and when.
CREATE TABLE board_log (
	id       INTEGER PRIMARY KEY,
	event_id INTEGER NOT NULL REFERENCES competition (event_id) ON DELETE CASCADE,
	action   TEXT NOT NULL CHECK (action = 'freeze' OR action = 'unfreeze'
	                              OR action = 'publish'),
	at       INTEGER NOT NULL,
	actor    TEXT NOT NULL CHECK (length(actor) BETWEEN 1 AND 100)
);
CREATE INDEX board_log_event ON board_log (event_id, id);

-- Waiting parties and spots per block of 256 RSVP ids, kept by triggers:
-- the parties ahead of one are the blocks before its own plus at most 256
-- index entries of its block, not the whole queue (32 000 entries for the
-- last of a long one).
CREATE TABLE waitlist_block (
	event_id INTEGER NOT NULL REFERENCES event (id) ON DELETE CASCADE,
	block    INTEGER NOT NULL,	-- rsvp.id >> 8
	parties  INTEGER NOT NULL CHECK (parties >= 0),
	spots    INTEGER NOT NULL CHECK (spots >= 0),
	PRIMARY KEY (event_id, block)
) WITHOUT ROWID;
CREATE TRIGGER waitlist_block_insert AFTER INSERT ON rsvp
WHEN NEW.status = 'waitlisted' BEGIN
	INSERT INTO waitlist_block (event_id, block, parties, spots)
	VALUES (NEW.event_id, NEW.id >> 8, 1, 1 + NEW.guests)
	ON CONFLICT (event_id, block) DO UPDATE SET parties = parties + 1,
	    spots = spots + excluded.spots;
END;
CREATE TRIGGER waitlist_block_update AFTER UPDATE OF status, guests ON rsvp
WHEN OLD.status = 'waitlisted' OR NEW.status = 'waitlisted' BEGIN
	UPDATE waitlist_block SET parties = parties - 1, spots = spots - (1 + OLD.guests)
	WHERE OLD.status = 'waitlisted' AND event_id = OLD.event_id AND block = OLD.id >> 8;
	INSERT INTO waitlist_block (event_id, block, parties, spots)
	SELECT NEW.event_id, NEW.id >> 8, 1, 1 + NEW.guests WHERE NEW.status = 'waitlisted'
	ON CONFLICT (event_id, block) DO UPDATE SET parties = parties + 1,
	    spots = spots + excluded.spots;
END;
CREATE TRIGGER waitlist_block_delete AFTER DELETE ON rsvp
WHEN OLD.status = 'waitlisted' BEGIN
	UPDATE waitlist_block SET parties = parties - 1, spots = spots - (1 + OLD.guests)
	WHERE event_id = OLD.event_id AND block = OLD.id >> 8;
END;

-- The participant search: trigrams of every RSVP's name and e-mail (FTS5,
-- external content), so a rare text finds its few RSVPs without reading
-- the event's. Searches shorter than a trigram still walk the index.
-- New RSVPs wait in rsvp_search_todo until turnout-worker indexes them in
-- batches (migrations/024-search-later.sql: a segment per commit cost a
-- fifth of the RSVP rate); the search reads both. A queued row is not in
-- the index, so changing or deleting it leaves the index alone.
CREATE VIRTUAL TABLE rsvp_search USING fts5 (name, email, content = 'rsvp',
	content_rowid = 'id', tokenize = 'trigram');
CREATE TABLE rsvp_search_todo (rsvp_id INTEGER PRIMARY KEY);
CREATE TRIGGER rsvp_search_insert AFTER INSERT ON rsvp BEGIN
	INSERT INTO rsvp_search_todo (rsvp_id) VALUES (NEW.id);
END;
CREATE TRIGGER rsvp_search_update AFTER UPDATE OF name, email ON rsvp
WHEN NOT EXISTS (SELECT 1 FROM rsvp_search_todo WHERE rsvp_id = OLD.id) BEGIN
	INSERT INTO rsvp_search (rsvp_search, rowid, name, email)
	VALUES ('delete', OLD.id, OLD.name, OLD.email);
	INSERT INTO rsvp_search (rowid, name, email) VALUES (NEW.id, NEW.name, NEW.email);
END;
CREATE TRIGGER rsvp_search_delete AFTER DELETE ON rsvp BEGIN
	INSERT INTO rsvp_search (rsvp_search, rowid, name, email)
	SELECT 'delete', OLD.id, OLD.name, OLD.email
	WHERE NOT EXISTS (SELECT 1 FROM rsvp_search_todo WHERE rsvp_id = OLD.id);
	DELETE FROM rsvp_search_todo WHERE rsvp_id = OLD.id;
END;

-- "My sign-ups" (migrations/018-mine.sql): one link per e-mail address to
-- everything under it across events, e-mailed (outbox kind 'mine'), never
-- shown. Only its hash is stored; it lasts 30 days and can be revoked.
CREATE TABLE mine_link (
	id         INTEGER PRIMARY KEY,
	token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
	email      TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL CHECK (expires_at > created_at),
	revoked_at INTEGER
);
-- The rate limit counts an address's links of the last hour.
CREATE INDEX mine_link_email ON mine_link (email, created_at);
-- Housekeeping deletes expired links (migrations/023-mine-expiry.sql), and
-- with each the manage and hold links opened from its page.
CREATE INDEX mine_link_expiry ON mine_link (expires_at);
CREATE TRIGGER mine_link_delete AFTER DELETE ON mine_link BEGIN
	DELETE FROM rsvp_link WHERE mine_id = OLD.id;
	DELETE FROM hold_link WHERE mine_id = OLD.id;
END;

PRAGMA user_version = 25;
