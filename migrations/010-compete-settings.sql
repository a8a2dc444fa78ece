-- Competition settings on the admin page (issue 13). The rules that give
-- the stored scores their meaning cannot change under them: the kind (a
-- time read as points), the unit (metres read as centimetres) and the
-- ranking rule are fixed once the competition has a score (voided ones
-- too: the CSV still shows them), and the rounds cannot drop below a
-- round that holds a live score. A division with entries cannot go
-- (entry.division_id's foreign key refuses it).

CREATE TRIGGER competition_rules_fixed BEFORE UPDATE OF kind, rule, unit ON competition
WHEN (NEW.kind IS NOT OLD.kind OR NEW.rule IS NOT OLD.rule OR NEW.unit IS NOT OLD.unit)
     AND EXISTS (SELECT 1 FROM score WHERE event_id = OLD.event_id) BEGIN
	SELECT RAISE(ABORT, 'competition: kind, rule and unit are fixed once there are scores');
END;

CREATE TRIGGER competition_rounds_scored BEFORE UPDATE OF rounds ON competition
WHEN NEW.rounds < (SELECT max(round) FROM score
                   WHERE event_id = OLD.event_id AND voided_at IS NULL) BEGIN
	SELECT RAISE(ABORT, 'competition: fewer rounds than a live score has');
END;

-- The divisions are on the board: its version (the ETag) follows them.
CREATE TRIGGER division_board_insert AFTER INSERT ON division BEGIN
	UPDATE competition SET version = version + 1 WHERE event_id = NEW.event_id;
END;
CREATE TRIGGER division_board_update AFTER UPDATE OF name, position ON division BEGIN
	UPDATE competition SET version = version + 1 WHERE event_id = NEW.event_id;
END;
CREATE TRIGGER division_board_delete AFTER DELETE ON division BEGIN
	UPDATE competition SET version = version + 1 WHERE event_id = OLD.event_id;
END;

PRAGMA user_version = 10;
