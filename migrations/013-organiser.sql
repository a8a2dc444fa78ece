-- An organiser who cancels someone's RSVP from the admin pages: the
-- cancellation e-mail the status trigger enqueues is worded as theirs
-- (not "thank you for letting us know") and carries their optional
-- message. Columns with defaults: the table keeps its rows and triggers.
ALTER TABLE outbox ADD COLUMN by_organiser INTEGER NOT NULL DEFAULT 0
	CHECK (by_organiser IN (0, 1));
ALTER TABLE outbox ADD COLUMN message TEXT
	CHECK (message IS NULL OR length(message) BETWEEN 1 AND 1000);

-- Several live links per RSVP: "e-mail me my link" and a promotion each
-- add one, so the link a person has keeps working; "replace my link"
-- drops them all and gives the RSVP a new first one (rsvp.token_hash).
-- Only hashes are stored, as for the first link.
CREATE TABLE rsvp_link (
	token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
	rsvp_id    INTEGER NOT NULL REFERENCES rsvp (id) ON DELETE CASCADE,
	made_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX rsvp_link_rsvp ON rsvp_link (rsvp_id);

-- Door mode: the confirmed parties of an event in alphabetical order.
CREATE INDEX rsvp_door ON rsvp (event_id, name COLLATE NOCASE, id)
	WHERE status = 'confirmed';

PRAGMA user_version = 13;
