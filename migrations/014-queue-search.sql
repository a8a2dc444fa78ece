-- Issue 14, the last costs that grew with history: a waitlisted party's
-- place in the queue and the participant search. tests/unit/test_plans.c
-- holds the statements and triggers to it.

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
INSERT INTO waitlist_block (event_id, block, parties, spots)
	SELECT event_id, id >> 8, count(*), sum(1 + guests) FROM rsvp
	WHERE status = 'waitlisted' GROUP BY event_id, id >> 8;
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
CREATE VIRTUAL TABLE rsvp_search USING fts5 (name, email, content = 'rsvp',
	content_rowid = 'id', tokenize = 'trigram');
INSERT INTO rsvp_search (rsvp_search) VALUES ('rebuild');
CREATE TRIGGER rsvp_search_insert AFTER INSERT ON rsvp BEGIN
	INSERT INTO rsvp_search (rowid, name, email) VALUES (NEW.id, NEW.name, NEW.email);
END;
CREATE TRIGGER rsvp_search_update AFTER UPDATE OF name, email ON rsvp BEGIN
	INSERT INTO rsvp_search (rsvp_search, rowid, name, email)
	VALUES ('delete', OLD.id, OLD.name, OLD.email);
	INSERT INTO rsvp_search (rowid, name, email) VALUES (NEW.id, NEW.name, NEW.email);
END;
CREATE TRIGGER rsvp_search_delete AFTER DELETE ON rsvp BEGIN
	INSERT INTO rsvp_search (rsvp_search, rowid, name, email)
	VALUES ('delete', OLD.id, OLD.name, OLD.email);
END;

PRAGMA user_version = 14;
