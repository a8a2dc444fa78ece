#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static char request_id[33];	/* "" outside a request */

void log_request(const char *id)
{
	size_t n = id != NULL ? strspn(id, "0123456789abcdef") : 0;

	if (n == 0 || n >= sizeof(request_id) || id[n] != '\0')
		n = 0;
	memcpy(request_id, id != NULL ? id : "", n);
	request_id[n] = '\0';
}

static __attribute__((format(printf, 2, 0))) void vlog(const char *level, const char *fmt,
    va_list ap)
{
	char msg[1024];

	/* One write per line so lines from several workers never interleave. */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "turnout[%ld]: %s%s%s%s%s\n", (long)getpid(), level, msg,
	    *request_id != '\0' ? " [request " : "", request_id, *request_id != '\0' ? "]" : "");
	fflush(stderr);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("error: ", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warning: ", fmt, ap);
	va_end(ap);
}

void log_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("fatal: ", fmt, ap);
	va_end(ap);
	exit(1);
}
