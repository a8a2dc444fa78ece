#ifndef TURNOUT_SCORE_H
#define TURNOUT_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"

/*
 * Competitions: an event with a competition row takes entries (RSVPs with
 * a display name, a division and a bib number) and scores. Values are
 * integers in thousandths: milliseconds for times, thousandths of a point
 * or of the unit otherwise. Each entry's count, total and best are kept by
 * triggers in the transaction that adds or voids a score
 * (migrations/009-compete.sql); ranks are computed exactly from them.
 */
#define SCORE_VALUE_MAX INT64_C(1000000000)	/* thousandths: 1e6 points, ~277 h */
#define SCORE_ROUNDS_MAX 100
#define SCORE_DISPLAY_MAX 40			/* characters of a display name */
#define SCORE_DIVISIONS_MAX 20
#define SCORE_DIVISION_MAX 40			/* characters of a division's name */
#define SCORE_UNIT_MAX 16
#define SCORE_KEY_TTL (24 * 3600)		/* Idempotency-Key answers are kept this long */
#define SCORE_KEY_MAX 200			/* bytes of an Idempotency-Key */
#define SCORE_REASON_MAX 200

enum score_kind { SCORE_POINTS, SCORE_TIME, SCORE_DISTANCE, SCORE_KIND__MAX };
enum score_rule { SCORE_BEST, SCORE_TOTAL, SCORE_AVERAGE, SCORE_RULE__MAX };
enum score_source { SCORE_ENTRANT, SCORE_SCOREKEEPER, SCORE_API, SCORE_SOURCE__MAX };

/* Each as the database stores it. */
extern const char *const score_kind_names[SCORE_KIND__MAX];
extern const char *const score_rule_names[SCORE_RULE__MAX];
extern const char *const score_source_names[SCORE_SOURCE__MAX];

struct division {
	int64_t id;
	const char *name;
};

/* A competition's rules; strings and divisions live in an arena. */
struct competition {
	int64_t event_id;
	enum score_kind kind;
	enum score_rule rule;
	const char *unit;		/* distance: "m", "cm" ...; "" otherwise */
	int rounds;			/* scores per entry, at most */
	int self_scoring;		/* entrants report their own scores */
	int closed;			/* no more scores */
	int64_t version;		/* changes with every score: the live board's ETag */
	int64_t frozen_at;		/* 0: the public board is live; else it shows the snapshot */
	int64_t published_at;		/* 0: no final results yet */
	int64_t public_version;		/* the public board's ETag: version, or frozen_version */
	struct division *divisions;	/* in order; none: one board */
	int ndivisions;
};

/*
 * Parse a value of kind as a person types it, into thousandths: points
 * and distances "12", "12.5", "0.125" (at most 3 decimals); times
 * "h:mm:ss", "m:ss", "m:ss.t" or "ss.ttt" (minutes and seconds after the
 * first part below 60). No sign, exponent, NaN or spaces inside. Returns
 * NULL, or a message for the person.
 */
const char *score_parse(enum score_kind kind, const char *text, int64_t *out);

/*
 * A value (thousandths) as people read it: "12.5", "1:02:03", "4:05.3"
 * (decimals only as many as needed). In a. Averages are shown rounded.
 */
const char *score_format(struct arena *a, enum score_kind kind, int64_t v);

/*
 * Make the event `slug` a competition (or change its rules: kind, rule,
 * unit, rounds, self-scoring, closed) in one transaction, with these
 * divisions in order (existing ones are kept, new names added; none
 * removed, since entries may be in them). Returns DB_OK, DB_NOTFOUND,
 * DB_INVALID (a unit or division name too long, too many divisions, a
 * drop), DB_CONFLICT (the competition's scores fix it: kind, rule and unit
 * once it has a score, rounds below the highest round with a live score;
 * score_usage() says which), DB_BUSY, DB_ERROR.
 */
enum db_rc score_setup(struct db *db, struct arena *a, const char *slug,
    const struct competition *c, const char *const *divisions, int ndivisions);

/*
 * What the stored scores of event_id fix: *scored is 1 if it has a score
 * (voided ones count: kind, rule and unit are then fixed), *max_round the
 * highest round with a live score (0: none; rounds cannot go below it).
 */
enum db_rc score_usage(struct db *db, int64_t event_id, int *scored, int *max_round);

/*
 * Divisions of the competition of event_id, one change each in its own
 * transaction. Add: name goes last (already there: DB_OK, nothing
 * changes); DB_INVALID for a name not 1 to SCORE_DIVISION_MAX characters
 * or a competition with SCORE_DIVISIONS_MAX divisions. Rename division
 * id: DB_CONFLICT if another division has that name. Remove division id:
 * DB_CONFLICT if an entry (even a cancelled one) is in it. DB_NOTFOUND
 * for no such competition or division, else DB_BUSY, DB_ERROR.
 */
enum db_rc score_division_add(struct db *db, struct arena *a, int64_t event_id,
    const char *name);
