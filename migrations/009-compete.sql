-- Competitions: an event with a competition row takes entries instead of
-- plain RSVPs. An entry IS an RSVP (capacity, waitlist, deadline, manage
-- link, e-mails) with a display name, a division and a bib number, so a
-- competition is an event of kind 'rsvp' (008-drops.sql) with this row
-- keyed by it: event.kind says which sign-up machinery an event uses,
-- and a competition uses the RSVP one. Adding 'competition' to that CHECK
-- would mean rebuilding event (SQLite cannot alter a CHECK) and teaching
-- every RSVP path a second kind, for a fact this table already holds.
-- Each entry's aggregates (count, total, best) are kept by triggers from
-- its scores in the submitting transaction, so the leaderboard can never
-- disagree with the scores; a voided score counts as if it never existed.
-- Values are integers in thousandths: milliseconds for times, thousandths
-- of a point or of the unit (m, cm ...) otherwise.

CREATE TABLE competition (
	event_id     INTEGER PRIMARY KEY REFERENCES event (id) ON DELETE CASCADE,
	kind         TEXT NOT NULL CHECK (kind IN ('points', 'time', 'distance')),
	rule         TEXT NOT NULL CHECK (rule IN ('best', 'total', 'average')),
	unit         TEXT NOT NULL DEFAULT '' CHECK (length(unit) <= 16),
	rounds       INTEGER NOT NULL DEFAULT 1 CHECK (rounds BETWEEN 1 AND 100),
	self_scoring INTEGER NOT NULL DEFAULT 0 CHECK (self_scoring IN (0, 1)),
	closed       INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1)),
	version      INTEGER NOT NULL DEFAULT 1                 -- by trigger: the leaderboard's ETag
);

-- A drop cannot be a competition: its sign-ups are holds, not RSVPs.
CREATE TRIGGER competition_rsvp_only BEFORE INSERT ON competition
WHEN (SELECT kind FROM event WHERE id = NEW.event_id) IS NOT 'rsvp' BEGIN
	SELECT RAISE(ABORT, 'competition: only an RSVP event can be a competition');
END;

CREATE TABLE division (
	id       INTEGER PRIMARY KEY,
	event_id INTEGER NOT NULL REFERENCES competition (event_id) ON DELETE CASCADE,
	name     TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
	position INTEGER NOT NULL DEFAULT 0,
	UNIQUE (event_id, name)
);

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
	source     TEXT NOT NULL CHECK (source IN ('entrant', 'scorekeeper', 'api')),
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

-- Existing accounts keep doing everything.
ALTER TABLE admin_user ADD COLUMN role TEXT NOT NULL DEFAULT 'admin'
	CHECK (role IN ('admin', 'organiser', 'scorekeeper'));
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

PRAGMA user_version = 9;
