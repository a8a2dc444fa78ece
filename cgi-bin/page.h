#ifndef TURNOUT_PAGE_H
#define TURNOUT_PAGE_H

#include <stdint.h>

#include "app.h"
#include "event.h"
#include "tpl.h"

/*
 * An HTML page: layout.tpl around one page template. Fill `body` (the
 * page template's dictionary; it also sees the layout's values), then
 * page_end() renders it into the response.
 */
struct page {
	struct tpl_dict *root, *body;
};

/* Every template the pages are made of (NULL-terminated): see tpl_init(). */
extern const char *const page_templates[];

void page_begin(struct page *p, struct req *r, struct app *app, const char *title,
    const char *file);
/* Render into r's body (the request's arena frees the dictionaries). Returns status, or 500. */
int page_end(struct page *p, struct req *r, int status);

/*
 * Make p reload itself every `seconds` (a screen at the door), saying so
 * at the top with a link to pause it: the same page with ?refresh=off
 * (the route takes F_REFRESH), which does not reload and links back.
 */
void page_refresh(struct page *p, struct req *r, int seconds);

/* Answer 303 See Other to location (a path of this site). Returns 303. */
int page_redirect(struct req *r, const char *location);

/* Render a non-HTML template (e.g. JSON) into r's body. */
int page_data(struct req *r, const char *file, struct tpl_dict *d,
    const char *content_type);

/*
 * Give a JSON document that changes with version an exact ETag and a
 * microcache lifetime ending with this second, plus one second in which
 * nginx may answer it while refreshing it. Returns 1 when the client's
 * copy is current: answer 304.
 */
int page_etag(struct req *r, int64_t version);

/* This site's absolute URL for path, from the request's scheme and Host. */
const char *page_url(struct req *r, const char *path);

/*
 * What a visitor can do about an event at a time, each shown differently:
 * sign up (places left, or few), join the waitlist, nothing (sign-ups
 * closed or not open yet), and events that are over or cancelled.
 */
enum page_state {
	PAGE_AVAILABLE, PAGE_FEW, PAGE_WAITLIST, PAGE_CLOSED, PAGE_ENDED, PAGE_CANCELLED,
	PAGE_STATE__MAX
};

enum page_state page_state(const struct event *e, int64_t now);
/* The state's CSS class suffix: "available", "few", "waitlist"... */
const char *page_state_class(enum page_state s);

/* The label of an event's places: "12 spots left of 50", "Full: join the waitlist"... */
const char *page_spots(struct arena *a, const struct event *e, int64_t now);

/*
 * What is wrong with a submitted form, field by field (GOV.UK's pattern):
 * an error summary at the top of the form linking to each field, and each
 * field marked and its message beside it.
 */
#define PAGE_ERRORS_MAX 16
struct page_errors {
	int n;
	struct {
		const char *field;	/* the input's id: "name", "bring-12" */
		const char *message;
	} e[PAGE_ERRORS_MAX];
};

/* Add message for field (an input's id); nothing if message is NULL. */
void page_errors_add(struct page_errors *pe, const char *field, const char *message);

/* The message for field, or NULL. */
const char *page_errors_find(const struct page_errors *pe, const char *field);

/*
 * Show pe on page p (nothing if it is empty): "Error: " before the title
 * (title), the summary (errors.tpl) at {{>ERRORS}} of form, and for each
 * field a section of form named after its id ("name" -> NAME_ERROR,
 * "bring-12" not: such fields read page_errors_find()) with MESSAGE.
 */
void page_errors_show(struct page *p, struct arena *a, struct tpl_dict *form,
    const char *title, const struct page_errors *pe);

/*
 * A status only handlers and page_error() see: the disk is full. The
 * visitor gets 503 with Retry-After and a page saying nothing could be
 * saved, not the busy page.
 */
#define STATUS_NO_SPACE 507

/*
 * The HTTP status of a domain outcome: the one place they are mapped
 * (DB_NOTFOUND 404, DB_CONFLICT 409, DB_FULL and DB_CLOSED 422,
 * DB_INVALID 400, DB_BUSY 503, DB_NOSPACE STATUS_NO_SPACE, DB_UNSYNCED 503,
 * DB_ERROR 500).
 * Handlers choose the words.
 */
int db_status(enum db_rc rc);

/*
 * The error page for status, saying r->error if set (or a default for the
 * status) and what the visitor can do. Returns the status to send (503
 * for STATUS_NO_SPACE, else status).
 */
int page_error(struct req *r, struct app *app, int status);

/*
 * Set the values every event summary shows: SLUG, TITLE, LOCATION, WHEN
 * (naming the zone), WHEN_ISO, SPOTS and STATE (page_state_class()).
 */
void page_event_summary(struct tpl_dict *d, struct arena *a, const struct event *e,
    int64_t now);

#endif
