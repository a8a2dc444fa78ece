-- The participant search indexes new RSVPs later, in batches: indexing
-- each sign-up in its own commit wrote a new FTS5 segment (6 of the 29
-- pages an RSVP's commit wrote) and cost a fifth of the RSVP rate. A new
-- RSVP's id waits in rsvp_search_todo until turnout-worker indexes it
-- (every pass, about a second); the search reads both, so it misses
-- nobody meanwhile. A row in the queue is not in the index: changing or
-- deleting it leaves the index alone (a 'delete' of an unindexed row would
-- corrupt it).
CREATE TABLE rsvp_search_todo (rsvp_id INTEGER PRIMARY KEY);
DROP TRIGGER rsvp_search_insert;
DROP TRIGGER rsvp_search_update;
DROP TRIGGER rsvp_search_delete;
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

PRAGMA user_version = 24;
