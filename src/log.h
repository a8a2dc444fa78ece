#ifndef TURNOUT_LOG_H
#define TURNOUT_LOG_H

/*
 * One line per event to stderr, which nginx, systemd or the serve script
 * collect: "turnout[pid]: message". Messages are lower case, no full stop.
 */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Something works but is unsafe and needs the admin: "warning: ..." */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Logs and exits the process with status 1. */
void log_fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#endif
