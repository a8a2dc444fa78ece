/*
 * No cost that grows with history (issue 14): the query plan of every
 * prepared statement (src/db.c) and of every trigger body, on a database
 * with a season's history made through the site's own functions
 * (bench/history.c, at 1/SCALE of the full season) and ANALYZE data,
 * must not read a growing table whole: no SCAN of one, no SEARCH that
 * visits more than ROWS_MAX rows per run by the statistics (the product
 * of the nested loops of one join), no temporary B-tree in a statement
 * over one. A growing table is one with more than ROWS_MAX rows here.
 * The few plans that are fine anyway are allowed below, each with why.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "history.h"
#include "score.h"
#include "testdb.h"

#define NOW 1800000000
#define SCALE 100	/* 1 000 RSVPs, 200 pledges, 200 past events */
#define ROWS_MAX 100	/* rows one run of a statement may visit */
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* What judge() says of a temporary B-tree over a growing table. */
#define TEMP_BTREE "[a temp B-tree over a growing table]"

/* Plans that break the rules above and are fine: why, for each. */
static const struct allowed {
	enum stmt stmt;
	const char *why;
} allowed_stmts[] = {
	/* Bounded by a LIMIT, reading in the index's order, filtering nothing out: */
	{ STMT_EVENT_UPCOMING, "the events not over yet (a range of event_end), sorted by"
	  " start: no past event is read; an archive of past events costs nothing" },
	{ STMT_EVENT_ADMIN_UPCOMING, "the same for the admin dashboard" },
	{ STMT_EVENT_ADMIN_PAST, "a page of the events over (EVENT_ADMIN_PAST_PAGE + 1), in"
	  " event_end's order from the cursor's end on" },
	{ STMT_FORM_PURGE, "the 8 oldest expired tokens, in form_use_age's order" },
	{ STMT_RSVP_ADMIN_LIST, "a keyset page of the participants page and the CSV"
	  " export: from the cursor in index order, RSVP_ADMIN_PAGE + 1 rows; a search"
	  " (?q) filters on the way, so a rare text walks the event's index entries once,"
	  " without sorting or a count per hit" },
	{ STMT_RSVP_DOOR, "door mode: one event's confirmed parties in rsvp_door's (name)"
	  " order, at most RSVP_DOOR_MAX + 1 rows, no sort; a search filters on the way."
	  " It grows with the event, never with the history of others" },
	{ STMT_RSVP_RECENT, "the newest RSVP_RECENT_MAX, in rsvp_event_active's order" },
	{ STMT_WAITLIST, "the first WAITLIST_SHOW_MAX of the queue, in index order" },
	{ STMT_WAITLIST_FIT, "LIMIT 1 in rsvp_waitlist_size's order: the earliest party of"
	  " the smallest size from ?2 on (the statistics cannot see a range)" },
	/* Reading a few rows the statistics cannot tell apart from many: */
	{ STMT_LOG_ACTOR, "the log rows after the mark: this transaction's own" },
	{ STMT_WAITLIST_AHEAD, "the parties ahead of one waitlisted party (between two hits"
	  " of a search): the counters of the blocks of 256 ids between, and at most 255"
	  " covering index entries at each end (the statistics cannot see id ranges)" },
	{ STMT_OUTBOX_REMINDERS, "the events starting within the reminder window and not"
	  " reminded yet: each event's confirmed RSVPs are read once, when it enters the"
	  " window (event.reminded), not every minute" },
	{ STMT_EVENT_REMINDED, "the events starting within the reminder window" },
	{ STMT_PURGE_FORM_USE, "visits only the rows it deletes: the expired ones, in"
	  " form_use_age's order" },
	{ STMT_PURGE_OUTBOX, "visits only the rows it deletes: sent or discarded and old,"
	  " in the partial index outbox_done" },
	/* The one whose point is to read everything: */
	{ STMT_ITEM_EXPORT, "the potluck sheet's CSV export: every pledge of the event" },
};

/*
 * Statements allowed a temporary B-tree, sorting rows that do not grow
 * with history, and nothing else: their reads are judged as any other's,
 * so a plan that comes to scan a growing table fails again.
 */
