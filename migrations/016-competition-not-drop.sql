-- The other half of competition_rsvp_only (009): a competition cannot
-- become a drop either. Its entrants hold RSVPs and scores; a drop takes
-- holds and claims, and would strand them.
CREATE TRIGGER drop_not_competition BEFORE UPDATE OF kind ON event
WHEN NEW.kind = 'drop' AND EXISTS (SELECT 1 FROM competition WHERE event_id = NEW.id) BEGIN
	SELECT RAISE(ABORT, 'event: a competition cannot become a drop');
END;

PRAGMA user_version = 16;
