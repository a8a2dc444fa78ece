#ifndef TURNOUT_HANDLERS_H
#define TURNOUT_HANDLERS_H

#include "app.h"
#include "event.h"

/*
 * Handlers: the request layer has validated encoding, the router the path
 * captures; a handler validates its fields, calls one domain function and
 * renders one page. Each returns the HTTP status.
 */
typedef int (*handler_fn)(struct req *r, struct app *app);

int h_home(struct req *r, struct app *app);
int h_healthz(struct req *r, struct app *app);
int h_event(struct req *r, struct app *app);
int h_event_live(struct req *r, struct app *app);
int h_event_status(struct req *r, struct app *app);
int h_event_waitlist(struct req *r, struct app *app);
int h_rsvp_create(struct req *r, struct app *app);
int h_rsvp_show(struct req *r, struct app *app);
int h_rsvp_change(struct req *r, struct app *app);
int h_rsvp_resend(struct req *r, struct app *app);

/* What the visitor typed into the RSVP form, to show it again. */
struct rsvp_form {
	const char *name, *email, *note, *error;
	int guests;
	int offer_resend;	/* the address has an RSVP: offer "e-mail me my link" */
};

/* The event page with its RSVP form (filled from form if not NULL). */
int event_page(struct req *r, struct app *app, const struct event *e, int status,
    const struct rsvp_form *form);

/* A db_rc that is not DB_OK or DB_NOTFOUND, as an HTTP status. */
int db_status(enum db_rc rc);

#endif
