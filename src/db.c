#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "drop.h"
#include "event.h"
#include "log.h"
#include "outbox.h"
#include "potluck.h"
#include "rsvp.h"
#include "score.h"
#include "sql.h"

struct db {
	sqlite3 *conn;
	sqlite3_stmt *stmt[STMT__MAX];
	int gate_fd;		/* the database file, for the writers' flock; -1: no gate */
	int gated;		/* 1 while this connection holds the gate */
	int gate_timeout_ms;	/* longest wait for the gate: busy_timeout_ms */
	int grouped;		/* 1: commits wait for the group fsync (db_group) */
	int wal_pages;		/* frames in the WAL after this connection's last commit */
	int batch;		/* 1 inside db_batch_begin(): changes are savepoints */
	uint64_t gate_waits;	/* times this connection queued for the gate ... */
	uint64_t gate_wait_us;	/* ... and for how long in all (for /metrics) */
};

/*
 * Group fsync, shared by every process forked after db_group_init(): a
 * commit (synchronous = NORMAL, no fsync inside the write gate) takes a
 * ticket inside the gate; after the gate, the commit is acknowledged once
 * synced >= ticket. Whoever holds `lead` syncs the WAL for everyone who
 * committed so far. The sequence numbers are only read and written with
 * atomics; `lead` orders the syncs and guards failed_upto and failing.
 */
struct db_group {
	pthread_mutex_t lead;	/* process-shared, robust: a dead leader's heir syncs */
	uint64_t committed;	/* tickets handed out */
	uint64_t synced;	/* every ticket <= this is on disk */
	uint64_t failed_upto;	/* tickets a failed sync covered: never acknowledged */
	int failing;		/* a sync failed and no checkpoint has made the WAL safe since */
	uint64_t syncs;		/* successful group syncs (kill -USR2 logs them) */
};

static struct db_group *group;

/*
 * Row types. Each lists the columns a statement selects for it, beside
 * the code that reads each into the row's struct, so the SQL and its
 * reader cannot disagree: X(column, read), where read fills a field from
 * column i of st (into e, r, it or m, with strings in arena a).
 */
#define EVENT_ROW(X) \
	X("slug", e->slug = db_text(a, st, i)) \
	X(", title", e->title = db_text(a, st, i)) \
	X(", description", e->description = db_text(a, st, i)) \
	X(", location", e->location = db_text(a, st, i)) \
	X(", starts_at", e->starts_at = db_int(st, i, 0)) \
	X(", ends_at", e->ends_at = db_int(st, i, 0)) \
	X(", status", e->status = (enum event_status)db_enum(st, i, event_status_names, \
	    EVENT_STATUS__MAX, EVENT_DRAFT)) \
	X(", capacity", e->capacity = db_int(st, i, -1)) \
	X(", max_guests", e->max_guests = (int)db_int(st, i, 0)) \
	X(", rsvp_opens_at", e->rsvp_opens_at = db_int(st, i, 0)) \
	X(", rsvp_closes_at", e->rsvp_closes_at = db_int(st, i, 0)) \
	X(", version", e->version = db_int(st, i, 1)) \
	X(", id", e->id = db_int(st, i, 0)) \
	X(", confirmed", e->confirmed = db_int(st, i, 0)) \
	X(", waitlisted", e->waitlisted = db_int(st, i, 0)) \
	X(", edit_version", e->edit_version = db_int(st, i, 1)) \
	X(", kind", e->kind = (enum event_kind)db_enum(st, i, event_kind_names, \
	    EVENT_KIND__MAX, EVENT_RSVP)) \
	X(", coalesce(contact, '')", e->contact = db_text(a, st, i))
/* The dashboard's also count the sheet's items, and those still short. */
#define EVENT_ADMIN_ROW(X) EVENT_ROW(X) \
	X(", (SELECT count(*) FROM item i WHERE i.event_id = event.id)", \
	    e->items = (int)db_int(st, i, 0)) \
	X(", (SELECT count(*) FROM item i WHERE i.event_id = event.id" \
	    " AND i.pledged < i.suggested)", e->items_needed = (int)db_int(st, i, 0)) \
	X(", (SELECT confirmed FROM event_figures f WHERE f.event_id = event.id)", \
	    e->parties = db_int(st, i, 0)) \
	X(", (SELECT checked_in FROM event_figures f WHERE f.event_id = event.id)", \
	    e->checked_in = db_int(st, i, 0))
/* An item, then the asking RSVP's quantity (p: its pledge, if any). */
#define ITEM_ROW(X) \
	X("i.id", it->id = db_int(st, i, 0)) \
	X(", i.event_id", it->event_id = db_int(st, i, 0)) \
	X(", i.name", it->name = db_text(a, st, i)) \
	X(", i.category", it->category = (enum item_category)db_enum(st, i, \
	    item_category_names, ITEM_CATEGORY__MAX, ITEM_OTHER)) \
	X(", i.unit", it->unit = db_text(a, st, i)) \
	X(", i.suggested", it->suggested = db_int(st, i, 0)) \
	X(", i.capped", it->capped = (int)db_int(st, i, 0)) \
	X(", i.position", it->position = (int)db_int(st, i, 0)) \
	X(", i.pledged", it->pledged = db_int(st, i, 0)) \
	X(", i.version", it->version = db_int(st, i, 0)) \
	X(", coalesce(p.quantity, 0)", it->mine = db_int(st, i, 0))
#define RSVP_ROW(X) \
	X("id", r->id = db_int(st, i, 0)) \
	X(", event_id", r->event_id = db_int(st, i, 0)) \
	X(", name", r->name = db_text(a, st, i)) \
	X(", email", r->email = db_text(a, st, i)) \
	X(", guests", r->guests = (int)db_int(st, i, 0)) \
	X(", note", r->note = db_text(a, st, i)) \
	X(", status", r->status = (enum rsvp_status)db_enum(st, i, rsvp_status_names, \
	    RSVP_STATUS__MAX, RSVP_CANCELLED)) \
	X(", created_at", r->created_at = db_int(st, i, 0)) \
	X(", checked_in_at", r->checked_in_at = db_int(st, i, 0))
/* A message the worker claimed (a RETURNING list). */
#define OUTBOX_ROW(X) \
	X("id", m->id = db_int(st, i, 0)) \
	X(", kind", m->kind = db_text(a, st, i)) \
	X(", recipient", m->recipient = db_text(a, st, i)) \
	X(", name", m->name = db_text(a, st, i)) \
	X(", event_id", m->event_id = db_int(st, i, 0)) \
	X(", link_token", m->link_token = sqlite3_column_type(st, i) == SQLITE_NULL ? \
	    NULL : db_text(a, st, i)) \
	X(", attempts", m->attempts = (int)db_int(st, i, 0)) \
	X(", created_at", m->created_at = db_int(st, i, 0)) \
	X(", next_attempt_at", m->next_attempt_at = db_int(st, i, 0)) \
	X(", lease_until", m->lease_until = db_int(st, i, 0)) \
	X(", hold_id", m->hold_id = db_int(st, i, 0)) \
	X(", rsvp_id", m->rsvp_id = db_int(st, i, 0)) \
	X(", by_organiser", m->by_organiser = (int)db_int(st, i, 0)) \
	X(", message", m->message = sqlite3_column_type(st, i) == SQLITE_NULL ? \
	    NULL : db_text(a, st, i))
#define DROP_SETTINGS_ROW(X) \
	X("per_person", s->per_person = (int)db_int(st, i, 1)) \
	X(", hold_seconds", s->hold_seconds = (int)db_int(st, i, DROP_HOLD_SECONDS_DEFAULT)) \
	X(", renewals", s->renewals = (int)db_int(st, i, 0)) \
	X(", pickup", s->pickup = db_text(a, st, i))
#define DROP_ITEM_ROW(X) \
	X("id", it->id = db_int(st, i, 0)) \
	X(", event_id", it->event_id = db_int(st, i, 0)) \
	X(", name", it->name = db_text(a, st, i)) \
	X(", price", it->price = db_text(a, st, i)) \
	X(", description", it->description = db_text(a, st, i)) \
	X(", position", it->position = (int)db_int(st, i, 0))
/* held: the live holds not yet past their expiry at ?2 (ms). */
#define DROP_VARIANT_ROW(X) \
	X("v.id", v->id = db_int(st, i, 0)) \
	X(", v.item_id", v->item_id = db_int(st, i, 0)) \
	X(", v.name", v->name = db_text(a, st, i)) \
	X(", v.stock", v->stock = db_int(st, i, 0)) \
	X(", (SELECT coalesce(sum(h.quantity), 0) FROM drop_hold h WHERE h.variant_id = v.id" \
	    " AND h.status = 'live' AND h.expires_at > ?2)", v->held = db_int(st, i, 0)) \
	X(", v.claimed", v->claimed = db_int(st, i, 0)) \
	X(", v.position", v->position = (int)db_int(st, i, 0))
/* A hold (h) of variant v of item i, with its claim (c) if any. */
#define HOLD_ROW(X) \
	X("h.id", h->id = db_int(st, i, 0)) \
	X(", h.event_id", h->event_id = db_int(st, i, 0)) \
	X(", h.variant_id", h->variant_id = db_int(st, i, 0)) \
	X(", h.quantity", h->quantity = (int)db_int(st, i, 0)) \
	X(", h.name", h->name = db_text(a, st, i)) \
	X(", h.email", h->email = db_text(a, st, i)) \
	X(", h.status", h->status = (enum hold_status)db_enum(st, i, hold_status_names, \
	    HOLD_STATUS__MAX, HOLD_EXPIRED)) \
	X(", h.created_at", h->created_at = db_int(st, i, 0)) \
	X(", h.expires_at", h->expires_at = db_int(st, i, 0)) \
	X(", h.renewals", h->renewals = (int)db_int(st, i, 0)) \
	X(", h.max_renewals", h->max_renewals = (int)db_int(st, i, 0)) \
	X(", i.name", h->item = db_text(a, st, i)) \
	X(", v.name", h->variant = db_text(a, st, i)) \
	X(", coalesce(c.price, i.price)", h->price = db_text(a, st, i)) \
	X(", coalesce(c.number, 0)", h->claim_number = db_int(st, i, 0)) \
	X(", c.created_at", h->claimed_at = db_int(st, i, 0)) \
	X(", c.picked_up_at", h->picked_up_at = db_int(st, i, 0)) \
	X(", c.paid_at", h->paid_at = db_int(st, i, 0))
/* A drop_log row (l) with its hold's name and what it was for. */
#define DROP_ACTIVITY_ROW(X) \
	X("h.name", f->name = db_text(a, st, i)) \
	X(", i.name", f->item = db_text(a, st, i)) \
	X(", v.name", f->variant = db_text(a, st, i)) \
	X(", l.quantity", f->quantity = (int)db_int(st, i, 0)) \
	X(", l.action", f->action = (enum drop_action)db_enum(st, i, drop_action_names, \
	    DROP_ACTION__MAX, DROP_HOLD))
#define HOLD_FROM " FROM drop_hold h JOIN drop_variant v ON v.id = h.variant_id" \
	" JOIN drop_item i ON i.id = v.item_id LEFT JOIN drop_claim c ON c.hold_id = h.id"
