-- An organiser's address per event (issue 15, item 9): replies to the
-- event's e-mails go there (Reply-To) instead of to the site's sender,
-- which nobody reads. Optional; never shown on the public pages. Held to
-- the rule of the outbox's recipients: it goes into a header.
ALTER TABLE event ADD COLUMN contact TEXT CHECK (contact IS NULL OR
	(length(contact) BETWEEN 3 AND 254
	AND contact NOT GLOB ('*[' || char(1) || '-' || char(32, 127) || ']*')));

PRAGMA user_version = 20;
