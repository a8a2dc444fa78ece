-- No cost that grows with history (issue 14): every statement reads what
-- it shows, not every row the site ever stored. Indexes for the searches
-- that walked a growing table, counters kept by triggers (in the changing
-- transaction, like event.confirmed) for the figures that counted rows,
-- and each promoted party's wait recorded when it is promoted.
-- tests/unit/test_plans.c holds every statement and trigger to this.

-- An RSVP's log rows by action: its first promotion, its wait; and what
-- the foreign key's cascade searches.
CREATE INDEX rsvp_log_rsvp ON rsvp_log (rsvp_id, action, id);

-- With the party size: the waitlist position (parties and spots ahead)
-- reads only the index.
DROP INDEX rsvp_event_status;
CREATE INDEX rsvp_event_status ON rsvp (event_id, status, id, guests);
-- The newest sign-ups still active (event and live pages).
CREATE INDEX rsvp_event_active ON rsvp (event_id, id) WHERE status <> 'cancelled';
-- The earliest waiting party of each size: a promotion finds the first
-- party that fits without reading the queue.
CREATE INDEX rsvp_waitlist_size ON rsvp (event_id, guests, id) WHERE status = 'waitlisted';

-- Events not over yet, without walking the past ones.
CREATE INDEX event_end ON event (coalesce(ends_at, starts_at));
-- 1 once its reminders are enqueued: the sweep reads an event's RSVPs once,
-- not every minute until it starts. Moving the start clears it.
ALTER TABLE event ADD COLUMN reminded INTEGER NOT NULL DEFAULT 0 CHECK (reminded IN (0, 1));

-- The first pledgers of an item in order, and how many it has.
CREATE INDEX pledge_item ON pledge (item_id, id);
ALTER TABLE item ADD COLUMN pledges INTEGER NOT NULL DEFAULT 0 CHECK (pledges >= 0);
UPDATE item SET pledges = (SELECT count(*) FROM pledge WHERE item_id = item.id);
DROP TRIGGER pledge_counts_insert;
CREATE TRIGGER pledge_counts_insert AFTER INSERT ON pledge BEGIN
	UPDATE item SET pledged = pledged + NEW.quantity, pledges = pledges + 1,
		version = version + 1
	WHERE id = NEW.item_id;
END;
DROP TRIGGER pledge_counts_delete;
CREATE TRIGGER pledge_counts_delete AFTER DELETE ON pledge BEGIN
	UPDATE item SET pledged = pledged - OLD.quantity, pledges = pledges - 1,
		version = version + 1
	WHERE id = OLD.item_id;
END;

-- The outbox: the worker's queue holds only what is to send; the admin's
-- dead letters, the purge's old rows and an RSVP's messages each their own.
DROP INDEX outbox_due;
CREATE INDEX outbox_queue ON outbox (next_attempt_at, id) WHERE state IN ('pending', 'sending');
CREATE INDEX outbox_dead ON outbox (id) WHERE state = 'dead';
CREATE INDEX outbox_done ON outbox (created_at) WHERE state IN ('sent', 'discarded');
CREATE INDEX outbox_rsvp ON outbox (rsvp_id);

-- Messages per state (the admin pages), kept by triggers.
CREATE TABLE outbox_count (
	state TEXT PRIMARY KEY,
	n     INTEGER NOT NULL CHECK (n >= 0)
) WITHOUT ROWID;
INSERT INTO outbox_count (state, n)
	SELECT s.column1, (SELECT count(*) FROM outbox WHERE state = s.column1)
	FROM (VALUES ('pending'), ('sending'), ('sent'), ('dead'), ('discarded')) s;

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

-- The admin figures of an event (parties, not spots), kept by triggers:
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
	checked_in INTEGER NOT NULL DEFAULT 0 CHECK (checked_in >= 0)
);

-- Each promoted party's wait: seconds from joining the waitlist to its
-- first promotion after that (the median is read in wait order).
CREATE TABLE event_wait (
	id       INTEGER PRIMARY KEY,
	event_id INTEGER NOT NULL REFERENCES event (id) ON DELETE CASCADE,
	wait     INTEGER NOT NULL
);
CREATE INDEX event_wait_order ON event_wait (event_id, wait);

INSERT INTO event_wait (event_id, wait)
	SELECT w.event_id, min(p.at) - w.at FROM rsvp_log w JOIN rsvp_log p
	ON p.rsvp_id = w.rsvp_id AND p.action = 'promote' AND p.id > w.id
	WHERE w.action = 'waitlist' GROUP BY w.id;
INSERT INTO event_figures (event_id, direct, waitlisted, cancels, promoted, waits,
	confirmed, checked_in)
	SELECT e.id,
		(SELECT count(*) FROM rsvp_log WHERE event_id = e.id AND action = 'rsvp'),
		(SELECT count(*) FROM rsvp_log WHERE event_id = e.id AND action = 'waitlist'),
		(SELECT count(*) FROM rsvp_log WHERE event_id = e.id AND action = 'cancel'),
		(SELECT count(DISTINCT rsvp_id) FROM rsvp_log WHERE event_id = e.id
		 AND action = 'promote'),
		(SELECT count(*) FROM event_wait WHERE event_id = e.id),
		(SELECT count(*) FROM rsvp WHERE event_id = e.id AND status = 'confirmed'),
		(SELECT count(*) FROM rsvp WHERE event_id = e.id AND status = 'confirmed'
		 AND checked_in_at IS NOT NULL)
	FROM event e;

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

PRAGMA user_version = 7;
