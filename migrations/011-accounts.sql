-- Accounts on the admin page (issue 13): when each last logged in, and
-- disabled accounts (kept, so their name still reads in the log and on
-- scores, but they cannot log in and their sessions are gone).
ALTER TABLE admin_user ADD COLUMN last_login_at INTEGER;
ALTER TABLE admin_user ADD COLUMN disabled_at INTEGER;

-- There is always an admin who can log in: the last enabled admin cannot
-- be removed, demoted or disabled (turnout-admin user add makes another).
CREATE TRIGGER admin_user_last_admin_delete BEFORE DELETE ON admin_user
WHEN OLD.role = 'admin' AND OLD.disabled_at IS NULL
     AND NOT EXISTS (SELECT 1 FROM admin_user WHERE role = 'admin' AND disabled_at IS NULL
                     AND id <> OLD.id) BEGIN
	SELECT RAISE(ABORT, 'admin_user: the last admin stays');
END;
CREATE TRIGGER admin_user_last_admin_update BEFORE UPDATE OF role, disabled_at ON admin_user
WHEN OLD.role = 'admin' AND OLD.disabled_at IS NULL
     AND (NEW.role <> 'admin' OR NEW.disabled_at IS NOT NULL)
     AND NOT EXISTS (SELECT 1 FROM admin_user WHERE role = 'admin' AND disabled_at IS NULL
                     AND id <> OLD.id) BEGIN
	SELECT RAISE(ABORT, 'admin_user: the last admin stays');
END;

PRAGMA user_version = 11;