enum db_rc score_division_rename(struct db *db, int64_t event_id, int64_t id,
    const char *name);
enum db_rc score_division_remove(struct db *db, int64_t event_id, int64_t id);

/* The competition of event_id with its divisions; DB_NOTFOUND if it is none. */
enum db_rc score_competition(struct db *db, struct arena *a, int64_t event_id,
    struct competition *c);

/*
 * Make RSVP rsvp_id of event_id an entry inside the caller's transaction
 * (rsvp_create() calls it): the next bib number, display (NULL: the name
 * if it fits), division_id (0: none; required when the competition has
 * divisions). DB_OK also when the event is no competition (nothing to
 * do); DB_INVALID for a missing or foreign division or a bad name.
 */
enum db_rc score_enter(struct db *db, struct arena *a, int64_t event_id, int64_t rsvp_id,
    const char *name, const char *display, int64_t division_id);

/* An entry as its manage page and the scorekeeper's list show it. */
struct entry {
	int64_t id;			/* its RSVP's id */
	int64_t event_id, bib, division_id;
	const char *display_name, *name, *division;
	int64_t scores, total, best;
	int confirmed;			/* its RSVP is confirmed: it may score */
};

/* Entry id of event_id; DB_NOTFOUND if none. */
enum db_rc score_entry(struct db *db, struct arena *a, int64_t event_id, int64_t id,
    struct entry *e);

/*
 * The active entries of event_id whose display name, name or bib matches
 * q (NULL or "": all), by bib, at most max (0: every one). *list in a.
 */
enum db_rc score_entries(struct db *db, struct arena *a, int64_t event_id, const char *q,
    int max, struct entry **list, int *n);

struct event;
/*
 * The competitions (as events, the latest made first, at most
 * SCORE_LIST_MAX): all of them, or with user_id those that account keeps
 * the scores of.
 */
#define SCORE_LIST_MAX 200
enum db_rc score_competitions(struct db *db, struct arena *a, int64_t user_id,
    struct event **list, int *n);

/* Change an entry's display name (the entrant, from the manage page). */
enum db_rc score_rename(struct db *db, int64_t rsvp_id, const char *display);

/* One score as submitted, from any of the three places. */
struct score_input {
	int64_t entry_id;		/* 0: by bib */
	int64_t bib;
	int64_t value;			/* thousandths, from score_parse() */
	int round;			/* 0: the entry's next free round */
	enum score_source source;
	const char *actor;		/* the admin or "api:LABEL"; NULL: the entrant */
};

/* What a submission did. */
struct score_outcome {
	int replayed;			/* form token used before: nothing changed */
	int64_t score_id, entry_id;
	int round;
	int64_t value;
	int64_t scores, total, best;	/* the entry's aggregates afterwards */
};

/*
 * An Idempotency-Key (the API): the token it came with, the key, the
 * request body, and how to render the answer to store. answer() runs
 * inside the transaction with the outcome (rc a rule's refusal or DB_OK)
 * and returns the HTTP status and the body (in the arena) to keep.
 * Afterwards status and response hold the answer to give (the stored
 * one for a replay) and mismatch says the key came with another body.
 */
struct score_key {
	int64_t token_id;
	const char *key;
	const char *body;
	size_t body_len;
	int (*answer)(void *ctx, struct arena *a, enum db_rc rc,
	    const struct score_outcome *out, const char **response);
	void *ctx;
	int status, replayed, mismatch;
	const char *response;
};

/*
 * Submit one score to the competition of event_id in one transaction (the
 * RSVP module's skeleton): claim form_token (may be NULL) or key (may be
 * NULL), find the entry, insert the score in its round; the triggers
 * update the entry's aggregates in the same transaction. With a key, a
 * rule's refusal is stored and replayed too. Returns DB_OK,
 * DB_NOTFOUND (no such entry in this competition), DB_CONFLICT (that
 * round has a score: correct it instead), DB_CLOSED (closed competition,
 * entry not confirmed, no self-scoring, or past its rounds), DB_INVALID
 * (value out of range), DB_BUSY, DB_ERROR. With a key, DB_OK means the
 * answer is in key->status and key->response.
 */
enum db_rc score_submit(struct db *db, struct arena *a, int64_t event_id,
    const struct score_input *in, const char *form_token, struct score_key *key,
    struct score_outcome *out);

/*
 * Void score score_id of event_id with reason, as actor; with in non-NULL,
 * a correction: in's value replaces it in the same round, in the same
 * transaction. DB_NOTFOUND, DB_CLOSED (already voided or closed),
 * DB_INVALID, DB_BUSY, DB_ERROR.
 */
enum db_rc score_void(struct db *db, struct arena *a, int64_t event_id, int64_t score_id,
    const char *reason, const char *actor, const struct score_input *in,
    const char *form_token, struct score_outcome *out);

/* One score as the lists and the CSV show it. */
struct score_row {
	int64_t id, entry_id, bib, created_at, voided_at;
	int round;
	int64_t value;
	const char *display_name, *source, *created_by, *void_reason;
};

