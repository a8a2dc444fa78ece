-- Leaderboard freeze and publish: the organiser freezes the public board
-- (the last hour of a league) and later publishes the final results.
-- While frozen_at is set the public HTML and JSON boards show
-- board_snapshot, the standings taken in the freezing transaction (by the
-- trigger below), and their ETag is frozen_version; scores keep coming in
-- and the organiser's and scorekeepers' board stays live. published_at set:
-- the final results, live again; a published board is never frozen again.
-- Every freeze, unfreeze and publish is in board_log with who did it.

ALTER TABLE competition ADD COLUMN frozen_at INTEGER;       -- NULL: the public board is live
ALTER TABLE competition ADD COLUMN frozen_version INTEGER;  -- the public board's ETag while frozen
ALTER TABLE competition ADD COLUMN published_at INTEGER;    -- NULL: no final results yet

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
	action   TEXT NOT NULL CHECK (action IN ('freeze', 'unfreeze', 'publish')),
	at       INTEGER NOT NULL,
	actor    TEXT NOT NULL CHECK (length(actor) BETWEEN 1 AND 100)
);
CREATE INDEX board_log_event ON board_log (event_id, id);

PRAGMA user_version = 12;
