/*
 * turnout-admin: everything a group admin does from the shell.
 *   init     create the database (schema.sql)
 *   migrate  bring an existing database up to this version's schema
 *   demo     load the demo events
 *   capacity SLUG N|unlimited   change an event's capacity (promotes the waitlist)
 *   outbox [list|retry ID|retry-all|discard ID|discard-all]   e-mail dead letters
 *   user add|passwd|del|list|role|assign|unassign|disable|enable   admin accounts
 *   compete SLUG KIND RULE ROUNDS [self-scoring] [closed] [unit=U] [DIVISION...]
 *            make an event a competition
 *   compete SLUG division add NAME | rename NAME NEW | remove NAME
 *   api-token SLUG LABEL | api-token SLUG revoke ID   tokens for the scores API
 *   backup FILE | backup --dir DIR [--keep N] [--gzip]   a copy taken while the site runs
 *   restore FILE   put a backup in place of the database (the site stopped)
 *   status   the database's size, the e-mails by state, the worker's last pass
 *   watch    e-mail the admins (alert_to) if the worker has stopped
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "admin_user.h"
#include "alert.h"
#include "arena.h"
#include "backup.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "demo.h"
#include "event.h"
#include "health.h"
#include "log.h"
#include "outbox.h"
#include "score.h"
#include "token.h"
#include "tpl.h"
#include "transport.h"

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
	    "usage: turnout-admin [-c config-file] command\n"
	    "commands:\n"
	    "  init     create the database\n"
	    "  migrate  upgrade the database to this version's schema\n"
	    "  demo     load demo events into the database\n"
	    "  capacity SLUG N|unlimited\n"
	    "           change an event's capacity; the waitlist moves up into new room\n"
	    "  outbox [list]\n"
	    "           e-mails by state, and the dead letters with their errors\n"
	    "  outbox retry ID|retry-all\n"
	    "           send dead letters again (with all their attempts)\n"
	    "  outbox discard ID|discard-all\n"
	    "           give up on dead letters\n"
	    "  user add NAME [--role admin|organiser|scorekeeper] | user passwd NAME\n"
	    "  user del NAME | user list | user role NAME ROLE\n"
	    "  user assign NAME SLUG | user unassign NAME SLUG\n"
	    "  user disable NAME | user enable NAME\n"
	    "           admin accounts for /admin; the password is read from the\n"
	    "           terminal (twice, not shown) or as one line from stdin. An\n"
	    "           admin does everything, an organiser events, participants and\n"
	    "           competitions, a scorekeeper the scores of the competitions\n"
	    "           assigned to them. A disabled account cannot log in; the\n"
	    "           last admin who can log in is never deleted, demoted or\n"
	    "           disabled (also on /admin/accounts)\n"
	    "  compete SLUG points|time|distance best|total|average ROUNDS\n"
	    "          [self-scoring] [closed] [unit=UNIT] [DIVISION...]\n"
	    "           make an event a competition (or change its rules): entries are\n"
	    "           its RSVPs; divisions are added in order, never removed. Kind,\n"
	    "           rule and unit are fixed once it has scores\n"
	    "  compete SLUG division add NAME | rename NAME NEW | remove NAME\n"
	    "           a competition's divisions (one with entries stays)\n"
	    "  api-token SLUG LABEL | api-token SLUG revoke ID\n"
	    "           a bearer token for POST /api/events/SLUG/scores (printed once)\n"
	    "  backup FILE | backup --dir DIR [--keep N] [--gzip]\n"
	    "           a consistent copy of the database, also while the site runs\n"
	    "           (gzip'ed if FILE ends in .gz); --dir names it by the time and\n"
	    "           keeps the newest N (default 7) there\n"
	    "  status   the database's size, the e-mails by state and when the e-mail\n"
	    "           worker last ran; exits 1 if letters are dead or it has not\n"
	    "           run for 10 minutes\n"
	    "  watch    for a timer: if the e-mail worker has not run for 10 minutes,\n"
	    "           e-mail the addresses of alert_to (at most once an hour);\n"
	    "           exits 1 if it has not\n"
	    "  restore FILE\n"
	    "           replace the database with a backup, checked first; the site and\n"
	    "           the e-mail worker must be stopped. The old one is kept beside it\n");
	exit(2);
}

/* Open the database or exit with the reason. Caller closes it. */
static struct db *open_or_die(const struct config *cfg, int create)
{
	char err[512];
	struct db *db = db_open(cfg, create, err, sizeof(err));

