-- The figures page's curves without reading the log (issue 14): the
-- sign-ups, cancellations and waitlist changes of each event summed per
-- time bucket, kept by a trigger in the transaction that logs them. The
-- page drew the first 5 000 log rows (a season's event has 100 000 and
-- its curve stopped early) and read them all each time.
--
-- A bucket is 1/600 of the time from the event's creation to its start
-- (the chart is 600 pixels wide), at least a minute: an event has about
-- 600 buckets however many sign up. Moving the start changes the width of
-- later buckets only; each keeps its own start, so the curve stays in
-- time order.
CREATE TABLE event_curve (
	event_id INTEGER NOT NULL REFERENCES event (id) ON DELETE CASCADE,
	at       INTEGER NOT NULL,	-- the bucket's start
	signups  INTEGER NOT NULL,	-- parties that signed up (confirmed or waitlisted)
	cancels  INTEGER NOT NULL,	-- cancellations and removals
	waiting  INTEGER NOT NULL,	-- change in the parties waiting
	PRIMARY KEY (event_id, at)
) WITHOUT ROWID;

INSERT INTO event_curve (event_id, at, signups, cancels, waiting)
SELECT l.event_id, l.at - l.at % max(60, (e.starts_at - e.created_at) / 600),
	sum(l.action IN ('rsvp', 'waitlist')), sum(l.action = 'cancel'),
	sum((l.action = 'waitlist') - (l.action = 'promote' OR coalesce(l.old_status, '') = 'waitlisted'))
FROM rsvp_log l JOIN event e ON e.id = l.event_id
WHERE l.action IN ('rsvp', 'waitlist', 'promote', 'cancel')
GROUP BY 1, 2;

CREATE TRIGGER rsvp_log_curve AFTER INSERT ON rsvp_log
WHEN NEW.action IN ('rsvp', 'waitlist', 'promote', 'cancel') BEGIN
	INSERT INTO event_curve (event_id, at, signups, cancels, waiting)
	SELECT NEW.event_id, NEW.at - NEW.at % max(60, (starts_at - created_at) / 600),
		NEW.action IN ('rsvp', 'waitlist'), NEW.action = 'cancel',
		(NEW.action = 'waitlist') - (NEW.action = 'promote'
			OR coalesce(NEW.old_status, '') = 'waitlisted')
	FROM event WHERE id = NEW.event_id
	ON CONFLICT (event_id, at) DO UPDATE SET signups = signups + excluded.signups,
		cancels = cancels + excluded.cancels, waiting = waiting + excluded.waiting;
END;

PRAGMA user_version = 17;
