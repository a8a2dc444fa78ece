#ifndef TURNOUT_MAIL_H
#define TURNOUT_MAIL_H

#include <stdint.h>

#include "arena.h"

/*
 * One e-mail (RFC 5322, UTF-8): plain text with its lines wrapped at 72
 * characters, and beside it, when given, the same message as HTML
 * (multipart/alternative). Every header is built here from checked values only: addresses must pass mail_addr_valid(), the subject
 * and display name are one line (RFC 2047 encoded when not plain ASCII),
 * so nothing a visitor typed can add a header or a recipient.
 */
struct mail {
	const char *from_name;		/* display name of From: the site's name */
	const char *from, *to;		/* bare addresses */
	const char *reply_to;		/* where replies go (the organiser), or NULL */
	/* Rendered template: the subject line, a blank line, the body (LF ends). */
	const char *text;
	/* The same message as HTML (mail_html), or NULL: plain text only. */
	const char *html;
	int64_t date;			/* unix seconds */
	/*
	 * Message-ID is made from the outbox row (id, created_at) and the
	 * sender's domain: a message sent twice (at-least-once delivery)
	 * keeps its Message-ID, so mail programs can show it once.
	 */
	int64_t id, created_at;
};

/*
 * The whole message with CRLF line ends, in a; NULL with the reason in
 * *err if a field is unusable (a permanent failure: retrying cannot help).
 */
char *mail_build(struct arena *a, const struct mail *m, const char **err);

/*
 * The message text (as struct mail's) as a simple accessible HTML page
 * from templates/mail/html.tpl (loaded beside the text templates): its
 * paragraphs and lines kept, the site's own addresses (those starting
 * with site_url) made links, everything else escaped: a web address a
 * visitor typed into their name stays text. NULL if the template cannot
 * be rendered (then send text only).
 */
const char *mail_html(struct arena *a, const char *text, const char *site_url);

/*
 * 1 if s is an address we put in a header or an SMTP envelope: one '@'
 * with text on both sides, at most 254 bytes, no space, control
 * character or any of "(),:;<>[\].
 */
int mail_addr_valid(const char *s);

/*
 * What is wrong with s as a person's address, by the rule of the RSVP
 * form (stricter than mail_addr_valid: a dot in the domain), in words
 * for that person; NULL if nothing. The site's admins' addresses
 * (alert_to) meet the same rule.
 */
const char *mail_addr_problem(const char *s);

/* s with every control character (CR, LF, tab...) replaced by a space, in a. */
const char *mail_one_line(struct arena *a, const char *s);

/*
 * An unstructured header value: s itself if plain printable ASCII, else
 * RFC 2047 "=?UTF-8?B?...?=" words of at most 75 characters, whole UTF-8
 * characters each, folded with CRLF SP. s must be one line.
 */
const char *mail_encode_words(struct arena *a, const char *s);

#endif