	if (db == NULL) {
		fprintf(stderr, "turnout-admin: %s\n", err);
		exit(1);
	}
	return db;
}

static int cmd_init(const struct config *cfg)
{
	struct db *db;
	char err[512];
	int from, rc = 1;

	if (access(cfg->database, F_OK) == 0) {
		fprintf(stderr, "turnout-admin: %s already exists"
		    " (use migrate to upgrade it)\n", cfg->database);
		return 1;
	}
	db = open_or_die(cfg, 1);
	if (db_migrate(db, &from, err, sizeof(err)) != 0)
		fprintf(stderr, "turnout-admin: init: %s\n", err);
	else {
		printf("created %s (schema version %d)\n", cfg->database,
		    db_latest_version());
		rc = 0;
	}
	db_close(db);
	return rc;
}

static int cmd_migrate(const struct config *cfg)
{
	struct db *db = open_or_die(cfg, 0);
	char err[512], saved[PATH_MAX + 64];
	int from = db_version(db), rc = 1;

	/* An upgrade that goes wrong in a way the transaction cannot undo has this. */
	if (from > 0 && from < db_latest_version()) {
		snprintf(saved, sizeof(saved), "%s.before-v%d.backup", cfg->database,
		    db_latest_version());
		if (backup_write(db, saved, err, sizeof(err)) != 0) {
			fprintf(stderr, "turnout-admin: migrate: no backup, nothing changed: %s\n",
			    err);
			db_close(db);
			return 1;
		}
		printf("backed up schema version %d to %s\n", from, saved);
	}
	if (db_migrate(db, &from, err, sizeof(err)) != 0)
		fprintf(stderr, "turnout-admin: migrate: %s\n", err);
	else {
		if (from == db_latest_version())
			printf("%s is up to date (schema version %d)\n",
			    cfg->database, from);
		else
			printf("migrated %s from schema version %d to %d\n",
			    cfg->database, from, db_latest_version());
		rc = 0;
	}
	db_close(db);
	return rc;
}

static int cmd_backup(const struct config *cfg, int argc, char **args)
{
	char err[512], name[PATH_MAX], *end;
	int i, keep = 7, gzip = 0, rc;
	const char *dir = NULL;
	struct db *db;

	if (argc == 1 && args[0][0] != '-') {
		snprintf(name, sizeof(name), "%s", args[0]);
	} else {
		for (i = 0; i < argc; i++) {
			if (strcmp(args[i], "--gzip") == 0)
				gzip = 1;
			else if (strcmp(args[i], "--dir") == 0 && i + 1 < argc)
				dir = args[++i];
			else if (strcmp(args[i], "--keep") == 0 && i + 1 < argc) {
				errno = 0;
				keep = (int)strtol(args[++i], &end, 10);
				if (errno != 0 || *end != '\0' || keep < 1 || keep > 10000) {
					fprintf(stderr, "turnout-admin: --keep takes 1 to 10000\n");
					return 1;
				}
			} else
				usage();
		}
		if (dir == NULL)
			usage();
	}
	db = open_or_die(cfg, 0);
	rc = dir != NULL ? backup_rotate(db, dir, keep, gzip, name, err, sizeof(err)) :
	    backup_write(db, name, err, sizeof(err));
	db_close(db);
	if (rc != 0) {
		fprintf(stderr, "turnout-admin: backup: %s\n", err);
		return 1;
	}
	printf("backed up %s to %s\n", cfg->database, name);
	return 0;
}

static int cmd_restore(const struct config *cfg, const char *file)
{
	char err[PATH_MAX + 512], kept[PATH_MAX];

	if (backup_restore(cfg, file, kept, err, sizeof(err)) != 0) {
		fprintf(stderr, "turnout-admin: restore: %s; the database was not changed\n",
		    err);
		return 1;
	}
	printf("restored %s from %s", cfg->database, file);
	if (*kept != '\0')
		printf("; the database it replaced is %s", kept);
	printf("\n");
	return 0;
}

