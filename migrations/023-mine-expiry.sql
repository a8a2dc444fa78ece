-- "My sign-ups" links end for good: the worker's housekeeping deletes a
-- link once it has expired (30 days), and this trigger the manage and
-- hold links opened from its page with it, which lived on after the
-- page's own link had ended. Revoking deletes those at once (mine.c).
CREATE INDEX mine_link_expiry ON mine_link (expires_at);
CREATE TRIGGER mine_link_delete AFTER DELETE ON mine_link BEGIN
	DELETE FROM rsvp_link WHERE mine_id = OLD.id;
	DELETE FROM hold_link WHERE mine_id = OLD.id;
END;

PRAGMA user_version = 23;