/* An entry with its RSVP's name and status and its division's name (ENTRY_FROM). */
#define ENTRY_ROW(X) \
	X("e.rsvp_id", en->id = db_int(st, i, 0)) \
	X(", e.event_id", en->event_id = db_int(st, i, 0)) \
	X(", e.bib", en->bib = db_int(st, i, 0)) \
	X(", coalesce(e.division_id, 0)", en->division_id = db_int(st, i, 0)) \
	X(", e.display_name", en->display_name = db_text(a, st, i)) \
	X(", r.name", en->name = db_text(a, st, i)) \
	X(", coalesce(d.name, '')", en->division = db_text(a, st, i)) \
	X(", e.scores", en->scores = db_int(st, i, 0)) \
	X(", e.total", en->total = db_int(st, i, 0)) \
	X(", coalesce(e.best, 0)", en->best = db_int(st, i, 0)) \
	X(", r.status = 'confirmed'", en->confirmed = (int)db_int(st, i, 0))
#define ENTRY_FROM " FROM entry e JOIN rsvp r ON r.id = e.rsvp_id" \
	" LEFT JOIN division d ON d.id = e.division_id"
/* A score with its entry's bib and name (s: score, e: entry). */
#define SCORE_ROW(X) \
	X("s.id", sc->id = db_int(st, i, 0)) \
	X(", s.entry_id", sc->entry_id = db_int(st, i, 0)) \
	X(", e.bib", sc->bib = db_int(st, i, 0)) \
	X(", s.created_at", sc->created_at = db_int(st, i, 0)) \
	X(", s.voided_at", sc->voided_at = db_int(st, i, 0)) \
	X(", s.round", sc->round = (int)db_int(st, i, 0)) \
	X(", s.value", sc->value = db_int(st, i, 0)) \
	X(", e.display_name", sc->display_name = db_text(a, st, i)) \
	X(", s.source", sc->source = db_text(a, st, i)) \
	X(", s.created_by", sc->created_by = db_text(a, st, i)) \
	X(", s.void_reason", sc->void_reason = db_text(a, st, i))
/* A score's row of the analytics log with its entry and score (l, e, s). */
#define SCORE_LOG_ROW(X) \
	X("l.at", lr->at = db_int(st, i, 0)) \
	X(", l.action", lr->action = db_text(a, st, i)) \
	X(", l.actor", lr->actor = db_text(a, st, i)) \
	X(", l.rsvp_id", lr->entry_id = db_int(st, i, 0)) \
	X(", e.bib", lr->bib = db_int(st, i, 0)) \
	X(", e.display_name", lr->display_name = db_text(a, st, i)) \
	X(", s.id", lr->score_id = db_int(st, i, 0)) \
	X(", s.round", lr->round = (int)db_int(st, i, 0)) \
	X(", s.value", lr->value = db_int(st, i, 0)) \
	X(", s.void_reason", lr->void_reason = db_text(a, st, i))
#define SCORE_LOG_FROM " FROM rsvp_log l"
#define SCORE_LOG_JOIN " JOIN score s ON s.id = l.score_id JOIN entry e ON e.rsvp_id = l.rsvp_id"

#define COLUMN(col, read) col
#define READ(col, read) read; i++;
#define COUNT(col, read) + 1
#define EVENT_COLS EVENT_ROW(COLUMN)
#define EVENT_ADMIN_COLS EVENT_ADMIN_ROW(COLUMN)
#define ITEM_COLS ITEM_ROW(COLUMN)
#define RSVP_COLS RSVP_ROW(COLUMN)
#define OUTBOX_COLS OUTBOX_ROW(COLUMN)
#define DROP_SETTINGS_COLS DROP_SETTINGS_ROW(COLUMN)
#define DROP_ITEM_COLS DROP_ITEM_ROW(COLUMN)
#define DROP_VARIANT_COLS DROP_VARIANT_ROW(COLUMN)
#define HOLD_COLS HOLD_ROW(COLUMN)
#define DROP_ACTIVITY_COLS DROP_ACTIVITY_ROW(COLUMN)
#define ENTRY_COLS ENTRY_ROW(COLUMN)
#define SCORE_COLS SCORE_ROW(COLUMN)
#define SCORE_LOG_COLS SCORE_LOG_ROW(COLUMN)
/* Items as the admin placed them: by category, then position. */
#define ITEM_ADMIN_ORDER " ORDER BY instr('food drink utensil decoration other', i.category)," \
	" i.position, i.id"