static const struct allowed allowed_sorts[] = {
	{ STMT_ITEM_LIST, "sorts the event's items (at most POTLUCK_ITEMS_MAX), each with"
	  " one pledge at most (the RSVP's own, by unique key)" },
	{ STMT_ITEM_ADMIN_LIST, "the same" },
	{ STMT_PLEDGE_LIST, "sorts at most POTLUCK_NAMES_SHOWN pledges per item, read in"
	  " pledge_item's order; the rest is the item's counter" },
};

#define NALLOWED (ARRAY_LEN(allowed_stmts) + ARRAY_LEN(allowed_sorts))

/* Trigger statements (by trigger name) allowed the same way. */
static const struct allowed_trigger {
	const char *trigger;
	const char *why;
} allowed_triggers[] = {
	{ NULL, NULL },
};

/* Foreign keys (table.column) allowed to have no index, and why. */
static const struct allowed_key {
	const char *key;
	const char *why;
} allowed_keys[] = {
	{ "outbox.event_id", "no statement deletes an event; the cascade of one deletion"
	  " would read the outbox once" },
};

static struct testdb t;
/*
 * Where plans are made: the database with its statistics, or a copy
 * without them (a site that never ran ANALYZE), judged by the same
 * statistics of the history either way.
 */
static sqlite3 *planner, *bare;