/* Open the database ready for domain calls, or exit with the reason. */
static struct db *open_ready(const struct config *cfg)
{
	unsigned char secret[TOKEN_SECRET_LEN];
	struct db *db = open_or_die(cfg, 0);
	char err[512] = "";

	if (db_prepare(db, err, sizeof(err)) != 0 ||
	    db_secret(db, secret, sizeof(secret)) != 0 || token_init(secret) != 0) {
		fprintf(stderr, "turnout-admin: %s\n",
		    *err != '\0' ? err : "the database has no usable site secret");
		db_close(db);
		exit(1);
	}
	return db;
}

static int cmd_status(const struct config *cfg)
{
	struct db *db = open_ready(cfg);
	long long ago;
	struct health h;
	enum db_rc rc = health_read(db, cfg, &h);
	int i, problems = 0;

	db_close(db);
	if (rc != DB_OK) {
		fprintf(stderr, "turnout-admin: status: cannot read the database\n");
		return 1;
	}
	printf("database  %s: %lld bytes, write-ahead log %lld bytes\n", cfg->database,
	    h.db_bytes, h.wal_bytes);
	printf("e-mails  ");
	for (i = 0; i < OUTBOX__MAX; i++)
		printf(" %s %lld%s", outbox_state_name((enum outbox_state)i),
		    (long long)h.outbox[i], i + 1 < OUTBOX__MAX ? "," : "\n");
	ago = clock_now() - h.worker_pass;
	if (h.worker_pass == 0)
		printf("worker    has never run (turnout-worker delivers the e-mails)\n");
	else
		printf("worker    last pass %lld s ago\n", ago);
	if (h.outbox[OUTBOX_DEAD] > 0) {
		printf("problem: %lld e-mail(s) could not be delivered: turnout-admin outbox\n",
		    (long long)h.outbox[OUTBOX_DEAD]);
		problems++;
	}
	if (h.worker_pass == 0 || ago > ALERT_WORKER_LATE) {
		printf("problem: the e-mail worker is not running (systemctl status"
		    " turnout-worker)\n");
		problems++;
	}
	return problems > 0;
}

#define WATCH_SEND_TIMEOUT 60	/* seconds for one delivery, the worker's longest */

/*
 * A stopped worker cannot report itself: a timer runs this instead, and
 * it sends the alert through the same transport the worker would use.
 */
static int cmd_watch(const struct config *cfg)
{
	static const char *const templates[] = { "mail/alert.tpl", "mail/html.tpl", NULL };
	struct db *db = open_ready(cfg);
	struct transport *tr = NULL;
	struct arena *a = NULL;
	char err[512] = "";
	struct health h;
	int sent = 0, rc = 1;

	if (health_read(db, cfg, &h) != DB_OK) {
		fprintf(stderr, "turnout-admin: watch: cannot read the database\n");
		goto out;
	}
	if (!alert_worker_late(&h, clock_now())) {
		rc = 0;
		goto out;
	}
	printf("problem: the e-mail worker is not running (systemctl status"
	    " turnout-worker)\n");
	if (cfg->alert_n == 0) {
		printf("no alert sent: alert_to is not set\n");
		goto out;
	}
	tpl_init(cfg->templates, templates, 1);
	if ((tr = transport_new(cfg, WATCH_SEND_TIMEOUT, err, sizeof(err))) == NULL) {
		fprintf(stderr, "turnout-admin: watch: mail: %s\n", err);
		goto out;
	}
	a = arena_new();
	if (alert_stalled(db, cfg, tr, a, &sent, err, sizeof(err)) != 0)
		fprintf(stderr, "turnout-admin: watch: the alert was not sent: %s\n", err);
	printf("%d alert(s) sent%s\n", sent, sent == 0 && *err == '\0' ?
	    " (one went out this hour already)" : "");
out:
	arena_free(a);
	transport_free(tr);
	db_close(db);
	return rc;
}

