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
int h_admin_login_form(struct req *r, struct app *app);
int h_admin_login(struct req *r, struct app *app);
int h_admin_logout(struct req *r, struct app *app);
int h_admin_home(struct req *r, struct app *app);
int h_admin_event_new_form(struct req *r, struct app *app);
int h_admin_event_create(struct req *r, struct app *app);
int h_admin_event_edit_form(struct req *r, struct app *app);
int h_admin_event_update(struct req *r, struct app *app);
int h_admin_rsvps(struct req *r, struct app *app);
int h_admin_rsvps_change(struct req *r, struct app *app);
int h_admin_rsvps_csv(struct req *r, struct app *app);
int h_admin_stats(struct req *r, struct app *app);
int h_event_ics(struct req *r, struct app *app);

/* What the visitor typed into the RSVP form, to show it again. */
struct rsvp_form {
	const char *name, *email, *note, *error;
	int guests;
};

/* The event page with its RSVP form (filled from form if not NULL). */
int event_page(struct req *r, struct app *app, const struct event *e, int status,
    const struct rsvp_form *form);

struct page;
/*
 * Start an admin page (r->session set): the layout's admin bar with the
 * admin's name and logout button, and CSRF in the body for its forms.
 */
void admin_page_begin(struct page *p, struct req *r, struct app *app, const char *title,
    const char *file);

/* A db_rc that is not DB_OK or DB_NOTFOUND, as an HTTP status. */
int db_status(enum db_rc rc);

#endif