/* All SQL the programs run, indexed by enum stmt. */
static const char *const stmt_sql[STMT__MAX] = {
	[STMT_HEALTH] = "SELECT count(*) FROM setting",
	[STMT_WORKER_PASS_SET] = "INSERT INTO setting (key, value) VALUES ('worker_pass', ?1)"
	    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[STMT_WORKER_PASS_GET] = "SELECT value FROM setting WHERE key = 'worker_pass'",
	[STMT_SECRET] = "SELECT value FROM setting WHERE key = 'secret'",
	/*
	 * The events not over yet, never the past ones: by index event_end
	 * (the planner would rather walk event_upcoming in order, past and all).
	 */
	[STMT_EVENT_UPCOMING] =
		"SELECT " EVENT_COLS " FROM event INDEXED BY event_end"
		" WHERE coalesce(ends_at, starts_at) >= ?1 AND status = 'published'"
		" ORDER BY starts_at, id LIMIT ?2",
	[STMT_EVENT_ADMIN_UPCOMING] =
		"SELECT " EVENT_ADMIN_COLS " FROM event INDEXED BY event_end"
		" WHERE coalesce(ends_at, starts_at) >= ?1 ORDER BY starts_at, id LIMIT ?2",
	/*
	 * The latest over first, read in event_end's order up to the limit,
	 * from event ?3 on (keyset: those over before it; 0: from the latest).
	 */
	[STMT_EVENT_ADMIN_PAST] =
		"SELECT " EVENT_ADMIN_COLS " FROM event WHERE coalesce(ends_at, starts_at) <="
		" min(?1 - 1, coalesce((SELECT coalesce(ends_at, starts_at) FROM event"
		"  WHERE id = ?3), ?1)) AND (?3 = 0 OR (coalesce(ends_at, starts_at), id) <"
		" (SELECT coalesce(ends_at, starts_at), id FROM event WHERE id = ?3))"
		" ORDER BY coalesce(ends_at, starts_at) DESC, id DESC LIMIT ?2",
	[STMT_EVENT_BY_SLUG] = "SELECT " EVENT_COLS " FROM event WHERE slug = ?1",
	[STMT_EVENT_BY_ID] = "SELECT " EVENT_COLS " FROM event WHERE id = ?1",
	[STMT_EVENT_INSERT] =
		"INSERT INTO event (slug, title, description, location,"
		" starts_at, ends_at, status, capacity, max_guests,"
		" rsvp_opens_at, rsvp_closes_at, created_at, updated_at, contact)"
		" VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, nullif(?15, ''))",
	[STMT_EVENT_SET_CAPACITY] =
		"UPDATE event SET capacity = ?2, version = version + 1,"
		" edit_version = edit_version + 1, updated_at = ?3 WHERE id = ?1",
	/* Same numbering as STMT_EVENT_INSERT from ?2 on (event.c binds both alike). */
	[STMT_EVENT_UPDATE] =
		"UPDATE event SET slug = ?2, title = ?3, description = ?4, location = ?5,"
		" starts_at = ?6, ends_at = ?7, status = ?8, capacity = ?9, max_guests = ?10,"
		" rsvp_opens_at = ?11, rsvp_closes_at = ?12, updated_at = ?13,"
		" contact = nullif(?15, ''), version = version + 1, edit_version = edit_version + 1,"
		" reminded = reminded * (starts_at = ?6)"
		" WHERE id = ?1 AND edit_version = ?14",
	[STMT_FORM_USED] = "SELECT 1 FROM form_use WHERE token_hash = ?1",
	[STMT_FORM_USE] = "INSERT INTO form_use (token_hash, used_at) VALUES (?1, ?2)",
	/* A few expired rows per use: the table stays small without a sweeper. */
	[STMT_FORM_PURGE] =
		"DELETE FROM form_use WHERE token_hash IN (SELECT token_hash FROM form_use"
		" WHERE used_at < ?1 ORDER BY used_at LIMIT 8)",
	[STMT_RSVP_INSERT] =
		"INSERT INTO rsvp (event_id, token_hash, name, email, guests, note, status,"
		" created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
	[STMT_RSVP_EMAIL_TAKEN] =
		"SELECT 1 FROM rsvp WHERE event_id = ?1 AND email = ?2 AND status <> 'cancelled'",
	[STMT_RSVP_BY_TOKEN] =
		"SELECT " RSVP_COLS " FROM rsvp WHERE token_hash = ?1"
		" UNION ALL SELECT " RSVP_COLS " FROM rsvp_link l JOIN rsvp ON rsvp.id = l.rsvp_id"
		" WHERE l.token_hash = ?1",
	[STMT_RSVP_BY_ID] = "SELECT " RSVP_COLS " FROM rsvp WHERE id = ?1 AND event_id = ?2",
	/*
	 * A page of the parties of status ?2 in arrival order after RSVP id ?3
	 * (keyset: each page starts where the last ended); ?4 a LIKE pattern or NULL.
	 */
	[STMT_RSVP_ADMIN_LIST] =
		"SELECT " RSVP_COLS " FROM rsvp WHERE event_id = ?1 AND status = ?2 AND id > ?3"
		" AND (?4 IS NULL OR name LIKE ?4 ESCAPE '\\' OR email LIKE ?4 ESCAPE '\\')"
		" ORDER BY id LIMIT ?5",
	/*
	 * STMT_RSVP_ADMIN_LIST's search (bound the same, ?6 the phrase) for 3
	 * characters or more: the RSVPs whose trigrams match, in id order from
	 * the cursor, then LIKE for exactly the same hits.
	 */
	[STMT_RSVP_ADMIN_SEARCH] =
		"SELECT " RSVP_COLS " FROM (SELECT rowid AS hit FROM rsvp_search"
		"  WHERE rsvp_search MATCH ?6 AND rowid > ?3 ORDER BY rowid)"
		" CROSS JOIN rsvp ON rsvp.id = hit WHERE event_id = ?1 AND status = ?2"
		" AND (name LIKE ?4 ESCAPE '\\' OR email LIKE ?4 ESCAPE '\\') ORDER BY hit LIMIT ?5",
	/*
	 * The same for the RSVPs not in rsvp_search yet (bound the same, no
	 * ?6): the queue is short, and LIKE decides.
	 */
	[STMT_RSVP_ADMIN_SEARCH_TODO] =
		"SELECT " RSVP_COLS " FROM rsvp_search_todo t CROSS JOIN rsvp ON rsvp.id = t.rsvp_id"
		" WHERE t.rsvp_id > ?3 AND event_id = ?1 AND status = ?2"
		" AND (name LIKE ?4 ESCAPE '\\' OR email LIKE ?4 ESCAPE '\\') ORDER BY t.rsvp_id LIMIT ?5",
	/*
	 * The first ?1 RSVPs waiting for the search index, indexed and then
	 * taken off the queue (same order and limit, one transaction).
	 */
	[STMT_SEARCH_INDEX] =
		"INSERT INTO rsvp_search (rowid, name, email) SELECT r.id, r.name, r.email"
		" FROM rsvp_search_todo t CROSS JOIN rsvp r ON r.id = t.rsvp_id"
		" ORDER BY t.rsvp_id LIMIT ?1",
	[STMT_SEARCH_QUEUED] = "SELECT 1 FROM rsvp_search_todo LIMIT 1",
	[STMT_SEARCH_INDEXED] =
		"DELETE FROM rsvp_search_todo WHERE rsvp_id IN"
		" (SELECT rsvp_id FROM rsvp_search_todo ORDER BY rsvp_id LIMIT ?1)",
	/* Up to -?1 pages of merging rsvp_search's segments, whatever their level. */
	[STMT_SEARCH_MERGE] = "INSERT INTO rsvp_search (rsvp_search, rank) VALUES ('merge', ?1)",
	[STMT_RSVP_CHECK_IN] =
		"UPDATE rsvp SET checked_in_at = ?2, updated_at = ?3 WHERE id = ?1",
	/* See db_log_mark(). */
	[STMT_LOG_MARK] = "SELECT coalesce(max(id), 0) FROM rsvp_log",
	/* This transaction's rows, by rowid (an index on event_id would be skip-scanned). */
	[STMT_LOG_ACTOR] = "UPDATE rsvp_log NOT INDEXED SET actor = ?2 WHERE id > ?1",
	/* The curves' buckets in time order, ~600 an event (event_curve). */
	[STMT_STATS_CURVE] =
		"SELECT at, signups, cancels, waiting FROM event_curve WHERE event_id = ?1"
		" ORDER BY at LIMIT ?2",
	[STMT_STATS_FIGURES] =
		"SELECT direct, waitlisted, cancels, promoted, confirmed, checked_in, waits,"
		" people, came_back FROM event_figures WHERE event_id = ?1",
	[STMT_STATS_SITE] = "SELECT people, came_back FROM site_figures WHERE id = 1",
	/*
	 * The ?3 waits from the ?2-th (from 0) in wait order: the median's one
	 * or two. OFFSET steps over half the promoted parties' index entries
	 * (SQLite has no order statistic): 3 000 entries for 6 000 promotions.
	 */
	[STMT_STATS_WAITS] =
		"SELECT wait FROM event_wait WHERE event_id = ?1 ORDER BY wait LIMIT ?3 OFFSET ?2",
	[STMT_RSVP_UPDATE] =
		"UPDATE rsvp SET guests = ?2, note = ?3, updated_at = ?4 WHERE id = ?1",
	[STMT_RSVP_SET_STATUS] =
		"UPDATE rsvp SET status = ?2, updated_at = ?3 WHERE id = ?1",
	/* Door mode: confirmed parties by name (rsvp_door); ?2 a LIKE pattern or NULL. */
	[STMT_RSVP_DOOR] =
		"SELECT " RSVP_COLS " FROM rsvp WHERE event_id = ?1 AND status = 'confirmed'"
		" AND (?2 IS NULL OR name LIKE ?2 ESCAPE '\\' OR email LIKE ?2 ESCAPE '\\')"
		" ORDER BY name COLLATE NOCASE, id LIMIT ?3",
	[STMT_RSVP_DOOR_COUNTS] =
		"SELECT confirmed, checked_in FROM event_figures WHERE event_id = ?1",
	[STMT_RSVP_RECENT] =
		"SELECT name, guests, status FROM rsvp WHERE event_id = ?1"
		" AND status <> 'cancelled' ORDER BY id DESC LIMIT ?2",
	[STMT_WAITLIST] =
		"SELECT id, name, guests FROM rsvp WHERE event_id = ?1"
		" AND status = 'waitlisted' ORDER BY id LIMIT ?2",
	/* The earliest waiting party of the smallest size from ?2 guests on. */
	[STMT_WAITLIST_FIT] =
		"SELECT id, guests FROM rsvp INDEXED BY rsvp_waitlist_size WHERE event_id = ?1"
		" AND status = 'waitlisted' AND guests >= ?2 ORDER BY guests, id LIMIT 1",
	/*
	 * Parties and spots waiting between RSVP ids ?3 and ?2: the counters of
	 * the whole blocks of 256 ids between them (waitlist_block), and the
	 * index entries of ?3's block after it and of ?2's block before it.
	 */
	[STMT_WAITLIST_AHEAD] =
		"SELECT sum(n), sum(s) FROM ("
		" SELECT parties AS n, spots AS s FROM waitlist_block"
		"  WHERE event_id = ?1 AND block > ?3 >> 8 AND block < ?2 >> 8"
		" UNION ALL SELECT count(*), coalesce(sum(1 + guests), 0) FROM rsvp"
		"  WHERE event_id = ?1 AND status = 'waitlisted' AND id > ?3"
		"  AND id < min(?2, ((?3 >> 8) + 1) << 8)"
		" UNION ALL SELECT count(*), coalesce(sum(1 + guests), 0) FROM rsvp"
		"  WHERE event_id = ?1 AND status = 'waitlisted' AND id < ?2"
		"  AND id >= max(?2 >> 8 << 8, ((?3 >> 8) + 1) << 8))",
	/* A new item goes last in its category; an item moved to another one, too. */
	[STMT_ITEM_INSERT] =
		"INSERT INTO item (event_id, name, category, unit, suggested, capped, position)"
		" SELECT ?1, ?2, ?3, ?4, ?5, ?6, coalesce(max(position), 0) + 1 FROM item"
		" WHERE event_id = ?1 AND category = ?3",
	[STMT_ITEM_UPDATE] =
		"UPDATE item SET name = ?2, category = ?3, unit = ?4, suggested = ?5,"
		" capped = ?6, version = version + 1, position = iif(category = ?3, position,"
		" (SELECT coalesce(max(i.position), 0) + 1 FROM item i"
		"  WHERE i.event_id = item.event_id AND i.category = ?3)) WHERE id = ?1",
	[STMT_ITEM_DELETE] = "DELETE FROM item WHERE id = ?1",
	[STMT_ITEM_COUNT] = "SELECT count(*) FROM item WHERE event_id = ?1",
	/* With the quantity RSVP ?2 pledged (0: none). */
	[STMT_ITEM_GET] =
		"SELECT " ITEM_COLS " FROM item i"
		" LEFT JOIN pledge p ON p.item_id = i.id AND p.rsvp_id = ?2 WHERE i.id = ?1",
	/* By category, the items still needed first, then the admin's order. */
	[STMT_ITEM_LIST] =
		"SELECT " ITEM_COLS " FROM item i"
		" LEFT JOIN pledge p ON p.item_id = i.id AND p.rsvp_id = ?2"
		" WHERE i.event_id = ?1"
		" ORDER BY instr('food drink utensil decoration other', i.category),"
		" i.pledged >= i.suggested, i.position, i.id LIMIT ?3",
	/* Bound like STMT_ITEM_LIST, so the two share their reading code. */
	[STMT_ITEM_ADMIN_LIST] =
		"SELECT " ITEM_COLS " FROM item i"
		" LEFT JOIN pledge p ON p.item_id = i.id AND p.rsvp_id = ?2"
		" WHERE i.event_id = ?1" ITEM_ADMIN_ORDER " LIMIT ?3",
	[STMT_ITEM_ORDER] =
		"SELECT id, position FROM item WHERE event_id = ?1 AND category = ?2"
		" ORDER BY position, id",
	[STMT_ITEM_SET_POSITION] =
		"UPDATE item SET position = ?2, version = version + 1 WHERE id = ?1",
	/* Each pledge with its participant; an item nobody pledged once, alone. */
	[STMT_ITEM_EXPORT] =
		"SELECT " ITEM_COLS ", coalesce(r.name, ''), coalesce(r.email, ''),"
		" r.status = 'waitlisted' FROM item i"
		" LEFT JOIN pledge p ON p.item_id = i.id LEFT JOIN rsvp r ON r.id = p.rsvp_id"
		" WHERE i.event_id = ?1" ITEM_ADMIN_ORDER ", p.id",
	/*
	 * The first ?2 pledgers of each item, with the item's count of
	 * pledges. The event's items are read first, then each one's first
	 * pledges: on a small site's statistics the planner read every pledge
	 * of the site and ran the subquery for each (10 ms an event page at
	 * 200 pledges).
	 */
	[STMT_PLEDGE_LIST] =
		"SELECT p.item_id, r.name, p.quantity, r.status, i.pledges"
		" FROM item i INDEXED BY item_event"
		" CROSS JOIN pledge p ON p.id IN (SELECT q.id FROM pledge q WHERE q.item_id = i.id"
		"  ORDER BY q.id LIMIT ?2)"
		" CROSS JOIN rsvp r ON r.id = p.rsvp_id WHERE i.event_id = ?1"
		" ORDER BY p.item_id, p.id",
	/* A page of an item's pledgers from pledge id ?2 on, and one more. */
	[STMT_PLEDGE_PAGE] =
		"SELECT p.id, r.name, p.quantity, r.status FROM pledge p"
		" JOIN rsvp r ON r.id = p.rsvp_id WHERE p.item_id = ?1 AND p.id > ?2"
		" ORDER BY p.id LIMIT ?3",
	[STMT_PLEDGE_INSERT] =
		"INSERT INTO pledge (item_id, rsvp_id, quantity, created_at, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?4)",
	[STMT_PLEDGE_UPDATE] =
		"UPDATE pledge SET quantity = ?3, updated_at = ?4 WHERE item_id = ?1 AND rsvp_id = ?2",
	[STMT_PLEDGE_DELETE] = "DELETE FROM pledge WHERE item_id = ?1 AND rsvp_id = ?2",
	[STMT_RSVP_ACTIVE_BY_EMAIL] =
		"SELECT r.id FROM rsvp r JOIN event e ON e.id = r.event_id"
		" WHERE e.slug = ?1 AND r.email = ?2 AND r.status <> 'cancelled'",
	[STMT_RSVP_SET_TOKEN] = "UPDATE rsvp SET token_hash = ?2 WHERE id = ?1",
	/* The sign-up message, just enqueued by the insert trigger, gets the link. */
	[STMT_OUTBOX_LINK] =
		"UPDATE outbox SET link_token = ?2 WHERE rsvp_id = ?1"
		" AND kind IN ('confirmed', 'waitlisted') AND state = 'pending'",
	[STMT_RSVP_LINK_ADD] =
		"INSERT INTO rsvp_link (token_hash, rsvp_id, made_at) VALUES (?1, ?2, ?3)",
	[STMT_RSVP_LINKS_DROP] = "DELETE FROM rsvp_link WHERE rsvp_id = ?1",
	/* The promotion message, just enqueued by the status trigger, gets a link. */
	[STMT_OUTBOX_LINK_PROMOTED] =
		"UPDATE outbox SET link_token = ?2"
		" WHERE dedupe_key = 'rsvp:' || ?1 || ':promoted' AND state = 'pending'",
	/* The cancellation the status trigger just enqueued is the organiser's. */
	[STMT_OUTBOX_BY_ORGANISER] =
		"UPDATE outbox SET by_organiser = 1, message = ?2"
		" WHERE dedupe_key = 'rsvp:' || ?1 || ':cancelled' AND state = 'pending'",
	[STMT_OUTBOX_RESEND] =
		"INSERT INTO outbox (kind, dedupe_key, recipient, name, event_id, rsvp_id,"
		" link_token, next_attempt_at, created_at)"
		" SELECT 'resend', 'resend:' || id || ':' || (SELECT count(*) FROM outbox"
		"  WHERE rsvp_id = ?1 AND kind = 'resend'), email, name, event_id, id, ?2, ?3, ?3"
		" FROM rsvp WHERE id = ?1",
	[STMT_OUTBOX_RESENDS_SINCE] =
		"SELECT count(*) FROM outbox o JOIN event e ON e.id = o.event_id"
		" WHERE o.recipient = ?2 AND e.slug = ?1 AND o.kind = 'resend'"
		" AND o.created_at >= ?3",
	/*
	 * Take up to ?3 due messages: pending and due, or left "sending" by a
	 * worker whose lease ran out (it died or hung mid-send; it was due
	 * when claimed). Read in the order of the queue's index, outbox_queue.
	 * RETURNING comes in no set order: the caller sorts by next_attempt_at, id.
	 */
	[STMT_OUTBOX_CLAIM] =
		"UPDATE outbox SET state = 'sending', attempts = attempts + 1,"
		" lease_until = ?1 + ?2 WHERE id IN (SELECT id FROM outbox"
		"  WHERE state IN ('pending', 'sending') AND next_attempt_at <= ?1"
		"  AND (state = 'pending' OR lease_until <= ?1)"
		"  ORDER BY next_attempt_at, id LIMIT ?3)"
		" RETURNING " OUTBOX_COLS,
	/* attempts fences a worker whose lease expired and was taken over. */
	[STMT_OUTBOX_SENT] =
		"UPDATE outbox SET state = 'sent', sent_at = ?3, lease_until = NULL,"
		" link_token = NULL, last_error = NULL"
		" WHERE id = ?1 AND attempts = ?2 AND state = 'sending'",
	[STMT_OUTBOX_FAILED] =
		"UPDATE outbox SET state = ?3, next_attempt_at = ?4, lease_until = NULL,"
		" last_error = ?5 WHERE id = ?1 AND attempts = ?2 AND state = 'sending'",
	/* Untried: due again at once, and the claim's attempt does not count. */
	[STMT_OUTBOX_RELEASE] =
		"UPDATE outbox SET state = 'pending', attempts = attempts - 1, lease_until = NULL"
		" WHERE id = ?1 AND attempts = ?2 AND state = 'sending'",
	[STMT_OUTBOX_COUNTS] = "SELECT state, n FROM outbox_count",
	[STMT_OUTBOX_DEAD] =
		"SELECT o.id, o.kind, o.recipient, o.attempts, coalesce(o.last_error, ''),"
		" o.created_at, coalesce(e.slug, '')"
		" FROM outbox o LEFT JOIN event e ON e.id = o.event_id"	/* mine, alert: no event */
		" WHERE o.state = 'dead' ORDER BY o.id LIMIT ?1",
	/* ?1 = 0: every dead message. A retried message gets all its attempts again. */
	[STMT_OUTBOX_RETRY] =
		"UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?2"
		" WHERE state = 'dead' AND (?1 = 0 OR id = ?1)",
	/* Kept (not deleted), so its dedupe key still stops a re-enqueue. */
	[STMT_OUTBOX_DISCARD] =
		"UPDATE outbox SET state = 'discarded', link_token = NULL"
		" WHERE state = 'dead' AND (?1 = 0 OR id = ?1)",
	/*
	 * One reminder per confirmed RSVP once its event is within ?2 seconds,
	 * for the events not yet reminded (STMT_EVENT_REMINDED marks them in
	 * the same transaction): an event's RSVPs are read once, not every
	 * minute. The dedupe key makes it exactly once however often this
	 * runs. Who signed up inside that window just had the confirmation,
	 * who is promoted inside it the promotion: no reminder.
	 */
	[STMT_OUTBOX_REMINDERS] =
		"INSERT INTO outbox (kind, dedupe_key, recipient, name, event_id,"
		" rsvp_id, next_attempt_at, created_at)"
		" SELECT 'reminder', 'reminder:' || r.id, r.email, r.name, r.event_id, r.id,"
		" ?1, ?1 FROM event e JOIN rsvp r ON r.event_id = e.id"
		" WHERE e.status = 'published' AND e.starts_at > ?1 AND e.starts_at <= ?1 + ?2"
		" AND e.reminded = 0"
		" AND r.status = 'confirmed' AND r.created_at <= e.starts_at - ?2"
		" ON CONFLICT (dedupe_key) DO NOTHING",
	/*
	 * Alerts (src/alert.h) carry the hour (?2 / 3600) in their dedupe key:
	 * one per address ?1 and hour at most. A letter's death time is its
	 * next_attempt_at (outbox_failed sets it to the time it gave up); the
	 * newest one already reported is the setting alert_dead_seen. Dead
	 * alerts do not count: an alert about an alert the same mail server
	 * refused would go the same way.
	 */
	[STMT_ALERT_DEAD] =
		"INSERT INTO outbox (kind, dedupe_key, recipient, name, next_attempt_at, created_at)"
		" SELECT 'alert', 'alert:dead:' || ?1 || ':' || (?2 / 3600), ?1, 'admin', ?2, ?2"
		" WHERE (SELECT max(next_attempt_at) FROM outbox WHERE state = 'dead'"
		"  AND kind <> 'alert') > coalesce((SELECT value FROM setting"
		"  WHERE key = 'alert_dead_seen'), 0)"
		" ON CONFLICT (dedupe_key) DO NOTHING",
	[STMT_ALERT_DEAD_SEEN] =
		"INSERT INTO setting (key, value) SELECT 'alert_dead_seen', max(next_attempt_at)"
		" FROM outbox WHERE state = 'dead' AND kind <> 'alert'"
		" ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	/* The newest dead letters, by the dead letters' index. */
	[STMT_ALERT_DEAD_NEWEST] =
		"SELECT kind, recipient, coalesce(last_error, ''), next_attempt_at FROM outbox"
		" WHERE state = 'dead' ORDER BY id DESC LIMIT ?1",
	/* The watch's alert, recorded as sent before it is sent: see alert_stalled(). */
	[STMT_ALERT_STALLED] =
		"INSERT INTO outbox (kind, dedupe_key, recipient, name, state, attempts,"
		" next_attempt_at, created_at, sent_at)"
		" VALUES ('alert', 'alert:stalled:' || ?1 || ':' || (?2 / 3600), ?1, 'admin',"
		" 'sent', 1, ?2, ?2, ?2)"
		" ON CONFLICT (dedupe_key) DO NOTHING RETURNING " OUTBOX_COLS,
	[STMT_ALERT_UNRECORD] = "DELETE FROM outbox WHERE id = ?1 AND kind = 'alert'",
	[STMT_EVENT_REMINDED] =
		"UPDATE event SET reminded = 1 WHERE status = 'published' AND starts_at > ?1"
		" AND starts_at <= ?1 + ?2 AND reminded = 0",
	/* Housekeeping: each purge deletes what is older than ?1. */
	[STMT_PURGE_FORM_USE] = "DELETE FROM form_use WHERE used_at < ?1",
	[STMT_PURGE_OUTBOX] =
		"DELETE FROM outbox WHERE state IN ('sent', 'discarded') AND created_at < ?1",
	[STMT_ADMIN_INSERT] =
		"INSERT INTO admin_user (name, hash, created_at, role) VALUES (?1, ?2, ?3, ?4)",
	/* The account and the back-off of login source ?2 (0: none). */
	[STMT_ADMIN_BY_NAME] =
		"SELECT u.id, u.hash, coalesce(f.locked_until, 0) FROM admin_user u"
		" LEFT JOIN login_fail f ON f.user_id = u.id AND f.source = ?2"
		" WHERE u.name = ?1 AND u.disabled_at IS NULL",
	[STMT_ADMIN_SET_HASH] = "UPDATE admin_user SET hash = ?2 WHERE name = ?1",
	[STMT_ADMIN_DELETE] = "DELETE FROM admin_user WHERE name = ?1",
	[STMT_ADMIN_LIST] =
		"SELECT name, created_at, (SELECT count(*) FROM session"
		" WHERE user_id = admin_user.id), role, last_login_at, disabled_at FROM admin_user"
		" ORDER BY name",
	[STMT_ADMIN_REHASH] = "UPDATE admin_user SET hash = ?2 WHERE id = ?1",
	/*
	 * The back-off of account ?1 from source ?2 at time ?3: the first ?4
	 * - 1 wrong passwords cost nothing, then each one locks for twice as
	 * long (30 s, 1 min, ... at most ?5 seconds).
	 */
	[STMT_LOGIN_FAILED] =
		"INSERT INTO login_fail (user_id, source, failed, locked_until, last_at)"
		" VALUES (?1, ?2, 1, 0, ?3) ON CONFLICT (user_id, source) DO UPDATE"
		" SET failed = failed + 1, last_at = ?3, locked_until = iif(failed + 1 >= ?4,"
		"  ?3 + min(?5, 30 << min(failed + 1 - ?4, 5)), locked_until)",
	[STMT_LOGIN_SUCCEEDED] = "DELETE FROM login_fail WHERE user_id = ?1 AND source = ?2",
	[STMT_LOGIN_FAIL_DELETE_USER] =
		"DELETE FROM login_fail WHERE user_id = (SELECT id FROM admin_user WHERE name = ?1)",
	[STMT_LOGIN_FAIL_PURGE] = "DELETE FROM login_fail WHERE last_at < ?1",
	[STMT_SESSION_INSERT] =
		"INSERT INTO session (token_hash, user_id, created_at, last_seen)"
		" VALUES (?1, ?2, ?3, ?3)",
	[STMT_SESSION_GET] =
		"SELECT s.user_id, u.name, s.created_at, s.last_seen, u.role FROM session s"
		" JOIN admin_user u ON u.id = s.user_id WHERE s.token_hash = ?1"
		" AND u.disabled_at IS NULL",
	[STMT_SESSION_TOUCH] = "UPDATE session SET last_seen = ?2 WHERE token_hash = ?1",
	[STMT_SESSION_DELETE] = "DELETE FROM session WHERE token_hash = ?1",
	[STMT_SESSION_DELETE_USER] =
		"DELETE FROM session WHERE user_id = (SELECT id FROM admin_user WHERE name = ?1)",
	[STMT_SESSION_PURGE] = "DELETE FROM session WHERE last_seen < ?1 OR created_at < ?2",
	[STMT_EVENT_MAKE_DROP] =
		"UPDATE event SET kind = 'drop', version = version + 1 WHERE slug = ?1",
	[STMT_DROP_SETTINGS] =
		"SELECT " DROP_SETTINGS_COLS " FROM drop_setting WHERE event_id = ?1",
	[STMT_DROP_CONFIGURE] =
		"INSERT INTO drop_setting (event_id, per_person, hold_seconds, renewals, pickup)"
		" SELECT id, ?2, ?3, ?4, ?5 FROM event WHERE slug = ?1 AND true"
		" ON CONFLICT (event_id) DO UPDATE SET per_person = excluded.per_person,"
		" hold_seconds = excluded.hold_seconds, renewals = excluded.renewals,"
		" pickup = excluded.pickup",
	/* A new item goes last; none past ?5 items. */
	[STMT_DROP_ITEM_INSERT] =
		"INSERT INTO drop_item (event_id, name, price, description, position)"
		" SELECT ?1, ?2, ?3, ?4, coalesce(max(position), 0) + 1 FROM drop_item"
		" WHERE event_id = ?1 HAVING count(*) < ?5",
	[STMT_DROP_VARIANT_INSERT] =
		"INSERT INTO drop_variant (item_id, name, stock, position)"
		" SELECT ?1, ?2, ?3, coalesce(max(position), 0) + 1 FROM drop_variant"
		" WHERE item_id = ?1 HAVING count(*) < ?4"
		" AND (SELECT event_id FROM drop_item WHERE id = ?1) = ?5",
	[STMT_DROP_VARIANT_SET_STOCK] =
		"UPDATE drop_variant SET stock = ?2 WHERE id = ?1"
		" AND item_id IN (SELECT id FROM drop_item WHERE event_id = ?3)",
	[STMT_DROP_ITEMS] =
		"SELECT " DROP_ITEM_COLS " FROM drop_item WHERE event_id = ?1"
		" ORDER BY position, id LIMIT ?3",
	/* Bound like STMT_DROP_ITEMS; in the items' order. */
	[STMT_DROP_VARIANTS] =
		"SELECT " DROP_VARIANT_COLS " FROM drop_variant v"
		" JOIN drop_item i ON i.id = v.item_id WHERE i.event_id = ?1"
		" ORDER BY i.position, i.id, v.position, v.id",
	/* Inside a write, after the overdue holds are expired: held is exact. */
	[STMT_DROP_VARIANT_GET] =
		"SELECT i.event_id, v.stock, v.held, v.claimed FROM drop_variant v"
		" JOIN drop_item i ON i.id = v.item_id WHERE v.id = ?1",
	/* A hold runs out at its expiry: that is the log's time, not the tidying's. */
	[STMT_DROP_EXPIRE] =
		"UPDATE drop_hold SET status = 'expired', updated_at = expires_at, updated_by = NULL"
		" WHERE event_id = ?1 AND status = 'live' AND expires_at <= ?2",
	[STMT_DROP_SWEEP] =
		"UPDATE drop_hold SET status = 'expired', updated_at = expires_at, updated_by = NULL"
		" WHERE status = 'live' AND expires_at <= ?1",
	[STMT_HOLD_LIVE_BY_EMAIL] =
		"SELECT id, created_at, expires_at, hold_ms, renewals, max_renewals FROM drop_hold"
		" WHERE event_id = ?1 AND email = ?2 AND status = 'live'",
	[STMT_HOLD_RENEW] =
		"UPDATE drop_hold SET expires_at = ?2, renewals = renewals + 1, updated_at = ?3"
		" WHERE id = ?1",
	[STMT_HOLD_PERSON_TOTAL] =
		"SELECT coalesce(sum(quantity), 0) FROM drop_hold WHERE event_id = ?1"
		" AND email = ?2 AND status IN ('live', 'claimed')",
	[STMT_HOLD_INSERT] =
		"INSERT INTO drop_hold (event_id, variant_id, token_hash, quantity, name, email,"
		" hold_ms, max_renewals, created_at, expires_at, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9 + ?7, ?9)",
	[STMT_HOLD_SET_TOKEN] = "UPDATE drop_hold SET token_hash = ?2 WHERE id = ?1",
	/* Its own link, or one "my sign-ups" opened it at (hold_link). */
	[STMT_HOLD_BY_TOKEN] =
		"SELECT " HOLD_COLS HOLD_FROM " WHERE h.token_hash = ?1"
		" UNION ALL SELECT " HOLD_COLS HOLD_FROM " JOIN hold_link l ON l.hold_id = h.id"
		" WHERE l.token_hash = ?1",
	/* Only from the status the caller read (?5): a change never lands twice. */
	[STMT_HOLD_SET_STATUS] =
		"UPDATE drop_hold SET status = ?2, updated_at = ?3, updated_by = ?4"
		" WHERE id = ?1 AND status = ?5",
	/* The next number at this drop, and the item's price as it is now. */
	[STMT_CLAIM_INSERT] =
		"INSERT INTO drop_claim (hold_id, event_id, number, price, created_at)"
		" SELECT ?1, ?2, coalesce(max(number), 0) + 1, (SELECT i.price FROM drop_hold h"
		"  JOIN drop_variant v ON v.id = h.variant_id JOIN drop_item i ON i.id = v.item_id"
		"  WHERE h.id = ?1), ?3 FROM drop_claim WHERE event_id = ?2 RETURNING number",
	[STMT_DROP_FEED] =
		"SELECT " DROP_ACTIVITY_COLS " FROM drop_log l JOIN drop_hold h ON h.id = l.hold_id"
		" JOIN drop_variant v ON v.id = l.variant_id JOIN drop_item i ON i.id = v.item_id"
		" WHERE l.event_id = ?1 ORDER BY l.id DESC LIMIT ?2",
	/* By address; the name it first held with. */
	[STMT_DROP_TOP] =
		"SELECT (SELECT name FROM drop_hold f WHERE f.event_id = ?1 AND f.email = h.email"
		" ORDER BY id LIMIT 1), sum(quantity) FROM drop_hold h WHERE event_id = ?1"
		" AND status = 'claimed' GROUP BY email ORDER BY 2 DESC, min(id) LIMIT ?2",
	[STMT_DROP_OVERDUE] =
		"SELECT 1 FROM drop_hold WHERE status = 'live' AND expires_at <= ?1 LIMIT 1",
	[STMT_HOLD_BY_ID] = "SELECT " HOLD_COLS HOLD_FROM " WHERE h.id = ?1 AND h.event_id = ?2",
	/* Claims by number (cancelled ones too), then the holds still live at ?2. */
	[STMT_HOLD_ADMIN_LIST] =
		"SELECT " HOLD_COLS HOLD_FROM " WHERE h.event_id = ?1 AND (c.id IS NOT NULL"
		" OR (h.status = 'live' AND h.expires_at > ?2))"
		" ORDER BY c.number IS NULL, c.number, h.id LIMIT ?3",
	/* ?2 = 0: picked up, 1: paid; the first time stays. */
	[STMT_CLAIM_MARK] =
		"UPDATE drop_claim SET picked_up_at = iif(?2 = 0, coalesce(picked_up_at, ?3),"
		" picked_up_at), paid_at = iif(?2 = 1, coalesce(paid_at, ?3), paid_at)"
		" WHERE hold_id = ?1",
	[STMT_COMP_GET] =
		"SELECT kind, rule, unit, rounds, self_scoring, closed, version, frozen_at,"
		" frozen_version, published_at FROM competition WHERE event_id = ?1",
	[STMT_COMP_PUT] =
		"INSERT INTO competition (event_id, kind, rule, unit, rounds, self_scoring, closed)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (event_id) DO UPDATE SET"
		" kind = ?2, rule = ?3, unit = ?4, rounds = ?5, self_scoring = ?6, closed = ?7,"
		" version = version + 1",
	[STMT_DIVISION_LIST] =
		"SELECT id, name FROM division WHERE event_id = ?1 ORDER BY position, id",
	[STMT_DIVISION_PUT] =
		"INSERT INTO division (event_id, name, position) VALUES (?1, ?2, ?3)"
		" ON CONFLICT (event_id, name) DO UPDATE SET position = ?3",
	/* Bibs in order of entry, per competition. */
	[STMT_ENTRY_INSERT] =
		"INSERT INTO entry (rsvp_id, event_id, bib, display_name, division_id)"
		" VALUES (?1, ?2, (SELECT coalesce(max(bib), 0) + 1 FROM entry WHERE event_id = ?2),"
		" ?3, ?4)",
	[STMT_ENTRY_GET] = "SELECT " ENTRY_COLS ENTRY_FROM " WHERE e.event_id = ?1 AND e.rsvp_id = ?2",
	[STMT_ENTRY_BY_BIB] = "SELECT " ENTRY_COLS ENTRY_FROM " WHERE e.event_id = ?1 AND e.bib = ?2",
	/* ?2 a LIKE pattern or NULL; ?3 a bib or NULL. */
	[STMT_ENTRY_SEARCH] =
		"SELECT " ENTRY_COLS ENTRY_FROM " WHERE e.event_id = ?1 AND r.status <> 'cancelled'"
		" AND (?2 IS NULL OR e.bib = ?3 OR e.display_name LIKE ?2 ESCAPE '\\'"
		" OR r.name LIKE ?2 ESCAPE '\\') ORDER BY e.bib LIMIT ?4",
	[STMT_ENTRY_RENAME] = "UPDATE entry SET display_name = ?2 WHERE rsvp_id = ?1",
	[STMT_SCORE_NEXT_ROUND] =
		"SELECT coalesce(max(round), 0) + 1 FROM score WHERE entry_id = ?1"
		" AND voided_at IS NULL",
	[STMT_SCORE_INSERT] =
		"INSERT INTO score (entry_id, event_id, round, value, source, created_by, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[STMT_SCORE_GET] =
		"SELECT entry_id, round, voided_at FROM score WHERE id = ?1 AND event_id = ?2",
	[STMT_SCORE_VOID] =
		"UPDATE score SET voided_at = ?2, voided_by = ?3, void_reason = ?4"
		" WHERE id = ?1 AND voided_at IS NULL",
	[STMT_SCORE_REPLACED] = "UPDATE score SET replaced_by = ?2 WHERE id = ?1",
	[STMT_SCORE_LIST] =
		"SELECT " SCORE_COLS " FROM score s JOIN entry e ON e.rsvp_id = s.entry_id"
		" WHERE s.event_id = ?1 AND (?2 = 0 OR s.entry_id = ?2) ORDER BY s.id DESC LIMIT ?3",
	[STMT_TOKEN_INSERT] =
		"INSERT INTO api_token (event_id, token_hash, label, created_by, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_TOKEN_CHECK] =
		"SELECT id, label FROM api_token WHERE token_hash = ?1 AND event_id = ?2"
		" AND revoked_at IS NULL",
	[STMT_TOKEN_REVOKE] =
		"UPDATE api_token SET revoked_at = ?3 WHERE id = ?1 AND event_id = ?2"
		" AND revoked_at IS NULL",
	/* A use of key ?2 with token ?1 since ?3 (older ones are over). */
	[STMT_KEY_GET] =
		"SELECT body_hash, status, response FROM api_key_use WHERE token_id = ?1"
		" AND key_hash = ?2 AND used_at >= ?3",
	[STMT_KEY_PUT] =
		"INSERT OR REPLACE INTO api_key_use (token_id, key_hash, body_hash, status,"
		" response, used_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[STMT_PURGE_API_KEYS] = "DELETE FROM api_key_use WHERE used_at < ?1",
	/* mine_link_delete (a trigger) takes the links opened from each page. */
	[STMT_PURGE_MINE_LINKS] = "DELETE FROM mine_link WHERE expires_at < ?1",
	[STMT_TOKEN_LIST] =
		"SELECT id, label, coalesce(created_by, ''), created_at, coalesce(revoked_at, 0)"
		" FROM api_token WHERE event_id = ?1 ORDER BY id",
	/* ?1 = 0: every competition; else those account ?1 keeps the scores of. */
	[STMT_COMPETITION_LIST] =
		"SELECT " EVENT_COLS " FROM (SELECT event_id AS cid FROM competition"
		" WHERE ?1 = 0 OR event_id IN (SELECT event_id FROM scorekeeper WHERE user_id = ?1)"
		" ORDER BY event_id DESC) CROSS JOIN event ON event.id = cid LIMIT ?2",
	[STMT_ADMIN_SET_ROLE] = "UPDATE admin_user SET role = ?2 WHERE name = ?1",
	/* INSERT OR IGNORE: assigning twice is done once (and changes a row once). */
	[STMT_SCOREKEEPER_ASSIGN] =
		"INSERT OR IGNORE INTO scorekeeper (user_id, event_id) SELECT u.id, c.event_id"
		" FROM admin_user u, event e JOIN competition c ON c.event_id = e.id"
		" WHERE u.name = ?1 AND e.slug = ?2",
	[STMT_SCOREKEEPER_UNASSIGN] =
		"DELETE FROM scorekeeper WHERE user_id = (SELECT id FROM admin_user WHERE name = ?1)"
		" AND event_id = (SELECT id FROM event WHERE slug = ?2)",
	[STMT_SCOREKEEPER_KEEPS] =
		"SELECT 1 FROM scorekeeper k JOIN event e ON e.id = k.event_id"
		" WHERE k.user_id = ?1 AND e.slug = ?2",
	/* Any score (voided too), and the highest round with a live one. */
	[STMT_COMP_USAGE] =
		"SELECT EXISTS (SELECT 1 FROM score WHERE event_id = ?1),"
		" coalesce((SELECT max(round) FROM score WHERE event_id = ?1"
		" AND voided_at IS NULL), 0)",
	[STMT_DIVISION_RENAME] = "UPDATE division SET name = ?3 WHERE id = ?1 AND event_id = ?2",
	[STMT_DIVISION_ENTRIES] =
		"SELECT count(*) FROM entry WHERE event_id = ?1 AND division_id = ?2",
	[STMT_DIVISION_DELETE] = "DELETE FROM division WHERE id = ?1 AND event_id = ?2",
	/* ?2 NULL: enabled again; disabling twice keeps the first time. */
	[STMT_ADMIN_SET_DISABLED] =
		"UPDATE admin_user SET disabled_at = iif(?2 IS NULL, NULL, coalesce(disabled_at, ?2))"
		" WHERE name = ?1",
	[STMT_ADMIN_LOGGED_IN] = "UPDATE admin_user SET last_login_at = ?2 WHERE id = ?1",
	/* The newest ?2 score rows of the log of event ?1, and of its entry ?3. */
	[STMT_SCORE_LOG] =
		"SELECT " SCORE_LOG_COLS SCORE_LOG_FROM " INDEXED BY rsvp_log_scores"
		SCORE_LOG_JOIN " WHERE l.event_id = ?1 AND l.score_id IS NOT NULL"
		" ORDER BY l.id DESC LIMIT ?2",
	[STMT_SCORE_LOG_ENTRY] =
		"SELECT " SCORE_LOG_COLS SCORE_LOG_FROM " INDEXED BY rsvp_log_entry_scores"
		SCORE_LOG_JOIN " WHERE l.rsvp_id = ?3 AND l.event_id = ?1 AND l.score_id IS NOT NULL"
		" ORDER BY l.id DESC LIMIT ?2",
	/* By account, then competition (the table's own order). */
	[STMT_SCOREKEEPER_LIST] =
		"SELECT u.name, e.slug, e.title FROM scorekeeper k CROSS JOIN admin_user u"
		" ON u.id = k.user_id CROSS JOIN event e ON e.id = k.event_id"
		" ORDER BY k.user_id, k.event_id",
	/*
	 * Freeze, unfreeze, publish (score_board_set): the WHERE says which
	 * states each may start from; no row changed is a state conflict. The
	 * version moves so every board's ETag changes; frozen_version is the
	 * new one, the public board's ETag until the freeze ends.
	 */
	[STMT_BOARD_FREEZE] =
		"UPDATE competition SET frozen_at = ?2, frozen_version = version + 1,"
		" version = version + 1 WHERE event_id = ?1 AND frozen_at IS NULL"
		" AND published_at IS NULL",
	[STMT_BOARD_UNFREEZE] =
		"UPDATE competition SET frozen_at = NULL, frozen_version = NULL,"
		" version = version + 1 WHERE event_id = ?1 AND frozen_at IS NOT NULL",
	[STMT_BOARD_PUBLISH] =
		"UPDATE competition SET frozen_at = NULL, frozen_version = NULL, published_at = ?2,"
		" version = version + 1 WHERE event_id = ?1 AND published_at IS NULL",
	[STMT_BOARD_SNAPSHOT] =
		"SELECT entry_id, bib, display_name, coalesce(division_id, 0), scores, total,"
		" coalesce(best, 0) FROM board_snapshot WHERE event_id = ?1 ORDER BY bib",
	[STMT_BOARD_LOG_INSERT] =
		"INSERT INTO board_log (event_id, action, at, actor) VALUES (?1, ?2, ?3, ?4)",
	[STMT_BOARD_LOG_LIST] =
		"SELECT action, at, actor FROM board_log WHERE event_id = ?1 ORDER BY id DESC"
		" LIMIT ?2",
	/*
	 * "My sign-ups" (src/mine.c). The name the link's e-mail greets: the
	 * address's newest RSVP's, else its newest hold's; no row: nothing
	 * under the address, so no e-mail.
	 */
	[STMT_MINE_NAME] =
		"SELECT name FROM (SELECT name FROM rsvp WHERE email = ?1 ORDER BY id DESC LIMIT 1)"
		" UNION ALL"
		" SELECT name FROM (SELECT name FROM drop_hold WHERE email = ?1 ORDER BY id DESC"
		"  LIMIT 1)"
		" LIMIT 1",
	[STMT_MINE_RECENT] =
		"SELECT count(*) FROM mine_link WHERE email = ?1 AND created_at >= ?2",
	[STMT_MINE_INSERT] =
		"INSERT INTO mine_link (token_hash, email, created_at, expires_at)"
		" VALUES (?1, ?2, ?3, ?4)",
	[STMT_MINE_ENQUEUE] =
		"INSERT INTO outbox (kind, dedupe_key, recipient, name, link_token,"
		" next_attempt_at, created_at) VALUES ('mine', 'mine:' || ?1, ?2, ?3, ?4, ?5, ?5)",
	[STMT_MINE_BY_TOKEN] =
		"SELECT id, email, expires_at, coalesce(revoked_at, 0) FROM mine_link"
		" WHERE token_hash = ?1",
	[STMT_MINE_REVOKE] =
		"UPDATE mine_link SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
	[STMT_MINE_LINKS_DROP] = "DELETE FROM rsvp_link WHERE mine_id = ?1",
	[STMT_MINE_HOLD_LINKS_DROP] = "DELETE FROM hold_link WHERE mine_id = ?1",
	[STMT_MINE_OWNS] = "SELECT 1 FROM rsvp WHERE id = ?1 AND email = ?2",
	[STMT_MINE_OWNS_HOLD] = "SELECT 1 FROM drop_hold WHERE id = ?1 AND email = ?2",
	/* The same RSVP or hold opened again from the same page: the link it has. */
	[STMT_MINE_LINK_ADD] =
		"INSERT INTO rsvp_link (token_hash, rsvp_id, made_at, mine_id)"
		" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (token_hash) DO NOTHING",
	[STMT_MINE_HOLD_LINK_ADD] =
		"INSERT INTO hold_link (token_hash, hold_id, made_at, mine_id)"
		" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (token_hash) DO NOTHING",
	[STMT_MINE_RSVPS] =
		"SELECT r.id, r.event_id, r.status, r.guests, e.slug, e.title, e.starts_at,"
		" n.bib, n.display_name, d.name"
		" FROM rsvp r JOIN event e ON e.id = r.event_id"
		" LEFT JOIN entry n ON n.rsvp_id = r.id LEFT JOIN division d ON d.id = n.division_id"
		" WHERE r.email = ?1 ORDER BY r.id DESC LIMIT ?2",
	/* In pledge_rsvp's order (the pledge's id): no sort. */
	[STMT_MINE_PLEDGES] =
		"SELECT i.name, i.unit, p.quantity FROM pledge p JOIN item i ON i.id = p.item_id"
		" WHERE p.rsvp_id = ?1 ORDER BY p.id",
	[STMT_MINE_HOLDS] =
		"SELECT h.status, h.quantity, h.expires_at, e.slug, e.title, e.starts_at, i.name,"
		" v.name, c.number, h.id"
		" FROM drop_hold h JOIN event e ON e.id = h.event_id"
		" JOIN drop_variant v ON v.id = h.variant_id JOIN drop_item i ON i.id = v.item_id"
		" LEFT JOIN drop_claim c ON c.hold_id = h.id"
		" WHERE h.email = ?1 ORDER BY h.id DESC LIMIT ?2",
};

