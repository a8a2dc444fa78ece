-- Who comes back (issue 15, item 16): per event, the people (addresses)
-- who signed up and how many of them had signed up to an earlier event;
-- across all events, the people and the sign-ups from people seen before.
-- Kept by a trigger in the sign-up's transaction, each step an index
-- search of one address's RSVPs (rsvp_email), so neither the figures page
-- nor the dashboard reads the RSVPs.
ALTER TABLE event_figures ADD COLUMN people INTEGER NOT NULL DEFAULT 0;
ALTER TABLE event_figures ADD COLUMN came_back INTEGER NOT NULL DEFAULT 0;

CREATE TABLE site_figures (
	id        INTEGER PRIMARY KEY CHECK (id = 1),
	people    INTEGER NOT NULL,	-- addresses that ever signed up
	came_back INTEGER NOT NULL	-- first sign-ups to an event by an address seen at another before
);

-- An address's first RSVP at each event, and whether it had one at another event before.
UPDATE event_figures SET
	people = (SELECT count(DISTINCT r.email) FROM rsvp r WHERE r.event_id = event_figures.event_id),
	came_back = (SELECT count(*) FROM rsvp r WHERE r.event_id = event_figures.event_id
		AND r.id = (SELECT min(f.id) FROM rsvp f WHERE f.event_id = r.event_id
			AND f.email = r.email)
		AND EXISTS (SELECT 1 FROM rsvp o WHERE o.email = r.email AND o.id < r.id
			AND o.event_id <> r.event_id));
INSERT INTO site_figures (id, people, came_back)
	SELECT 1, (SELECT count(DISTINCT email) FROM rsvp), coalesce(sum(came_back), 0)
	FROM event_figures;

CREATE TRIGGER rsvp_returning AFTER INSERT ON rsvp
WHEN NOT EXISTS (SELECT 1 FROM rsvp f WHERE f.email = NEW.email AND f.id < NEW.id
	AND f.event_id = NEW.event_id) BEGIN
	UPDATE event_figures SET people = people + 1,
		came_back = came_back + EXISTS (SELECT 1 FROM rsvp o WHERE o.email = NEW.email
			AND o.id < NEW.id AND o.event_id <> NEW.event_id)
	WHERE event_id = NEW.event_id;
	UPDATE site_figures SET
		people = people + NOT EXISTS (SELECT 1 FROM rsvp o WHERE o.email = NEW.email
			AND o.id < NEW.id),
		came_back = came_back + EXISTS (SELECT 1 FROM rsvp o WHERE o.email = NEW.email
			AND o.id < NEW.id AND o.event_id <> NEW.event_id)
	WHERE id = 1;
END;

PRAGMA user_version = 21;