/* The scores of event_id (entry_id 0: all), newest first, at most max. */
enum db_rc score_list(struct db *db, struct arena *a, int64_t event_id, int64_t entry_id,
    int max, struct score_row **list, int *n);

/*
 * A score's row of the analytics log (rsvp_log): action "score", "void"
 * or "correct" (the replacement of a voided score), who did it (actor:
 * the account, "api:LABEL" for an API token, "" for the entrant), and the
 * score it is about.
 */
struct score_log_row {
	int64_t at, entry_id, bib, score_id;
	int round;
	int64_t value;
	const char *action, *actor, *display_name, *void_reason;
};

/* The newest max score rows of the log of event_id (entry_id 0: every entry's). *list in a. */
enum db_rc score_log(struct db *db, struct arena *a, int64_t event_id, int64_t entry_id,
    int max, struct score_log_row **list, int *n);

/* Who did a log row, as people read it ("the entrant", "API token “x”", the account), in a. */
const char *score_log_who(struct arena *a, const struct score_log_row *l);

/* A row of a leaderboard. */
struct board_row {
	int64_t entry_id, bib, division_id;
	const char *display_name;
	int division;			/* index into the competition's divisions; -1: none */
	int rank;			/* 1, 2, 2, 4 ...; 0: no scores yet */
	int64_t scores, total, best;
	int64_t figure;			/* the ranked figure; averages rounded */
};

/*
 * The leaderboard of c: its confirmed entries by division, then rank
 * (ties share a rank: 1, 2, 2, 4), then display name; entries without a
 * score last, unranked. *rows in a.
 */
enum db_rc score_board(struct db *db, struct arena *a, const struct competition *c,
    struct board_row **rows, int *n);

/*
 * The leaderboard the public sees: score_board(), or while c is frozen the
 * standings taken when it was frozen (ranked the same way).
 */
enum db_rc score_board_public(struct db *db, struct arena *a, const struct competition *c,
    struct board_row **rows, int *n);

/*
 * Freeze and publish. BOARD_FREEZE: the public board keeps the standings of
 * this moment (scores are still taken; organisers and scorekeepers see the
 * live board) until BOARD_UNFREEZE or BOARD_PUBLISH (the final results,
 * live again; a published board is not frozen again). One transaction
 * that also logs actor (required) in board_log; form_token (may be NULL)
 * makes it idempotent (*replayed: it was done before). Returns DB_OK,
 * DB_NOTFOUND (not a competition), DB_CONFLICT (the board is not in a
 * state the action starts from: frozen already, not frozen, published),
 * DB_INVALID (no actor), DB_BUSY, DB_ERROR.
 */
enum board_action { BOARD_FREEZE, BOARD_UNFREEZE, BOARD_PUBLISH, BOARD_ACTION__MAX };
extern const char *const board_action_names[BOARD_ACTION__MAX];
enum db_rc score_board_set(struct db *db, int64_t event_id, enum board_action action,
    const char *actor, const char *form_token, int *replayed);

/* A freeze, unfreeze or publish as the admin page lists it. */
struct board_change {
	const char *action, *actor;
	int64_t at;
};
/* The latest max changes of event_id's board, newest first. *list in a. */
enum db_rc score_board_log(struct db *db, struct arena *a, int64_t event_id, int max,
    struct board_change **list, int *n);

/*
 * Rank rows[0..n) of one competition in place (score_board() uses it):
 * sorted by division, then by c's rule exactly (averages compared as
 * fractions), with shared ranks for ties.
 */
void score_rank(const struct competition *c, struct board_row *rows, int n);

/*
 * API tokens: a new one for event_id named label (the plain token into
 * out; only its hash is stored). form_token (may be NULL) makes it
 * idempotent: a replay makes none and sets *replayed (the token was shown
 * to the first request only). DB_INVALID for a bad label.
 */
#define SCORE_API_TOKEN_HEX 64
enum db_rc score_token_new(struct db *db, int64_t event_id, const char *label,
    const char *actor, const char *form_token, char out[SCORE_API_TOKEN_HEX + 1],
    int *replayed);
/* The live token behind bearer for event_id: *id and *label; DB_NOTFOUND if none. */
enum db_rc score_token_check(struct db *db, struct arena *a, int64_t event_id,
    const char *bearer, int64_t *id, const char **label);
/* An API token as the admin page lists it (never the token itself). */
struct score_token {
	int64_t id, created_at, revoked_at;	/* revoked_at 0: live */
	const char *label, *created_by;
};
/* The tokens of event_id, oldest first. *list in a. */
enum db_rc score_token_list(struct db *db, struct arena *a, int64_t event_id,
    struct score_token **list, int *n);
/* Revoke token id of event_id. DB_NOTFOUND if none. */
enum db_rc score_token_revoke(struct db *db, int64_t event_id, int64_t id);

#endif
