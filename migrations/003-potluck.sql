-- The potluck sign-up sheet: items an event needs and participants' pledges.
-- item.pledged is kept by triggers and always equals the sum of the item's
-- pledges; a capped item ("no more than suggested": one grill) refuses by
-- CHECK any change that would take it past its suggested quantity, so no
-- code path can over-pledge. item.version changes with every change to the
-- item or its pledges (stale forms are told apart by it), and every such
-- change also bumps event.version, the ETag of status.json and items.json.

CREATE TABLE item (
	id         INTEGER PRIMARY KEY,
	event_id   INTEGER NOT NULL REFERENCES event (id) ON DELETE CASCADE,
	name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	category   TEXT NOT NULL DEFAULT 'other'
	           CHECK (category IN ('food', 'drink', 'utensil', 'decoration', 'other')),
	suggested  INTEGER NOT NULL CHECK (suggested BETWEEN 1 AND 10000),
	capped     INTEGER NOT NULL DEFAULT 0 CHECK (capped IN (0, 1)),
	unit       TEXT NOT NULL DEFAULT '' CHECK (length(unit) <= 30),
	position   INTEGER NOT NULL DEFAULT 0,
	pledged    INTEGER NOT NULL DEFAULT 0 CHECK (pledged >= 0),   -- by trigger
	version    INTEGER NOT NULL DEFAULT 1,                        -- by trigger
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

-- Only an active RSVP of the item's own event may pledge.
CREATE TRIGGER pledge_guard BEFORE INSERT ON pledge
WHEN (SELECT event_id FROM item WHERE id = NEW.item_id) IS NOT
     (SELECT event_id FROM rsvp WHERE id = NEW.rsvp_id AND status <> 'cancelled') BEGIN
	SELECT RAISE(ABORT, 'pledge: not an active RSVP of the item''s event');
END;

CREATE TRIGGER pledge_counts_insert AFTER INSERT ON pledge BEGIN
	UPDATE item SET pledged = pledged + NEW.quantity, version = version + 1
	WHERE id = NEW.item_id;
END;

CREATE TRIGGER pledge_counts_update AFTER UPDATE OF quantity ON pledge BEGIN
	UPDATE item SET pledged = pledged - OLD.quantity + NEW.quantity, version = version + 1
	WHERE id = NEW.item_id;
END;

CREATE TRIGGER pledge_counts_delete AFTER DELETE ON pledge BEGIN
	UPDATE item SET pledged = pledged - OLD.quantity, version = version + 1
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

PRAGMA user_version = 3;
