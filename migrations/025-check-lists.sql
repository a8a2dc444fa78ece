-- A CHECK that lists three or more values with IN makes SQLite build a
-- temporary index of the list for every row it checks: a B-tree opened,
-- filled and freed, seven of them in a sign-up's commit (for the RSVP, its
-- log row, its e-mail and the curve trigger's WHEN). The same lists
-- written with OR are compared in place. Only the CHECKs' text changes,
-- and every row satisfies the new one as it did the old, so the tables'
-- definitions are edited where SQLite keeps them (writable_schema, as its
-- documentation allows for such a change: "ALTER TABLE", section 7)
-- rather than rebuilding tables that hold a season of rows. Re-creating
-- the trigger changes the schema's version, so that every connection
-- reads the new definitions.
PRAGMA writable_schema = ON;
UPDATE sqlite_master SET sql = replace(sql,
	'status IN (''draft'', ''published'', ''cancelled'')',
	'status = ''draft'' OR status = ''published''
	                      OR status = ''cancelled''')
WHERE type = 'table' AND name = 'event';
UPDATE sqlite_master SET sql = replace(sql,
	'status IN (''confirmed'', ''waitlisted'', ''cancelled'')',
	'status = ''confirmed'' OR status = ''waitlisted''
	                                   OR status = ''cancelled''')
WHERE type = 'table' AND name = 'rsvp';
UPDATE sqlite_master SET sql = replace(sql,
	'action IN (''rsvp'', ''waitlist'', ''promote'', ''update'',
	                                           ''cancel'', ''checkin'', ''uncheckin'',
	                                           ''score'', ''void'', ''correct'')',
	'action = ''rsvp'' OR action = ''waitlist''
	                                OR action = ''promote'' OR action = ''update''
	                                OR action = ''cancel'' OR action = ''checkin''
	                                OR action = ''uncheckin'' OR action = ''score''
	                                OR action = ''void'' OR action = ''correct''')
WHERE type = 'table' AND name = 'rsvp_log';
UPDATE sqlite_master SET sql = replace(sql,
	'category IN (''food'', ''drink'', ''utensil'', ''decoration'', ''other'')',
	'category = ''food'' OR category = ''drink'' OR category = ''utensil''
	                  OR category = ''decoration'' OR category = ''other''')
WHERE type = 'table' AND name = 'item';
UPDATE sqlite_master SET sql = replace(sql,
	'kind IN (''confirmed'', ''waitlisted'', ''promoted'',
	                ''cancelled'', ''reminder'', ''resend'', ''claimed'', ''claim_cancelled'', ''mine'',
	                ''alert'')',
	'kind = ''confirmed'' OR kind = ''waitlisted''
	                                     OR kind = ''promoted'' OR kind = ''cancelled''
	                                     OR kind = ''reminder'' OR kind = ''resend''
	                                     OR kind = ''claimed''
	                                     OR kind = ''claim_cancelled'' OR kind = ''mine''
	                                     OR kind = ''alert''')
WHERE type = 'table' AND name = 'outbox';
UPDATE sqlite_master SET sql = replace(sql,
	'state IN (''pending'', ''sending'', ''sent'', ''dead'', ''discarded'')',
	'state = ''pending'' OR state = ''sending'' OR state = ''sent''
	                       OR state = ''dead'' OR state = ''discarded''')
WHERE type = 'table' AND name = 'outbox';
UPDATE sqlite_master SET sql = replace(sql,
	'role IN (''admin'', ''organiser'', ''scorekeeper'')',
	'role = ''admin'' OR role = ''organiser'' OR role = ''scorekeeper''')
WHERE type = 'table' AND name = 'admin_user';
UPDATE sqlite_master SET sql = replace(sql,
	'status IN (''live'', ''claimed'', ''released'', ''expired'', ''cancelled'')',
	'status = ''live'' OR status = ''claimed'' OR status = ''released''
	                    OR status = ''expired'' OR status = ''cancelled''')
WHERE type = 'table' AND name = 'drop_hold';
UPDATE sqlite_master SET sql = replace(sql,
	'action IN (''hold'', ''renew'', ''claim'', ''release'', ''expire'', ''cancel'')',
	'action = ''hold'' OR action = ''renew'' OR action = ''claim''
	                  OR action = ''release'' OR action = ''expire'' OR action = ''cancel''')
WHERE type = 'table' AND name = 'drop_log';
UPDATE sqlite_master SET sql = replace(sql,
	'kind IN (''points'', ''time'', ''distance'')',
	'kind = ''points'' OR kind = ''time''
	                                  OR kind = ''distance''')
WHERE type = 'table' AND name = 'competition';
UPDATE sqlite_master SET sql = replace(sql,
	'rule IN (''best'', ''total'', ''average'')',
	'rule = ''best'' OR rule = ''total''
	                                  OR rule = ''average''')
WHERE type = 'table' AND name = 'competition';
UPDATE sqlite_master SET sql = replace(sql,
	'source IN (''entrant'', ''scorekeeper'', ''api'')',
	'source = ''entrant'' OR source = ''scorekeeper''
	                                OR source = ''api''')
WHERE type = 'table' AND name = 'score';
UPDATE sqlite_master SET sql = replace(sql,
	'action IN (''freeze'', ''unfreeze'', ''publish'')',
	'action = ''freeze'' OR action = ''unfreeze''
	                              OR action = ''publish''')
WHERE type = 'table' AND name = 'board_log';
PRAGMA writable_schema = OFF;
DROP TRIGGER rsvp_log_curve;
CREATE TRIGGER rsvp_log_curve AFTER INSERT ON rsvp_log
WHEN NEW.action = 'rsvp' OR NEW.action = 'waitlist' OR NEW.action = 'promote'
	OR NEW.action = 'cancel' BEGIN
	INSERT INTO event_curve (event_id, at, signups, cancels, waiting)
	SELECT NEW.event_id, NEW.at - NEW.at % max(60, (starts_at - created_at) / 600),
		NEW.action IN ('rsvp', 'waitlist'), NEW.action = 'cancel',
		(NEW.action = 'waitlist') - (NEW.action = 'promote'
			OR coalesce(NEW.old_status, '') = 'waitlisted')
	FROM event WHERE id = NEW.event_id
	ON CONFLICT (event_id, at) DO UPDATE SET signups = signups + excluded.signups,
		cancels = cancels + excluded.cancels, waiting = waiting + excluded.waiting;
END;

PRAGMA user_version = 25;
