-- E-mails to the site's admins (alert_to) when letters go dead or the
-- worker stops: they go through the outbox like every other e-mail, so
-- they are retried, listed on /admin/outbox, and rate limited by the
-- dedupe key (one per address and hour). An alert is about the site, not
-- an event: like a "my sign-ups" link it has no event_id. A CHECK cannot
-- change in place, so the table is rebuilt as it stands after migration
-- 021 (as 008 and 018 did), with its indexes and its own triggers;
-- legacy_alter_table keeps the RSVP and hold triggers' references to it
-- as they are.
PRAGMA legacy_alter_table = ON;
CREATE TABLE outbox_new (
	id              INTEGER PRIMARY KEY,
	kind            TEXT NOT NULL CHECK (kind IN ('confirmed', 'waitlisted', 'promoted',
	                'cancelled', 'reminder', 'resend', 'claimed', 'claim_cancelled', 'mine',
	                'alert')),
	dedupe_key      TEXT NOT NULL UNIQUE,
	recipient       TEXT NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254
	                AND recipient NOT GLOB ('*[' || char(1) || '-' || char(32, 127) || ']*')),
	name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	event_id        INTEGER REFERENCES event (id) ON DELETE CASCADE
	                CHECK ((event_id IS NULL) = (kind IN ('mine', 'alert'))),
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
	hold_id         INTEGER REFERENCES drop_hold (id) ON DELETE SET NULL,
	by_organiser    INTEGER NOT NULL DEFAULT 0 CHECK (by_organiser IN (0, 1)),
	message         TEXT CHECK (message IS NULL OR length(message) BETWEEN 1 AND 1000)
);
INSERT INTO outbox_new SELECT * FROM outbox;
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

PRAGMA user_version = 22;