int db_latest_version(void)
{
	int n = 0;

	while (sql_migrations[n] != NULL)
		n++;
	return 1 + n;
}

/* Run SQL without results; -1 with sqlite's message in err. */
static int exec(struct db *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db->conn, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "%s", msg != NULL ? msg : sqlite3_errmsg(db->conn));
	sqlite3_free(msg);
	return -1;
}

int db_group_init(void)
{
	pthread_mutexattr_t attr;
	struct db_group *g;
	int rc;

	g = mmap(NULL, sizeof(*g), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g == MAP_FAILED) {
		log_error("group fsync: mmap: %s", strerror(errno));
		return -1;
	}
	memset(g, 0, sizeof(*g));
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	rc = pthread_mutex_init(&g->lead, &attr);
	pthread_mutexattr_destroy(&attr);
	if (rc != 0) {
		log_error("group fsync: mutex: %s", strerror(rc));
		munmap(g, sizeof(*g));
		return -1;
	}
	group = g;
	return 0;
}

void db_group_free(void)
{
	if (group == NULL)
		return;
	pthread_mutex_destroy(&group->lead);
	munmap(group, sizeof(*group));
	group = NULL;
}

void db_group_counts(uint64_t *commits, uint64_t *syncs)
{
	*commits = group != NULL ? __atomic_load_n(&group->committed, __ATOMIC_ACQUIRE) : 0;
	*syncs = group != NULL ? __atomic_load_n(&group->syncs, __ATOMIC_ACQUIRE) : 0;
}

