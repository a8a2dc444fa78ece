#ifndef TURNOUT_TRANSPORT_H
#define TURNOUT_TRANSPORT_H

#include <stddef.h>

#include "config.h"

/* How a delivery went: only SEND_OK lets the outbox mark a message sent. */
enum send_rc {
	SEND_OK,
	SEND_TEMP,	/* try again later (4xx, connection refused, timeout, ...) */
	SEND_PERM,	/* refused for good (SMTP 5xx): the message is dead */
	SEND_NOSPACE	/* our own disk is full (maildir): no fault of the message */
};

/*
 * The configured way out of the machine (mail_transport): smtp (libcurl,
 * STARTTLS and login as configured), sendmail (the local MTA's
 * `sendmail -t -i`, /usr/sbin/sendmail by default) or maildir (each message a file in maildir/new,
 * for a site without a mail server).
 */
struct transport;

/*
 * Set the transport up (create the maildir, read the SMTP password file).
 * timeout bounds one delivery in seconds. Returns NULL with the reason in
 * err; free with transport_free().
 */
struct transport *transport_new(const struct config *c, int timeout, char *err,
    size_t errlen);
void transport_free(struct transport *t);

/*
 * Hand the message msg (CRLF line ends, headers included) for rcpt over.
 * On failure err gets a one-line reason for the dead-letter list. An
 * accepted message may not be durable until transport_flush().
 */
enum send_rc transport_send(struct transport *t, const char *rcpt, const char *msg,
    char *err, size_t errlen);

/*
 * Make every message accepted since the last flush durable: for the
 * maildir one flush of its file system for all of them; smtp and
 * sendmail have nothing to do (the peer took responsibility on
 * accepting). 0, or -1 with the reason in err: those messages may be
 * lost and must be sent again.
 */
int transport_flush(struct transport *t, char *err, size_t errlen);

#endif