static int setup(void **state)
{
	struct event e = { .slug = "season", .title = "Season final", .description = "",
	    .location = "", .starts_at = NOW + 30 * 86400, .status = EVENT_PUBLISHED,
	    .capacity = 50, .max_guests = 0 };
	static const char *const divisions[] = { "Open", "Women" };
	struct competition c = { .kind = SCORE_TIME, .rule = SCORE_BEST, .rounds = 1, .unit = "" };
	struct event race;
	char path[128], *sql;

	(void)state;
	testdb_open_event(&t, NOW, &e);
	/* A throwaway file: no fsync per change. */
	assert_int_equal(sqlite3_exec(db_sqlite(t.db), "PRAGMA synchronous = OFF", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(history_make(t.db, "season", SCALE, 0), 0);
	/* The season's race: entries, times and corrections (history.h). */
	race = e;
	race.slug = "race";
	race.title = "Season race";
	assert_int_equal(event_create(t.db, &race), DB_OK);
	assert_int_equal(score_setup(t.db, t.a, "race", &c, divisions, 2), DB_OK);
	assert_int_equal(history_competition(t.db, "race", SCALE, 0), 0);
	/*
	 * Items on a second event (8, as the demo's picnic has beside the
	 * season; the race will do): with every item in one event the
	 * statistics made an event's items
	 * look like the whole table, and a plan that scanned every pledge of
	 * the site (10 ms an event page at 200 pledges) passed here.
	 */
	assert_int_equal(sqlite3_exec(db_sqlite(t.db), "WITH RECURSIVE n(i) AS (SELECT 1"
	    " UNION ALL SELECT i + 1 FROM n WHERE i < 8) INSERT INTO item (event_id, name,"
	    " category, suggested, position) SELECT e.id, 'Dish ' || i, 'food', 5, i FROM n,"
	    " event e WHERE e.slug = 'race'", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db_sqlite(t.db), "ANALYZE", NULL, NULL, NULL), SQLITE_OK);
	/* The copy without statistics; opened again so that none are loaded. */
	snprintf(path, sizeof(path), "%s/bare.db", t.dir);
	sql = sqlite3_mprintf("VACUUM INTO '%q'", path);
	assert_int_equal(sqlite3_exec(db_sqlite(t.db), sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_free(sql);
	assert_int_equal(sqlite3_open(path, &bare), SQLITE_OK);
	assert_int_equal(sqlite3_exec(bare, "DROP TABLE sqlite_stat1", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(bare);
	assert_int_equal(sqlite3_open(path, &bare), SQLITE_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sqlite3_close(bare);
	testdb_close(&t);
	return 0;
}

/* Rows of table, or of the table behind index idx; -1 if neither exists. */
static long long table_rows(const char *name)
{
	char table[128] = "", sql[256];
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db_sqlite(t.db), "SELECT tbl_name FROM sqlite_master"
	    " WHERE name = ?1 AND type IN ('table', 'index')", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(table, sizeof(table), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (*table == '\0')
		return -1;	/* a subquery's result ("(subquery-3)"), a CTE */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", table);
	return testdb_int(t.db, sql);
}

/* The table an alias (or name) of sql stands for, into out; "" if unknown. */
static void table_of(const char *sql, const char *alias, char *out, size_t len)
{
	static const char *const words[] = { "WHERE", "ON", "JOIN", "LEFT", "SET", "GROUP",
	    "ORDER", "LIMIT", "USING", "VALUES", "SELECT", "INNER", "CROSS", "RETURNING",
	    "WHEN", "BEGIN", "INDEXED", "NOT", "DEFAULT", NULL };
	char prev[64] = "", word[64];
	const char *p = sql;
	sqlite3_stmt *st;
	size_t n, i;
	int keyword;

	*out = '\0';
	while (*p != '\0') {
		if (!isalnum((unsigned char)*p) && *p != '_') {
			if (*p == '\'')
				while (*++p != '\0' && *p != '\'')
					;
			if (*p != '\0')
				p++;
			if (*p != ' ' && *p != '\0' && !isalnum((unsigned char)*p) && *p != '_')
				*prev = '\0';
			continue;
		}
		for (n = 0; (isalnum((unsigned char)p[n]) || p[n] == '_') && n < sizeof(word) - 1;
		    n++)
			word[n] = p[n];
		word[n] = '\0';
		p += n;
		for (keyword = 0, i = 0; words[i] != NULL; i++)
			keyword |= strcasecmp(word, words[i]) == 0;
		if (strcasecmp(word, "AS") == 0)
			continue;
		if (*prev != '\0' && !keyword && strcmp(word, alias) == 0) {
			snprintf(out, len, "%s", prev);
			return;
		}
		*prev = '\0';
		if (sqlite3_prepare_v2(db_sqlite(t.db), "SELECT 1 FROM sqlite_master WHERE type ="
		    " 'table' AND name = ?1", -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_text(st, 1, word, -1, SQLITE_STATIC);
			if (sqlite3_step(st) == SQLITE_ROW)
				snprintf(prev, sizeof(prev), "%s", word);
			sqlite3_finalize(st);
		}
	}
	if (table_rows(alias) >= 0)
		snprintf(out, len, "%s", alias);
}

/* Entries of the index named at the start of s (a partial one holds few); 0 if empty. */
static long long index_rows(const char *s)
{
	char idx[128] = "", sql[256];

	if (sscanf(s, "%127s", idx) != 1)
		return 0;
	snprintf(sql, sizeof(sql), "SELECT coalesce((SELECT CAST(stat AS INTEGER)"
	    " FROM sqlite_stat1 WHERE idx = '%s'), 0)", idx);
	return testdb_int(t.db, sql);
}

/*
 * Rows one SEARCH visits by the statistics: sqlite_stat1 of its index for
 * the columns it compares with "=" (all rows of the index if none).
 */
static long long search_rows(const char *table, const char *detail)
{
	const char *u = strstr(detail, " USING "), *cols = strchr(detail, '(');
	char idx[128] = "", stat[512] = "", sql[256];
	long long v[16];
	int neq = 0, nv = 0, off = 0, k;
	sqlite3_stmt *st;

	if (u == NULL)
		return 1;	/* min() or max() of the rowid */
	if (strstr(u, "AUTOMATIC") != NULL)
		return table_rows(table);	/* an index built by reading it all */
	if (strstr(u, "INTEGER PRIMARY KEY") != NULL)
		return cols != NULL && strstr(cols, "rowid=?") != NULL ? 1 : table_rows(table);
	if (strstr(u, " PRIMARY KEY") != NULL)
		snprintf(sql, sizeof(sql), "SELECT name FROM pragma_index_list('%s')"
		    " WHERE origin = 'pk'", table);
	else if (strstr(u, "INDEX ") != NULL &&
	    sscanf(strstr(u, "INDEX ") + 6, "%127s", idx) == 1)
		snprintf(sql, sizeof(sql), "SELECT '%s'", idx);
	else
		return table_rows(table);
	assert_int_equal(sqlite3_prepare_v2(db_sqlite(t.db), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(idx, sizeof(idx), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	/* Terms "a=? AND b=? AND c>?": a range ends what the statistics describe. */
	for (; cols != NULL && *cols != '\0' && *cols != ')'; cols++)
		if (*cols == '<' || *cols == '>')
			break;
		else if (*cols == '=')
			neq++;
	assert_int_equal(sqlite3_prepare_v2(db_sqlite(t.db), "SELECT stat FROM sqlite_stat1"
	    " WHERE idx = ?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, idx, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(stat, sizeof(stat), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	while (nv < 16 && sscanf(stat + off, "%lld%n", &v[nv], &k) == 1) {
		off += k;
		nv++;
	}
	if (nv == 0)
		return 0;	/* no statistics: the index is empty */
	return neq < nv ? v[neq] : 1;
}

/*
 * What is wrong with sql's plan ("" if nothing), into why. A join's loops
 * are siblings in the plan: their estimates multiply.
 */
static void judge(const char *sql, char *why, size_t len)
{
	char *eqp = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql), table[64], name[64];
	long long product[64] = { 0 }, rows;
	int growing = 0, temp = 0, parent, n;
	const char *detail, *vt;
	sqlite3_stmt *st;
	size_t used = 0;

	*why = '\0';
	/*
	 * Without the foreign keys' checks: on an insert into a parent table
	 * the plan shows a search of each child table that runs only while a
	 * deferred violation is pending; test_foreign_keys covers cascades.
	 */
	assert_int_equal(sqlite3_exec(planner, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL),
	    SQLITE_OK);
	if (sqlite3_prepare_v2(planner, eqp, -1, &st, NULL) != SQLITE_OK) {
		snprintf(why, len, "cannot explain: %s", sqlite3_errmsg(planner));
		sqlite3_free(eqp);
		return;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		parent = sqlite3_column_int(st, 1) % 64;
		detail = (const char *)sqlite3_column_text(st, 3);
		if (strncmp(detail, "USE TEMP B-TREE", 15) == 0)
			temp = 1;
		if ((strncmp(detail, "SCAN ", 5) != 0 && strncmp(detail, "SEARCH ", 7) != 0) ||
		    strcmp(detail, "SCAN CONSTANT ROW") == 0 ||
		    sscanf(detail, "%*s %63s", name) != 1)
			continue;
		table_of(sql, name, table, sizeof(table));
		if ((rows = table_rows(table)) < 0)
			continue;	/* a subquery's result, a CTE */
		growing |= rows > ROWS_MAX;
		if (detail[1] == 'C' && (vt = strstr(detail, " VIRTUAL TABLE INDEX ")) != NULL)
			/* FTS5's plan "N:M..." has a MATCH, "N:=..." a rowid: else all rows. */
			rows = (vt = strchr(vt, ':')) != NULL && strpbrk(vt, "M=") != NULL ? 1 : rows;
		else if (detail[1] == 'C' && strstr(detail, "INDEX ") != NULL)
			rows = index_rows(strstr(detail, "INDEX ") + 6);
		if (detail[1] == 'C' && rows > ROWS_MAX)
			n = snprintf(why + used, len - used, "[%s: %lld rows] ", detail, rows);
		else if (detail[1] == 'E' && (product[parent] = (product[parent] ? product[parent]
		    : 1) * search_rows(table, detail)) > ROWS_MAX)
			n = snprintf(why + used, len - used, "[%s: ~%lld rows] ", detail,
			    product[parent]);
		else
			n = 0;
		used += n > 0 && (size_t)n < len - used ? (size_t)n : 0;
	}
	if (temp && growing)
		snprintf(why + used, len - used, TEMP_BTREE);
	sqlite3_finalize(st);
	sqlite3_free(eqp);
	assert_int_equal(sqlite3_exec(planner, "PRAGMA foreign_keys = ON", NULL, NULL, NULL),
	    SQLITE_OK);
}

/* Judge every prepared statement with plans made on connection p. */
static void check_statements(sqlite3 *p)
{
	char why[2048];
	int i, bad = 0;
	size_t k;

	planner = p;
	for (i = 0; i < STMT__MAX; i++) {
		const char *sql = sqlite3_sql(db_stmt(t.db, (enum stmt)i));

		judge(sql, why, sizeof(why));
		for (k = 0; k < NALLOWED; k++) {
			const struct allowed *a = k < ARRAY_LEN(allowed_stmts) ? &allowed_stmts[k] :
			    &allowed_sorts[k - ARRAY_LEN(allowed_stmts)];

			if (a->stmt != (enum stmt)i)
				continue;
			/* An entry no longer needed is removed, not kept "just in case". */
			if (*why == '\0')
				snprintf(why, sizeof(why), "allowed, but the plan is fine:"
				    " take it off the list");
			else if (a < allowed_sorts || a >= allowed_sorts + ARRAY_LEN(allowed_sorts) ||
			    strcmp(why, TEMP_BTREE) == 0)
				*why = '\0';
		}
		if (*why != '\0') {
			print_message("# statement %d: %.160s\n#   %s\n", i, sql, why);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/*
 * sql with every NEW.x and OLD.x replaced by a parameter, so a trigger's
 * statement can be explained on its own; free with free().
 */
static char *unbound(const char *sql)
{
	char *out = malloc(strlen(sql) + 1), *o = out;

	assert_non_null(out);
	while (*sql != '\0') {
		if ((strncmp(sql, "NEW.", 4) == 0 || strncmp(sql, "OLD.", 4) == 0) &&
		    (o == out || !isalnum((unsigned char)o[-1]))) {
			*o++ = '?';
			for (sql += 4; isalnum((unsigned char)*sql) || *sql == '_'; sql++)
				;
		} else {
			*o++ = *sql++;
		}
	}
	*o = '\0';
	return out;
}

/* Judge each statement of trigger name's body, and its WHEN clause. */
static int judge_trigger(const char *name, const char *sql)
{
	char *body = unbound(sql), *p, *begin, *s, why[2048];
	int bad = 0, quoted = 0;

	/* The header ends at the first BEGIN; its WHEN clause, as a SELECT. */
	for (begin = body; !isspace((unsigned char)begin[0]) ||
	    strncmp(begin + 1, "BEGIN", 5) != 0 || !isspace((unsigned char)begin[6]); begin++)
		assert_true(*begin != '\0');
	*begin = '\0';
	if ((p = strstr(body, "WHEN ")) != NULL) {
		s = sqlite3_mprintf("SELECT %s", p + 5);
		judge(s, why, sizeof(why));
		if (*why != '\0') {
			print_message("# trigger %s, WHEN:\n#   %s\n", name, why);
			bad++;
		}
		sqlite3_free(s);
	}
	for (s = p = begin + 6; *p != '\0'; p++) {
		if (*p == '\'')
			quoted = !quoted;
		if (quoted || *p != ';')
			continue;
		*p = '\0';
		while (isspace((unsigned char)*s))
			s++;
		if (strncmp(s, "SELECT RAISE", 12) != 0) {
			judge(s, why, sizeof(why));
			if (*why != '\0') {
				print_message("# trigger %s: %.120s\n#   %s\n", name, s, why);
				bad++;
			}
		}
		s = p + 1;
	}
	free(body);
	return bad;
}

/* Judge every trigger's statements with plans made on connection p. */
static void check_triggers(sqlite3 *p)
{
	sqlite3_stmt *st;
	int bad = 0, n = 0;
	size_t k;

	planner = p;
	assert_int_equal(sqlite3_prepare_v2(db_sqlite(t.db), "SELECT name, sql FROM sqlite_master"
	    " WHERE type = 'trigger' ORDER BY name", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		int allowed = 0;

		for (k = 0; k < sizeof(allowed_triggers) / sizeof(allowed_triggers[0]); k++)
			allowed |= allowed_triggers[k].trigger != NULL &&
			    strcmp(allowed_triggers[k].trigger, name) == 0;
		if (!allowed)
			bad += judge_trigger(name, (const char *)sqlite3_column_text(st, 1));
		n++;
	}
	sqlite3_finalize(st);
	assert_true(n > 10);
	assert_int_equal(bad, 0);
}

/*
 * A foreign key's cascade (and the check on deleting a parent) searches
 * the child table by its columns: on a growing table an index must lead
 * with them.
 */
static void test_foreign_keys(void **state)
{
	sqlite3_stmt *st;
	int bad = 0;
	size_t k;

	(void)state;
	assert_int_equal(sqlite3_prepare_v2(db_sqlite(t.db), "SELECT m.name, f.\"from\""
	    " FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f"
	    " WHERE m.type = 'table' AND f.seq = 0 AND NOT EXISTS (SELECT 1"
	    "  FROM pragma_index_list(m.name) i JOIN pragma_index_info(i.name) c"
	    "  WHERE i.partial = 0 AND c.seqno = 0 AND c.name = f.\"from\")"
	    " AND NOT EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.pk = 1"
	    "  AND c.type = 'INTEGER' AND c.name = f.\"from\")",
	    -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *table = (const char *)sqlite3_column_text(st, 0);
		char key[128];
		int allowed = 0;

		snprintf(key, sizeof(key), "%s.%s", table, sqlite3_column_text(st, 1));
		for (k = 0; k < sizeof(allowed_keys) / sizeof(allowed_keys[0]); k++)
			allowed |= allowed_keys[k].key != NULL && strcmp(allowed_keys[k].key, key) == 0;
		if (!allowed && table_rows(table) > ROWS_MAX) {
			print_message("# foreign key %s has no index\n", key);
			bad++;
		}
	}
	sqlite3_finalize(st);
	assert_int_equal(bad, 0);
}

/* The history is there: the rules above judge something real. */
static void test_history(void **state)
{
	(void)state;
	assert_int_equal(testdb_int(t.db, "SELECT count(*) FROM rsvp"),
	    (100000 + HISTORY_ENTRIES) / SCALE);
	assert_int_equal(testdb_int(t.db, "SELECT count(*) FROM entry"), HISTORY_ENTRIES / SCALE);
	assert_int_equal(testdb_int(t.db, "SELECT count(*) FROM score WHERE voided_at IS NULL"),
	    HISTORY_TIMES / SCALE);
	assert_int_equal(testdb_int(t.db, "SELECT count(*) FROM score WHERE voided_at IS NOT NULL"),
	    HISTORY_FIXES / SCALE);
	assert_true(testdb_int(t.db, "SELECT count(*) FROM rsvp_log") > 100000 / SCALE);
	assert_int_equal(testdb_int(t.db, "SELECT count(*) FROM pledge"), 20000 / SCALE);
	assert_int_equal(testdb_int(t.db, "SELECT count(*) FROM rsvp WHERE status ="
	    " 'waitlisted'"), 32000 / SCALE);
	assert_int_equal(testdb_int(t.db, "SELECT count(*) FROM outbox WHERE state = 'sent'"),
	    testdb_int(t.db, "SELECT count(*) FROM outbox"));
	assert_true(testdb_int(t.db, "SELECT count(*) FROM sqlite_stat1") > 10);
}

static void test_statements(void **state)
{
	(void)state;
	check_statements(db_sqlite(t.db));
}

static void test_triggers(void **state)
{
	(void)state;
	check_triggers(db_sqlite(t.db));
}

/* A site that never ran ANALYZE gets plans as good. */
static void test_statements_unanalysed(void **state)
{
	(void)state;
	check_statements(bare);
}

static void test_triggers_unanalysed(void **state)
{
	(void)state;
	check_triggers(bare);
}

int main(void)
{

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_statements),
		cmocka_unit_test(test_triggers),
		cmocka_unit_test(test_statements_unanalysed),
		cmocka_unit_test(test_triggers_unanalysed),
		cmocka_unit_test(test_foreign_keys),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