/* SQLite's WAL hook: note the WAL's size for db_checkpoint. */
static int on_wal_commit(void *arg, sqlite3 *conn, const char *name, int pages)
{
	(void)conn;
	(void)name;
	((struct db *)arg)->wal_pages = pages;
	return SQLITE_OK;
}

struct db *db_open(const struct config *c, int create, char *err, size_t errlen)
{
	static int configured;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	    (create ? SQLITE_OPEN_CREATE : 0);
	char pragmas[256];
	struct db *db;

	/*
	 * Every process here is single-threaded: no mutexes in SQLite at all
	 * (NOMUTEX leaves the global ones) and no memory statistics, whose
	 * mutex every malloc and free took. SQLite takes this only before its
	 * first use, so once, at the first open.
	 */
	if (!configured) {
		sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		configured = 1;
	}

	if ((db = calloc(1, sizeof(*db))) == NULL)
		log_fatal("out of memory");
	db->gate_fd = -1;
	db->gate_timeout_ms = c->busy_timeout_ms;
	if (sqlite3_open_v2(c->database, &db->conn, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", c->database,
		    db->conn != NULL ? sqlite3_errmsg(db->conn) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(db->conn, 1);
	/*
	 * synchronous=FULL makes every commit durable at the cost of one
	 * fsync inside the write lock; NORMAL can lose the last commits on
	 * power loss (never on a crash of the program) and writes ~2x faster
	 * (STACK-NOTES.md). GROUP commits as NORMAL and makes db_commit wait
	 * for a shared fsync; a process without the shared page (the admin
	 * tool) stays FULL. Grouped connections never checkpoint inside a
	 * commit (the write gate would wait for it): db_checkpoint does it
	 * after the answer.
	 * temp_store = MEMORY keeps statement journals in memory: a sign-up's
	 * INSERT changes enough pages through its triggers (counters, the
	 * search index) that SQLite spilled its journal into a new temp file
	 * (create, unlink, write, close) in most write transactions.
	 */
	db->grouped = c->synchronous == SYNC_GROUP && group != NULL;
	snprintf(pragmas, sizeof(pragmas),
	    "PRAGMA busy_timeout = %d; PRAGMA journal_mode = WAL;"
	    " PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; PRAGMA synchronous = %s;%s",
	    c->busy_timeout_ms,
	    c->synchronous == SYNC_NORMAL || db->grouped ? "NORMAL" : "FULL",
	    db->grouped ? " PRAGMA wal_autocheckpoint = 0;" : "");
	if (exec(db, pragmas, err, errlen) != 0) {
		/* A directory or a non-database file fails here, not at open. */
		char why[200];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "cannot use database %s: %s", c->database, why);
		goto fail;
	}
	/*
	 * Kept open until db_close(), after sqlite3_close(): closing another
	 * descriptor of the file would drop SQLite's own POSIX locks.
	 */
	if (c->write_gate && (db->gate_fd = open(c->database, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open database %s: %s", c->database,
		    strerror(errno));
		goto fail;
	}
	if (db->grouped)
		sqlite3_wal_hook(db->conn, on_wal_commit, db);
	return db;
fail:
	db_close(db);
	return NULL;
}

void db_close(struct db *db)
{
	int i;

	if (db == NULL)
		return;
	for (i = 0; i < STMT__MAX; i++)
		sqlite3_finalize(db->stmt[i]);
	sqlite3_close(db->conn);
	if (db->gate_fd >= 0)
		close(db->gate_fd);
	free(db);
}

int db_version(struct db *db)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(db->conn, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

int db_migrate(struct db *db, int *from, char *err, size_t errlen)
{
	int latest = db_latest_version(), v, i;

	if (exec(db, "BEGIN IMMEDIATE", err, errlen) != 0)
		return -1;
	/* Read the version inside the transaction: two migrators cannot race. */
	*from = v = db_version(db);
	if (v < 0 || v > latest) {
		snprintf(err, errlen, "database schema version %d is newer than this"
		    " program's (%d): upgrade Turnout first", v, latest);
		goto fail;
	}
	if (v == 0 && exec(db, sql_schema, err, errlen) != 0)
		goto fail;
	for (i = v == 0 ? latest - 1 : v - 1; i < latest - 1; i++)
		if (exec(db, sql_migrations[i], err, errlen) != 0)
			goto fail;
	if (db_version(db) != latest) {
		snprintf(err, errlen, "schema left version %d, expected %d",
		    db_version(db), latest);
		goto fail;
	}
	return exec(db, "COMMIT", err, errlen);
fail:
	sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int db_prepare(struct db *db, char *err, size_t errlen)
{
	int v = db_version(db), i;

	if (v != db_latest_version()) {
		snprintf(err, errlen, "database schema version is %d, this program"
		    " needs %d: run turnout-admin %s", v, db_latest_version(),
		    v == 0 ? "init" : "migrate");
		return -1;
	}
	for (i = 0; i < STMT__MAX; i++) {
		if (sqlite3_prepare_v3(db->conn, stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &db->stmt[i], NULL) != SQLITE_OK) {
			snprintf(err, errlen, "preparing statement %d: %s", i,
			    sqlite3_errmsg(db->conn));
			return -1;
		}
	}
	return 0;
}

sqlite3_stmt *db_stmt(struct db *db, enum stmt s)
{
	sqlite3_stmt *st = db->stmt[s];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

enum db_rc db_rc_of(struct db *db, int rc, const char *what)
{
	int sys = sqlite3_system_errno(db->conn);

	/*
	 * A short write is SQLITE_FULL; growing the -shm file or an fsync
	 * that fails for want of space is an I/O error with ENOSPC behind it.
	 */
	if ((rc & 0xff) == SQLITE_FULL ||
	    ((rc & 0xff) == SQLITE_IOERR && (sys == ENOSPC || sys == EDQUOT))) {
		log_error("%s: the disk is full", what);
		return DB_NOSPACE;
	}
	/* A commit whose own fsync failed may or may not be on disk. */
	if (rc == SQLITE_IOERR_FSYNC) {
		log_error("%s: syncing the database failed: %s", what, sqlite3_errmsg(db->conn));
		return DB_UNSYNCED;
	}
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return DB_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DB_BUSY;
	case SQLITE_CONSTRAINT:
		return DB_CONFLICT;
	default:
		log_error("%s: %s", what, sqlite3_errmsg(db->conn));
		return DB_ERROR;
	}
}

enum db_rc db_step_done(struct db *db, sqlite3_stmt *st, const char *what)
{
	enum db_rc rc = db_rc_of(db, sqlite3_step(st), what);

	sqlite3_reset(st);
	return rc;
}

enum db_rc db_step_one(struct db *db, sqlite3_stmt *st, const char *what)
{
	int step = sqlite3_step(st);

	if (step == SQLITE_ROW)
		return DB_OK;
	sqlite3_reset(st);
	return step == SQLITE_DONE ? DB_NOTFOUND : db_rc_of(db, step, what);
}

enum db_rc db_ping(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, STMT_HEALTH);
	enum db_rc rc = db_rc_of(db, sqlite3_step(st), "health check");

	sqlite3_reset(st);
	return rc;
}

static void gate_release(struct db *db)
{
	if (db->gated) {
		flock(db->gate_fd, LOCK_UN);
		db->gated = 0;
	}
}

/*
 * After the deadline the timer keeps firing every GATE_TICK_MS until the
 * gate is had: a deadline that passes just before flock() is entered is
 * then noticed one tick later instead of never.
 */
#define GATE_TICK_MS 20

static volatile sig_atomic_t gate_expired;

static void on_gate_timer(int sig)
{
	(void)sig;
	gate_expired = 1;
}

static struct timeval ms_timeval(int ms)
{
	return (struct timeval){ .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
}

/*
 * Take the write gate, waiting at most db->gate_timeout_ms in the kernel's
 * queue (wait = 0: not at all). No polling: flock() blocks, and a SIGALRM
 * whose handler is installed without SA_RESTART makes it return EINTR at
 * the deadline. The handler stays installed: a tick that arrives after the
 * timer is stopped only sets the flag, which each wait clears first.
 * Returns DB_OK, DB_BUSY (not had in time) or DB_ERROR.
 */
static enum db_rc gate_take(struct db *db, int wait)
{
	static int handler_set;
	struct itimerval timer = { { 0, 0 }, { 0, 0 } };
	struct timespec t0, t1;
	struct sigaction sa;
	enum db_rc rc = DB_OK;

	if (flock(db->gate_fd, LOCK_EX | LOCK_NB) == 0)
		goto taken;
	if (errno != EWOULDBLOCK) {
		log_error("write gate: %s", strerror(errno));
		return DB_ERROR;
	}
	if (!wait || db->gate_timeout_ms == 0)
		return DB_BUSY;
	if (!handler_set) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_gate_timer;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGALRM, &sa, NULL);
		handler_set = 1;
	}
	gate_expired = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	timer.it_value = ms_timeval(db->gate_timeout_ms);
	timer.it_interval = ms_timeval(GATE_TICK_MS);
	setitimer(ITIMER_REAL, &timer, NULL);
	while (flock(db->gate_fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			log_error("write gate: %s", strerror(errno));
			rc = DB_ERROR;
			break;
		}
		if (gate_expired) {
			rc = DB_BUSY;
			break;
		}
	}
	timer.it_value = timer.it_interval = ms_timeval(0);
	setitimer(ITIMER_REAL, &timer, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	db->gate_waits++;
	db->gate_wait_us += (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000LL +
	    (t1.tv_nsec - t0.tv_nsec) / 1000);
	if (rc != DB_OK)
		return rc;
taken:
	db->gated = 1;
	return DB_OK;
}

/* Take the gate (waiting or not), then BEGIN IMMEDIATE; in a batch, a savepoint. */
static enum db_rc begin(struct db *db, int wait)
{
	enum db_rc rc;

	if (db->batch)
		return db_rc_of(db, sqlite3_exec(db->conn, "SAVEPOINT change", NULL, NULL,
		    NULL), "begin a change in the batch");
	if (db->gate_fd >= 0 && (rc = gate_take(db, wait)) != DB_OK)
		return rc;
	rc = db_rc_of(db, sqlite3_exec(db->conn, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL), "begin");
	if (rc != DB_OK)
		gate_release(db);
	return rc;
}

enum db_rc db_begin(struct db *db)
{
	return begin(db, 1);
}

enum db_rc db_try_begin(struct db *db)
{
	return begin(db, 0);
}

/*
 * fdatasync the WAL through SQLite's own handle of it (always the live
 * -wal file: SQLite never replaces it while this connection is open).
 * Returns 0 or -1, logged.
 */
static int sync_wal(struct db *db)
{
	sqlite3_file *wal = NULL;
	int rc;

	if (sqlite3_file_control(db->conn, "main", SQLITE_FCNTL_JOURNAL_POINTER,
	    &wal) != SQLITE_OK || wal == NULL || wal->pMethods == NULL) {
		log_error("group fsync: the connection has no WAL file open");
		return -1;
	}
	if ((rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL | SQLITE_SYNC_DATAONLY)) !=
	    SQLITE_OK) {
		log_error("group fsync: syncing the WAL failed (%s): nothing is acknowledged"
		    " until a checkpoint succeeds; check the disk", strerror(
		    sqlite3_system_errno(db->conn) != 0 ? sqlite3_system_errno(db->conn) : EIO));
		return -1;
	}
	return 0;
}

/*
 * After a failed sync the kernel may have dropped the WAL's unwritten
 * pages (PostgreSQL's "fsyncgate"): a later fdatasync that succeeds says
 * nothing about them, and WAL recovery stops at the first bad frame, so
 * later commits would be lost with them. Only a checkpoint that copies the
 * whole WAL into the database file, syncs it and empties the WAL makes
 * later commits safe to acknowledge again. Returns 0 or -1, logged.
 */
static int recover_wal(struct db *db)
{
	int frames = -1, done = -1;

	if (sqlite3_wal_checkpoint_v2(db->conn, "main", SQLITE_CHECKPOINT_TRUNCATE,
	    &frames, &done) != SQLITE_OK || frames != 0) {
		log_error("group fsync: checkpoint after a failed sync: %s",
		    sqlite3_errmsg(db->conn));
		return -1;
	}
	log_info("group fsync: the WAL is checkpointed and synced: acknowledging again");
	return 0;
}

static struct timespec deadline_in(int ms)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	return t;
}

/*
 * Wait until the commit with ticket `my` is on disk: if no sync covered
 * it yet, queue (in the kernel) for the leader's mutex; whoever holds it
 * syncs the WAL once for every ticket handed out so far. A leader that
 * died holding the mutex (kill -9 mid-sync) hands it to the next waiter
 * with EOWNERDEAD; that one syncs. Waits at most gate_timeout_ms, like the
 * gate. Returns DB_OK (durable), DB_BUSY (no sync in time: a stalled
 * leader) or DB_UNSYNCED (a sync failed: this commit may not be on disk).
 */
static enum db_rc group_wait(struct db *db, uint64_t my)
{
	struct db_group *g = group;
	struct timespec until;
	enum db_rc rc = DB_OK;
	uint64_t target;
	int lk;

