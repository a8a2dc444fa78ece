#ifndef TURNOUT_LOG_H
#define TURNOUT_LOG_H

/*
 * One line per event to stderr, which nginx, systemd or the serve script
 * collect: "turnout[pid]: message", with " [request ID]" at the end while a
 * request is served. Messages are lower case, no full stop.
 */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Something works but is unsafe and needs the admin: "warning: ..." */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * The request being served: nginx's $request_id (32 hex digits), added to
 * every line until the next call, so that a line can be matched with the
 * access log's. NULL or anything else: none.
 */
void log_request(const char *id);
/* Logs and exits the process with status 1. */
void log_fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#endif
