-- Turnout schema: the one source of truth. turnout-admin init runs this file
-- on an empty database; changes to an existing database go in
-- migrations/NNN-name.sql, each ending with PRAGMA user_version = NNN, and
-- are mirrored here so a fresh database and a migrated one are the same.
-- Times are unix seconds, UTC.

CREATE TABLE event (
	id             INTEGER PRIMARY KEY,
	slug           TEXT NOT NULL UNIQUE
	               CHECK (length(slug) BETWEEN 1 AND 64
	                      AND slug NOT GLOB '*[^a-z0-9-]*'
	                      AND substr(slug, 1, 1) <> '-'),
	title          TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	description    TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
	location       TEXT NOT NULL DEFAULT '' CHECK (length(location) <= 200),
	starts_at      INTEGER NOT NULL,
	ends_at        INTEGER CHECK (ends_at IS NULL OR ends_at >= starts_at),
	status         TEXT NOT NULL DEFAULT 'draft'
	               CHECK (status IN ('draft', 'published', 'cancelled')),
	capacity       INTEGER CHECK (capacity IS NULL OR capacity >= 0),  -- NULL: unlimited
	max_guests     INTEGER NOT NULL DEFAULT 0 CHECK (max_guests BETWEEN 0 AND 100),
	rsvp_opens_at  INTEGER,                                            -- NULL: open now
	rsvp_closes_at INTEGER,                                            -- NULL: until it starts
	version        INTEGER NOT NULL DEFAULT 1,
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL
);

CREATE INDEX event_upcoming ON event (status, starts_at);

PRAGMA user_version = 1;
