#include "change.h"
#include "idem.h"

enum db_rc change_begin(struct db *db, const char *form_token, int *replayed,
    int64_t *mark)
{
	enum db_rc rc;

	*replayed = 0;
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	if ((form_token == NULL || (rc = idem_claim(db, form_token, replayed)) == DB_OK) &&
	    (rc = db_log_mark(db, mark)) == DB_OK)
		return rc;
	db_rollback(db);
	return rc;
}

enum db_rc change_end(struct db *db, enum db_rc rc, const char *actor, int64_t mark)
{
	return db_end(db, rc == DB_OK ? db_log_actor(db, actor, mark) : rc);
}