	if (__atomic_load_n(&g->synced, __ATOMIC_ACQUIRE) >= my &&
	    __atomic_load_n(&g->failed_upto, __ATOMIC_ACQUIRE) < my)
		return DB_OK;
	until = deadline_in(db->gate_timeout_ms);
	lk = pthread_mutex_timedlock(&g->lead, &until);
	if (lk == EOWNERDEAD) {
		log_error("group fsync: the last leader died mid-sync: syncing for it");
		pthread_mutex_consistent(&g->lead);
	} else if (lk == ETIMEDOUT) {
		log_error("group fsync: no sync within %d ms", db->gate_timeout_ms);
		return DB_BUSY;
	} else if (lk != 0) {
		log_error("group fsync: %s", strerror(lk));
		return DB_ERROR;
	}
	if (my <= __atomic_load_n(&g->failed_upto, __ATOMIC_ACQUIRE))
		rc = DB_UNSYNCED;
	else if (__atomic_load_n(&g->synced, __ATOMIC_ACQUIRE) >= my)
		rc = DB_OK;
	else if (g->failing && recover_wal(db) != 0)
		rc = DB_UNSYNCED;
	else {
		/* Every ticket up to target finished its WAL writes before it was taken. */
		target = __atomic_load_n(&g->committed, __ATOMIC_ACQUIRE);
		if (sync_wal(db) == 0) {
			g->failing = 0;
			__atomic_store_n(&g->synced, target, __ATOMIC_RELEASE);
			__atomic_add_fetch(&g->syncs, 1, __ATOMIC_RELEASE);
		} else
			rc = DB_UNSYNCED;
	}
	if (rc == DB_UNSYNCED && my > __atomic_load_n(&g->failed_upto, __ATOMIC_ACQUIRE)) {
		/* Everyone waiting for the failed sync is refused, not resynced. */
		g->failing = 1;
		__atomic_store_n(&g->failed_upto, __atomic_load_n(&g->committed,
		    __ATOMIC_ACQUIRE), __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&g->lead);
	return rc;
}

enum db_rc db_commit(struct db *db)
{
	enum db_rc rc;
	uint64_t my = 0;

