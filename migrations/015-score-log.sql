-- Scores in the analytics log (issue 13): every score submission, void
-- and correction is a row of rsvp_log, written by triggers in the
-- transaction that makes it (like the RSVP rows), with who did it in
-- actor (the scorekeeper's or admin's account, "api:LABEL" for an API
-- token, NULL for the entrant) and the score it is about in score_id. A
-- correction is two rows: the old score's void, and its replacement as
-- 'correct'. The action's CHECK grows, so the table is rebuilt as
-- 005-admin.sql did; the figures trigger, dropped with it, comes back as
-- it was. Scores made before this get their rows, in time order.
PRAGMA legacy_alter_table = ON;
CREATE TABLE rsvp_log_new (
	id         INTEGER PRIMARY KEY,
	rsvp_id    INTEGER NOT NULL REFERENCES rsvp (id) ON DELETE CASCADE,
	event_id   INTEGER NOT NULL,
	action     TEXT NOT NULL CHECK (action IN ('rsvp', 'waitlist', 'promote', 'update',
	                                           'cancel', 'checkin', 'uncheckin',
	                                           'score', 'void', 'correct')),
	old_status TEXT,
	new_status TEXT NOT NULL,
	spots      INTEGER NOT NULL,
	at         INTEGER NOT NULL,
	actor      TEXT,
	score_id   INTEGER
);
INSERT INTO rsvp_log_new SELECT *, NULL FROM rsvp_log;
DROP TABLE rsvp_log;
ALTER TABLE rsvp_log_new RENAME TO rsvp_log;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX rsvp_log_event ON rsvp_log (event_id, id);
CREATE INDEX rsvp_log_rsvp ON rsvp_log (rsvp_id, action, id);
CREATE INDEX rsvp_log_scores ON rsvp_log (event_id, id) WHERE score_id IS NOT NULL;
CREATE INDEX rsvp_log_entry_scores ON rsvp_log (rsvp_id, id) WHERE score_id IS NOT NULL;

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

INSERT INTO rsvp_log (rsvp_id, event_id, action, old_status, new_status, spots, at, actor,
	score_id)
SELECT rsvp_id, event_id, action, status, status, spots, at, actor, score_id FROM (
	SELECT r.id AS rsvp_id, r.event_id, iif(s.id IN (SELECT replaced_by FROM score
		WHERE replaced_by IS NOT NULL), 'correct', 'score') AS action, r.status,
		1 + r.guests AS spots, s.created_at AS at, s.created_by AS actor, s.id AS score_id,
		0 AS step
	FROM score s JOIN rsvp r ON r.id = s.entry_id
	UNION ALL
	SELECT r.id, r.event_id, 'void', r.status, 1 + r.guests, s.voided_at, s.voided_by, s.id, 1
	FROM score s JOIN rsvp r ON r.id = s.entry_id WHERE s.voided_at IS NOT NULL)
ORDER BY at, score_id, step;

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

PRAGMA user_version = 15;
