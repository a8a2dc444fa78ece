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

ALTER TABLE event ADD COLUMN kind TEXT NOT NULL DEFAULT 'rsvp' CHECK (kind IN ('rsvp', 'drop'));

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
	             CHECK (status IN ('live', 'claimed', 'released', 'expired', 'cancelled')),
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
	           CHECK (action IN ('hold', 'renew', 'claim', 'release', 'expire', 'cancel')),
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

-- Claims are e-mailed through the outbox: two more kinds (a claim, and a
-- claim the organiser cancelled) and the hold a message is about. A CHECK
-- cannot change in place, so the table is rebuilt as it stands after
-- migration 007, with its indexes and its own triggers (dropped with it);
-- legacy_alter_table keeps the RSVP triggers' references to it as they are.
PRAGMA legacy_alter_table = ON;
CREATE TABLE outbox_new (
	id              INTEGER PRIMARY KEY,
	kind            TEXT NOT NULL CHECK (kind IN ('confirmed', 'waitlisted', 'promoted',
	                'cancelled', 'reminder', 'resend', 'claimed', 'claim_cancelled')),
	dedupe_key      TEXT NOT NULL UNIQUE,
	recipient       TEXT NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254
	                AND recipient NOT GLOB ('*[' || char(1) || '-' || char(32, 127) || ']*')),
	name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	event_id        INTEGER NOT NULL REFERENCES event (id) ON DELETE CASCADE,
	rsvp_id         INTEGER REFERENCES rsvp (id) ON DELETE SET NULL,
	link_token      TEXT CHECK (link_token IS NULL OR length(link_token) = 32),
	state           TEXT NOT NULL DEFAULT 'pending'
	                CHECK (state IN ('pending', 'sending', 'sent', 'dead', 'discarded')),
	attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	next_attempt_at INTEGER NOT NULL,
	lease_until     INTEGER,
	last_error      TEXT,
	created_at      INTEGER NOT NULL,
	sent_at         INTEGER,
	hold_id         INTEGER REFERENCES drop_hold (id) ON DELETE SET NULL
);
INSERT INTO outbox_new SELECT *, NULL FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX outbox_queue ON outbox (next_attempt_at, id) WHERE state IN ('pending', 'sending');
CREATE INDEX outbox_dead ON outbox (id) WHERE state = 'dead';
CREATE INDEX outbox_done ON outbox (created_at) WHERE state IN ('sent', 'discarded');
CREATE INDEX outbox_rsvp ON outbox (rsvp_id);
CREATE INDEX outbox_recipient ON outbox (recipient, event_id, kind, created_at);
CREATE INDEX outbox_hold ON outbox (hold_id);
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

PRAGMA user_version = 8;