	if (db->batch) {
		rc = db_rc_of(db, sqlite3_exec(db->conn, "RELEASE change", NULL, NULL, NULL),
		    "end a change in the batch");
		if (rc != DB_OK)
			db_rollback(db);
		return rc;
	}
	rc = db_rc_of(db, sqlite3_exec(db->conn, "COMMIT", NULL, NULL, NULL), "commit");
	if (rc != DB_OK)
		db_rollback(db);
	else if (db->grouped)
		my = __atomic_add_fetch(&group->committed, 1, __ATOMIC_ACQ_REL);
	gate_release(db);
	/* Outside the gate: the next writer commits while this one waits. */
	if (my != 0)
		rc = group_wait(db, my);
	return rc;
}

void db_checkpoint(struct db *db, int pages)
{
	int frames, done;

	if (db == NULL || db->wal_pages < pages)
		return;
	db->wal_pages = 0;
	/* SQLITE_BUSY: another process is checkpointing; it does the work. */
	sqlite3_wal_checkpoint_v2(db->conn, "main", SQLITE_CHECKPOINT_PASSIVE, &frames, &done);
}

void db_rollback(struct db *db)
{
	if (db->batch) {
		/* Undo this change only; the batch's other changes stay. */
		if (!sqlite3_get_autocommit(db->conn))
			sqlite3_exec(db->conn, "ROLLBACK TO change; RELEASE change", NULL, NULL,
			    NULL);
		return;
	}
	if (!sqlite3_get_autocommit(db->conn))
		sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
	gate_release(db);
}

enum db_rc db_batch_begin(struct db *db)
{
	enum db_rc rc = begin(db, 1);