static int cmd_capacity(const struct config *cfg, char **args)
{
	struct arena *a;
	long long n = -1;
	char *end;
	struct db *db;
	enum db_rc rc;

	if (strcmp(args[1], "unlimited") != 0) {
		n = strtoll(args[1], &end, 10);
		if (*args[1] == '\0' || *end != '\0' || n < 0 || n > 1000000) {
			fprintf(stderr, "turnout-admin: capacity must be a number from 0 to"
			    " 1000000 or \"unlimited\"\n");
			return 1;
		}
	}
	db = open_ready(cfg);
	a = arena_new();
	rc = event_set_capacity(db, a, args[0], n);
	arena_free(a);
	db_close(db);
	if (rc == DB_NOTFOUND)
		fprintf(stderr, "turnout-admin: no event with the slug \"%s\"\n", args[0]);
	else if (rc != DB_OK)
		fprintf(stderr, "turnout-admin: could not change the capacity\n");
	else
		printf("capacity of %s is now %s\n", args[0], args[1]);
	return rc == DB_OK ? 0 : 1;
}

/* The index of s in names[0..n), or -1. */
static int name_index(const char *s, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* compete SLUG division add NAME | rename NAME NEW | remove NAME */
static int cmd_division(const struct config *cfg, int argc, char **args)
{
	const char *verb = args[2];
	struct competition c;
	struct arena *a;
	struct event e;
	int64_t id = 0;
	struct db *db;
	enum db_rc rc;
	int i, want = strcmp(verb, "rename") == 0 ? 5 : 4;

	if (argc != want || (want == 4 && strcmp(verb, "add") != 0 && strcmp(verb, "remove") != 0))
		usage();
	db = open_ready(cfg);
	a = arena_new();
	if ((rc = event_get(db, a, args[0], &e)) == DB_OK &&
	    (rc = score_competition(db, a, e.id, &c)) == DB_OK) {
		for (i = 0; i < c.ndivisions; i++)
			if (strcmp(c.divisions[i].name, args[3]) == 0)
				id = c.divisions[i].id;
		if (strcmp(verb, "add") == 0)
			rc = score_division_add(db, a, e.id, args[3]);
		else if (id == 0)
			rc = DB_NOTFOUND;
		else
			rc = want == 5 ? score_division_rename(db, e.id, id, args[4]) :
			    score_division_remove(db, e.id, id);
	}
	arena_free(a);
	db_close(db);
	if (rc == DB_OK)
		printf("%s: division %s %s\n", args[0], args[3],
		    want == 5 ? "renamed" : strcmp(verb, "add") == 0 ? "added" : "removed");
	else if (rc == DB_NOTFOUND)
		fprintf(stderr, "turnout-admin: no competition \"%s\" or no division \"%s\""
		    " in it\n", args[0], args[3]);
	else if (rc == DB_CONFLICT)
		fprintf(stderr, "turnout-admin: %s\n", want == 5 ?
		    "another division has that name" : "that division has entries: it stays");
	else if (rc == DB_INVALID)
		fprintf(stderr, "turnout-admin: a division name has 1 to %d characters, and a"
		    " competition at most %d divisions\n", SCORE_DIVISION_MAX, SCORE_DIVISIONS_MAX);
	else
		fprintf(stderr, "turnout-admin: could not change the divisions\n");
	return rc == DB_OK ? 0 : 1;
}

/* compete SLUG KIND RULE ROUNDS [self-scoring] [closed] [unit=U] [DIVISION...] */
static int cmd_compete(const struct config *cfg, int argc, char **args)
{
	struct competition c = { .unit = "" };
	const char **divisions = calloc((size_t)argc, sizeof(*divisions));
	int i, k, nd = 0, rc = 1, kind, rule;
	struct arena *a;
	char *end;
	long rounds;
	struct db *db;

	if (argc >= 3 && strcmp(args[1], "division") == 0) {
		free(divisions);
		return cmd_division(cfg, argc, args);
	}
	if (argc < 4 || divisions == NULL)
		usage();
	kind = name_index(args[1], score_kind_names, SCORE_KIND__MAX);
	rule = name_index(args[2], score_rule_names, SCORE_RULE__MAX);
	rounds = strtol(args[3], &end, 10);
	if (kind < 0 || rule < 0 || *end != '\0' || rounds < 1 || rounds > SCORE_ROUNDS_MAX) {
		fprintf(stderr, "turnout-admin: compete: KIND is points, time or distance; RULE"
		    " best, total or average; ROUNDS 1 to %d\n", SCORE_ROUNDS_MAX);
		free(divisions);
		return 1;
	}
	c.kind = (enum score_kind)kind;
	c.rule = (enum score_rule)rule;
	c.rounds = (int)rounds;
	for (i = 4; i < argc; i++) {
		if (strcmp(args[i], "self-scoring") == 0)
			c.self_scoring = 1;
		else if (strcmp(args[i], "closed") == 0)
			c.closed = 1;
		else if (strncmp(args[i], "unit=", 5) == 0)
			c.unit = args[i] + 5;
		else
			divisions[nd++] = args[i];
	}
	db = open_ready(cfg);
	a = arena_new();
	switch (score_setup(db, a, args[0], &c, divisions, nd)) {
	case DB_OK:
		printf("%s is a competition: %s, %s of up to %d round(s)", args[0], args[1],
		    args[2], c.rounds);
		for (k = 0; k < nd; k++)
			printf("%s%s", k == 0 ? "; divisions: " : ", ", divisions[k]);
		printf("\n");
		rc = 0;
		break;
	case DB_NOTFOUND:
		fprintf(stderr, "turnout-admin: no event with the slug \"%s\"\n", args[0]);
		break;
	case DB_INVALID:
		fprintf(stderr, "turnout-admin: compete: a unit has at most %d characters,"
		    " a division 1 to %d, and at most %d divisions; a drop cannot be a"
		    " competition\n", SCORE_UNIT_MAX, SCORE_DIVISION_MAX, SCORE_DIVISIONS_MAX);
		break;
	case DB_CONFLICT:
		fprintf(stderr, "turnout-admin: compete: %s has scores: its kind, rule and unit"
		    " stay, and its rounds cannot go below the highest round scored\n", args[0]);
		break;
	default:
		fprintf(stderr, "turnout-admin: could not save the competition\n");
	}
	arena_free(a);
	db_close(db);
	free(divisions);
	return rc;
}

/* api-token SLUG LABEL: a new token, printed once; api-token SLUG revoke ID. */
static int cmd_api_token(const struct config *cfg, int argc, char **args)
{
	char tok[SCORE_API_TOKEN_HEX + 1];
	struct competition c;
	struct arena *a;
	struct event e;
	enum db_rc rc;
	struct db *db;
	int replayed;

	if (argc != 2 && !(argc == 3 && strcmp(args[1], "revoke") == 0))
		usage();
	db = open_ready(cfg);
	a = arena_new();
	if ((rc = event_get(db, a, args[0], &e)) == DB_OK &&
	    (rc = score_competition(db, a, e.id, &c)) == DB_OK)
		rc = argc == 2 ? score_token_new(db, e.id, args[1], NULL, NULL, tok, &replayed) :
		    score_token_revoke(db, e.id, strtoll(args[2], NULL, 10));
	arena_free(a);
	db_close(db);
	if (rc == DB_OK && argc == 2)
		printf("%s\n", tok);
	else if (rc == DB_OK)
		printf("revoked\n");
	else if (rc == DB_NOTFOUND)
		fprintf(stderr, "turnout-admin: no competition \"%s\" or no such token\n",
		    args[0]);
	else
		fprintf(stderr, "turnout-admin: could not save the token (a label has 1 to"
		    " 60 characters)\n");
	return rc == DB_OK ? 0 : 1;
}

/* outbox list: counts by state, then one line per dead letter. */
static int outbox_list(struct db *db)
{
	struct arena *a = arena_new();
	int64_t counts[OUTBOX__MAX];
	struct outbox_dead *dead;
	enum db_rc rc;
	int i, n;

	if ((rc = outbox_counts(db, counts)) == DB_OK)
		rc = outbox_dead_list(db, a, &dead, &n);
	if (rc == DB_OK) {
		for (i = 0; i < OUTBOX__MAX; i++)
			printf("%s%s %lld", i ? ", " : "", outbox_state_name((enum outbox_state)i),
			    (long long)counts[i]);
		printf("\n");
		for (i = 0; i < n; i++)
			printf("dead %lld  %s  %s  %s%s  %d attempt(s)  %s\n",
			    (long long)dead[i].id, dead[i].kind, dead[i].recipient,
			    *dead[i].event_slug != '\0' ? "event " : "no event",
			    dead[i].event_slug, dead[i].attempts, dead[i].error);
	}
	arena_free(a);
	return rc == DB_OK ? 0 : 1;
}

static int cmd_outbox(const struct config *cfg, char **args, int nargs)
{
	static const struct outbox_act {
		const char *name;
		int takes_id;
		enum db_rc (*fn)(struct db *, int64_t, int *);
		const char *done;
	} acts[] = {
		{ "retry", 1, outbox_retry, "queued again" },
		{ "retry-all", 0, outbox_retry, "queued again" },
		{ "discard", 1, outbox_discard, "discarded" },
		{ "discard-all", 0, outbox_discard, "discarded" },
	};
	const struct outbox_act *act = NULL;
	long long id = 0;
	struct db *db;
	enum db_rc rc;
	char *end;
	size_t i;
	int n;

	if (nargs == 0 || (nargs == 1 && strcmp(args[0], "list") == 0)) {
		db = open_ready(cfg);
		n = outbox_list(db);
		db_close(db);
		return n;
	}
	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (strcmp(args[0], acts[i].name) == 0 && nargs == 1 + acts[i].takes_id)
			act = &acts[i];
	if (act == NULL ||
	    (act->takes_id && ((id = strtoll(args[1], &end, 10)) <= 0 || *end != '\0')))
		usage();
	db = open_ready(cfg);
	rc = act->fn(db, id, &n);
	db_close(db);
	if (rc == DB_NOTFOUND)
		fprintf(stderr, "turnout-admin: no dead letter%s\n", id ? " with that id" : "s");
	else if (rc != DB_OK)
		fprintf(stderr, "turnout-admin: outbox: the database refused the change\n");
	else
		printf("%d message(s) %s\n", n, act->done);
	return rc == DB_OK ? 0 : 1;
}

static int cmd_demo(const struct config *cfg)
{
	struct db *db = open_ready(cfg);
	enum db_rc rc = demo_load(db);

	db_close(db);
	if (rc == DB_CONFLICT) {
		fprintf(stderr, "turnout-admin: demo data is already loaded\n");
		return 1;
	}
	if (rc != DB_OK) {
		fprintf(stderr, "turnout-admin: demo: could not load the demo data\n");
		return 1;
	}
	printf("loaded the demo events into %s\n", cfg->database);
	return 0;
}

/*
 * Read one line into buf without its newline: from a terminal with echo
 * off after prompt, else from stdin as it comes. Returns 0, or -1 at end of
 * input or for a line longer than the buffer.
 */
static int read_line(const char *prompt, char *buf, size_t len)
{
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO), rc = 0;
	size_t n;

	if (tty) {
		fputs(prompt, stderr);
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (fgets(buf, (int)len, stdin) == NULL)
		rc = -1;
	else if ((n = strcspn(buf, "\n")) == len - 1 && buf[n] != '\n')
		rc = -1;	/* longer than any password we accept */
	else
		buf[n] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	return rc;
}

/* A new password from the terminal (typed twice) or stdin, checked; -1 with a message. */
static int read_password(char *buf, size_t len)
{
	char again[ADMIN_PASSWORD_MAX + 2];
	const char *problem;

	if (read_line("Password: ", buf, len) != 0) {
		fprintf(stderr, "turnout-admin: no password given (or longer than %d"
		    " characters)\n", ADMIN_PASSWORD_MAX);
		return -1;
	}
	if ((problem = admin_user_password_problem(buf)) != NULL) {
		fprintf(stderr, "turnout-admin: %s\n", problem);
		return -1;
	}
	if (isatty(STDIN_FILENO) && (read_line("Again: ", again, sizeof(again)) != 0 ||
	    strcmp(buf, again) != 0)) {
		fprintf(stderr, "turnout-admin: the passwords differ\n");
		return -1;
	}
	sodium_memzero(again, sizeof(again));
	return 0;
}

/* Why an account change was refused: name is the last admin who can log in. */
static void last_admin(const char *name)
{
	fprintf(stderr, "turnout-admin: %s is the last admin who can log in: add another"
	    " admin first\n", name);
}

/* user disable|enable NAME */
static int user_disable(const struct config *cfg, const char *verb, const char *name)
{
	struct db *db = open_ready(cfg);
	enum db_rc rc = admin_user_disable(db, name, strcmp(verb, "disable") == 0);

	db_close(db);
	if (rc == DB_OK)
		printf("%s: %sd%s\n", name, verb, strcmp(verb, "disable") == 0 ?
		    " (logged out everywhere)" : "");
	else if (rc == DB_NOTFOUND)
		fprintf(stderr, "turnout-admin: there is no admin named %s\n", name);
	else if (rc == DB_CONFLICT)
		last_admin(name);
	else
		fprintf(stderr, "turnout-admin: user %s: could not change the database\n", verb);
	return rc == DB_OK ? 0 : 1;
}

/* turnout-admin user add|passwd|del NAME, user list. */
/* user role NAME ROLE, user assign|unassign NAME SLUG. */
static int user_rights(const struct config *cfg, int argc, char **args)
{
	const char *verb = args[0];
	struct db *db;
	enum db_rc rc;
	int role = -1;

	if (argc != 3)
		usage();
	if (strcmp(verb, "role") == 0 &&
	    (role = name_index(args[2], admin_role_names, ADMIN_ROLE__MAX)) < 0) {
		fprintf(stderr, "turnout-admin: a role is admin, organiser or scorekeeper\n");
		return 1;
	}
	db = open_ready(cfg);
	rc = role >= 0 ? admin_user_set_role(db, args[1], (enum admin_role)role) :
	    admin_user_assign(db, args[1], args[2], strcmp(verb, "assign") == 0);
	db_close(db);
	if (rc == DB_OK)
		printf("%s: %s %s\n", args[1], verb, args[2]);
	else if (rc == DB_NOTFOUND)
		fprintf(stderr, "turnout-admin: no admin %s%s\n", args[1], role >= 0 ? "" :
		    ", no competition with that slug, or not assigned to it");
	else if (rc == DB_CONFLICT)
		last_admin(args[1]);
	else
		fprintf(stderr, "turnout-admin: user %s: could not change the database\n", verb);
	return rc == DB_OK ? 0 : 1;
}

static int cmd_user(const struct config *cfg, int argc, char **args)
{
	char password[ADMIN_PASSWORD_MAX + 2];
	const char *verb = args[0], *name = argc > 1 ? args[1] : "", *done;
	struct admin_user *list;
	struct arena *a;
	struct db *db;
	enum db_rc rc;
	int i, n, role = ADMIN_ROLE_ADMIN, replayed;

	if (argc == 1 && strcmp(verb, "list") == 0) {
		db = open_ready(cfg);
		a = arena_new();
		if ((rc = admin_user_list(db, a, &list, &n)) == DB_OK)
			for (i = 0; i < n; i++) {
				char when[32], last[32] = "never";
				time_t t = (time_t)list[i].created_at, l = list[i].last_login_at;

				strftime(when, sizeof(when), "%Y-%m-%d %H:%M", localtime(&t));
				if (l != 0)
					strftime(last, sizeof(last), "%Y-%m-%d %H:%M", localtime(&l));
				printf("%-24s %-11s created %s, last login %s, %d session(s)%s\n",
				    list[i].name, admin_role_names[list[i].role], when, last,
				    list[i].sessions, list[i].disabled_at != 0 ? ", disabled" : "");
			}
		arena_free(a);
		db_close(db);
		return rc == DB_OK ? 0 : 1;
	}
	if (strcmp(verb, "role") == 0 || strcmp(verb, "assign") == 0 ||
	    strcmp(verb, "unassign") == 0)
		return user_rights(cfg, argc, args);
	if (argc == 2 && (strcmp(verb, "disable") == 0 || strcmp(verb, "enable") == 0))
		return user_disable(cfg, verb, name);
	if (argc == 4 && strcmp(verb, "add") == 0 && strcmp(args[2], "--role") == 0) {
		if ((role = name_index(args[3], admin_role_names, ADMIN_ROLE__MAX)) < 0) {
			fprintf(stderr, "turnout-admin: a role is admin, organiser or"
			    " scorekeeper\n");
			return 1;
		}
		argc = 2;
	}
	if (argc != 2 || (strcmp(verb, "add") != 0 && strcmp(verb, "passwd") != 0 &&
	    strcmp(verb, "del") != 0))
		usage();
	if (!admin_user_name_valid(name)) {
		fprintf(stderr, "turnout-admin: a name is 1 to %d of a-z, 0-9, '.', '_' and"
		    " '-'\n", ADMIN_NAME_MAX);
		return 1;
	}
	if (strcmp(verb, "del") != 0 && read_password(password, sizeof(password)) != 0)
		return 1;
	db = open_ready(cfg);
	if (strcmp(verb, "add") == 0) {
		rc = admin_user_add(db, name, password, (enum admin_role)role, NULL, &replayed);
		done = "added";
	} else if (strcmp(verb, "passwd") == 0) {
		rc = admin_user_passwd(db, name, password);
		done = "has a new password (and is logged out everywhere)";
	} else {
		rc = admin_user_del(db, name);
		done = "deleted";
	}
	sodium_memzero(password, sizeof(password));
	db_close(db);
	if (rc == DB_OK)
		printf("admin %s %s\n", name, done);
	else if (rc == DB_CONFLICT && strcmp(verb, "add") == 0)
		fprintf(stderr, "turnout-admin: there is already an admin named %s\n", name);
	else if (rc == DB_CONFLICT)
		last_admin(name);
	else if (rc == DB_NOTFOUND)
		fprintf(stderr, "turnout-admin: there is no admin named %s\n", name);
	else
		fprintf(stderr, "turnout-admin: user %s: could not change the database\n", verb);
	return rc == DB_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(const struct config *);
	} cmds[] = {
		{ "init", cmd_init }, { "migrate", cmd_migrate }, { "demo", cmd_demo },
		{ "status", cmd_status }, { "watch", cmd_watch },
	};
	const char *conf = NULL;
	struct config cfg;
	char err[512];
	size_t i;
	int opt;

	/* Options come before the command ("+"): user add NAME --role ... is the command's. */
	while ((opt = getopt(argc, argv, "+c:")) != -1) {
		if (opt != 'c')
			usage();
		conf = optarg;
	}
	if (optind == argc)
		usage();
	if (config_load(&cfg, conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "turnout-admin: configuration: %s\n", err);
		return 1;
	}
	config_private_files(&cfg, conf);
	if (strcmp(argv[optind], "capacity") == 0 && argc - optind == 3)
		return cmd_capacity(&cfg, argv + optind + 1);
	if (strcmp(argv[optind], "outbox") == 0 && argc - optind <= 3)
		return cmd_outbox(&cfg, argv + optind + 1, argc - optind - 1);
	if (strcmp(argv[optind], "compete") == 0)
		return cmd_compete(&cfg, argc - optind - 1, argv + optind + 1);
	if (strcmp(argv[optind], "backup") == 0 && argc - optind >= 2)
		return cmd_backup(&cfg, argc - optind - 1, argv + optind + 1);
	if (strcmp(argv[optind], "restore") == 0 && argc - optind == 2)
		return cmd_restore(&cfg, argv[optind + 1]);
	if (strcmp(argv[optind], "api-token") == 0)
		return cmd_api_token(&cfg, argc - optind - 1, argv + optind + 1);
	if (strcmp(argv[optind], "user") == 0 && argc - optind >= 2) {
		if (admin_user_init((size_t)cfg.password_memory_kib * 1024) != 0) {
			fprintf(stderr, "turnout-admin: cannot initialise libsodium or hash a"
			    " password (password_memory_kib too large?)\n");
			return 1;
		}
		return cmd_user(&cfg, argc - optind - 1, argv + optind + 1);
	}
	for (i = 0; argc - optind == 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[optind], cmds[i].name) == 0)
			return cmds[i].fn(&cfg);
	usage();
}