	db->batch = rc == DB_OK;
	return rc;
}

int db_batch_open(struct db *db)
{
	return db->batch && !sqlite3_get_autocommit(db->conn);
}

enum db_rc db_batch_end(struct db *db, int keep)
{
	int open = db_batch_open(db);

	db->batch = 0;
	if (open && keep)
		return db_commit(db);
	db_rollback(db);
	return open ? DB_OK : DB_ERROR;
}

int db_wal_pages(struct db *db)
{
	return db->wal_pages;
}

void db_checkpoint_owed(struct db *db, int pages)
{
	if (db != NULL && pages > db->wal_pages)
		db->wal_pages = pages;
}

enum db_rc db_end(struct db *db, enum db_rc rc)
{
	if (rc == DB_OK)
		return db_commit(db);
	db_rollback(db);
	return rc;
}

enum db_rc db_log_mark(struct db *db, int64_t *mark)
{
	sqlite3_stmt *st = db_stmt(db, STMT_LOG_MARK);
	int step;

	if ((step = sqlite3_step(st)) == SQLITE_ROW)
		*mark = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return db_rc_of(db, step, "reading the log");
}

enum db_rc db_log_actor(struct db *db, const char *actor, int64_t mark)
{
	sqlite3_stmt *st;
	enum db_rc rc;

	if (actor == NULL)
		return DB_OK;
	st = db_stmt(db, STMT_LOG_ACTOR);
	sqlite3_bind_int64(st, 1, mark);
	sqlite3_bind_text(st, 2, actor, -1, SQLITE_STATIC);
	rc = db_rc_of(db, sqlite3_step(st), "naming the admin in the log");
	sqlite3_reset(st);
	return rc;
}

int db_secret(struct db *db, unsigned char *out, size_t len)
{
	sqlite3_stmt *st = db_stmt(db, STMT_SECRET);
	int rc = -1;

	if (sqlite3_step(st) == SQLITE_ROW &&
	    (size_t)sqlite3_column_bytes(st, 0) == len) {
		memcpy(out, sqlite3_column_blob(st, 0), len);
		rc = 0;
	}
	sqlite3_reset(st);
	return rc;
}

const char *db_like_pattern(struct arena *a, const char *search)
{
	char *pattern, *p;

	if (search == NULL || *search == '\0')
		return NULL;
	/* The search is literal text: escape LIKE's own characters. */
	pattern = p = arena_alloc(a, 2 * strlen(search) + 3);
	*p++ = '%';
	for (; *search != '\0'; search++) {
		if (strchr("%_\\", *search) != NULL)
			*p++ = '\\';
		*p++ = *search;
	}
	*p++ = '%';
	*p = '\0';
	return pattern;
}

const char *db_trigram_phrase(struct arena *a, const char *search)
{
	size_t chars = 0;
	const char *s;
	char *phrase, *p;

	for (s = search; s != NULL && *s != '\0'; s++)
		chars += ((unsigned char)*s & 0xc0) != 0x80;	/* UTF-8 lead bytes */
	if (chars < 3)
		return NULL;
	/* A string in double quotes, its own doubled: the text, literally. */
	phrase = p = arena_alloc(a, 2 * strlen(search) + 3);
	*p++ = '"';
	for (; *search != '\0'; search++) {
		if (*search == '"')
			*p++ = '"';
		*p++ = *search;
	}
	*p++ = '"';
	*p = '\0';
	return phrase;
}

int db_changes(struct db *db)
{
	return sqlite3_changes(db->conn);
}

int64_t db_last_id(struct db *db)
{
	return sqlite3_last_insert_rowid(db->conn);
}

enum db_rc db_exec(struct db *db, const char *sql)
{
	return db_rc_of(db, sqlite3_exec(db->conn, sql, NULL, NULL, NULL), sql);
}

void db_gate_counts(struct db *db, uint64_t *waits, uint64_t *wait_us)
{
	*waits = db->gate_waits;
	*wait_us = db->gate_wait_us;
}

sqlite3 *db_sqlite(struct db *db)
{
	return db->conn;
}

const char *db_text(struct arena *a, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return arena_strndup(a, t != NULL ? (const char *)t : "",
	    (size_t)sqlite3_column_bytes(st, i));
}

int64_t db_int(sqlite3_stmt *st, int i, int64_t dflt)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? dflt : sqlite3_column_int64(st, i);
}

int db_enum(sqlite3_stmt *st, int i, const char *const *names, int n, int dflt)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	int k;

	for (k = 0; t != NULL && k < n; k++)
		if (strcmp(t, names[k]) == 0)
			return k;
	return dflt;
}

void db_read_event(struct arena *a, sqlite3_stmt *st, struct event *e)
{
	int i = 0;

	memset(e, 0, sizeof(*e));
	if (sqlite3_column_count(st) > 0 EVENT_ROW(COUNT)) {
		EVENT_ADMIN_ROW(READ)
	} else {
		EVENT_ROW(READ)
	}
	/* Derived, so every reader has it. Below zero when the capacity was
	 * lowered under the count: full. */
	e->spots_left = e->capacity < 0 ? -1 :
	    e->capacity > e->confirmed ? e->capacity - e->confirmed : 0;
}

void db_read_rsvp(struct arena *a, sqlite3_stmt *st, struct rsvp *r)
{
	int i = 0;

	memset(r, 0, sizeof(*r));
	RSVP_ROW(READ)
}

void db_read_item(struct arena *a, sqlite3_stmt *st, struct item *it)
{
	int i = 0;

	memset(it, 0, sizeof(*it));
	ITEM_ROW(READ)
}

void db_read_outbox(struct arena *a, sqlite3_stmt *st, struct outbox_msg *m)
{
	int i = 0;

	memset(m, 0, sizeof(*m));
	OUTBOX_ROW(READ)
}

void db_read_drop_settings(struct arena *a, sqlite3_stmt *st, struct drop_settings *s)
{
	int i = 0;

	memset(s, 0, sizeof(*s));
	DROP_SETTINGS_ROW(READ)
}

void db_read_drop_item(struct arena *a, sqlite3_stmt *st, struct drop_item *it)
{
	int i = 0;

	memset(it, 0, sizeof(*it));
	DROP_ITEM_ROW(READ)
}

void db_read_drop_variant(struct arena *a, sqlite3_stmt *st, struct drop_variant *v)
{
	int i = 0;

	memset(v, 0, sizeof(*v));
	DROP_VARIANT_ROW(READ)
}

void db_read_hold(struct arena *a, sqlite3_stmt *st, struct hold *h)
{
	int i = 0;

	memset(h, 0, sizeof(*h));
	HOLD_ROW(READ)
}

void db_read_drop_activity(struct arena *a, sqlite3_stmt *st, struct drop_activity *f)
{
	int i = 0;

	memset(f, 0, sizeof(*f));
	DROP_ACTIVITY_ROW(READ)
}

void db_read_entry(struct arena *a, sqlite3_stmt *st, struct entry *en)
{
	int i = 0;

	memset(en, 0, sizeof(*en));
	ENTRY_ROW(READ)
}

void db_read_score(struct arena *a, sqlite3_stmt *st, struct score_row *sc)
{
	int i = 0;

	memset(sc, 0, sizeof(*sc));
	SCORE_ROW(READ)
}

void db_read_score_log(struct arena *a, sqlite3_stmt *st, struct score_log_row *lr)
{
	int i = 0;

	memset(lr, 0, sizeof(*lr));
	SCORE_LOG_ROW(READ)
}
