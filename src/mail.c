#include <string.h>
#include <time.h>

#include <sodium.h>

#include "mail.h"

#define LINE_MAX_OCTETS 998	/* RFC 5322 2.1.1, without the CRLF */
#define WORD_CHUNK 45		/* bytes per encoded word: 60 base64 characters */

static int is_control(unsigned char c)
{
	return c < ' ' || c == 0x7f;
}

int mail_addr_valid(const char *s)
{
	const char *at = strchr(s, '@'), *p;

	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL ||
	    strlen(s) > 254)
		return 0;
	for (p = s; *p != '\0'; p++)
		if (is_control((unsigned char)*p) || *p == ' ' ||
		    strchr("\"(),:;<>[\\]", *p) != NULL)
			return 0;
	return 1;
}

const char *mail_one_line(struct arena *a, const char *s)
{
	char *out = arena_strdup(a, s), *p;

	for (p = out; *p != '\0'; p++)
		if (is_control((unsigned char)*p))
			*p = ' ';
	return out;
}

/* 1 if s is printable ASCII only: it may go into a header as it is. */
static int plain_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < ' ' || (unsigned char)*s > '~')
			return 0;
	return 1;
}

const char *mail_encode_words(struct arena *a, const char *s)
{
	char b64[sodium_base64_ENCODED_LEN(WORD_CHUNK, sodium_base64_VARIANT_ORIGINAL)];
	size_t len = strlen(s), n;
	const char *out = "";

	if (plain_ascii(s))
		return s;
	while (len > 0) {
		n = len < WORD_CHUNK ? len : WORD_CHUNK;
		/* Back up to the start of a character: never split one. */
		while (n < len && n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)s, n,
		    sodium_base64_VARIANT_ORIGINAL);
		out = arena_printf(a, "%s%s=?UTF-8?B?%s?=", out, *out ? "\r\n " : "", b64);
		s += n;
		len -= n;
	}
	return out;
}

/*
 * A display name as an RFC 5322 phrase: atoms as they are, other ASCII
 * as a quoted string, anything else as encoded words. s is one line.
 */
static const char *phrase(struct arena *a, const char *s)
{
	const char *p;
	char *out, *o;

	for (p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(" !#$%&'*+-/=?^_`{|}~", *p) != NULL))
			break;
	if (*p == '\0')
		return s;
	if (!plain_ascii(s))
		return mail_encode_words(a, s);
	o = out = arena_alloc(a, 2 * strlen(s) + 3);
	*o++ = '"';
	for (p = s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

/* RFC 5322 date in UTC; day and month names fixed, whatever the locale. */
static const char *rfc5322_date(struct arena *a, int64_t t)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	return arena_printf(a, "%s, %02d %s %d %02d:%02d:%02d +0000", days[tm.tm_wday],
	    tm.tm_mday, months[tm.tm_mon], 1900 + tm.tm_year, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
}

/* The body with CRLF line ends; NULL if a line is too long for SMTP. */
static char *crlf_body(struct arena *a, const char *body)
{
	char *out = arena_alloc(a, 2 * strlen(body) + 3), *o = out;
	size_t line = 0;

	for (; *body != '\0'; body++) {
		if (*body == '\r')
			continue;
		if (*body == '\n') {
			*o++ = '\r';
			*o++ = '\n';
			line = 0;
			continue;
		}
		if (++line > LINE_MAX_OCTETS)
			return NULL;
		*o++ = *body;
	}
	if (o == out || o[-1] != '\n') {
		*o++ = '\r';
		*o++ = '\n';
	}
	*o = '\0';
	return out;
}

char *mail_build(struct arena *a, const struct mail *m, const char **err)
{
	const char *nl = strchr(m->text, '\n'), *p;
	char *subject, *body;

	if (!mail_addr_valid(m->from) || !mail_addr_valid(m->to)) {
		*err = "invalid sender or recipient address";
		return NULL;
	}
	if (nl == NULL || nl[1] != '\n') {
		*err = "template: the subject must be one line followed by a blank line";
		return NULL;
	}
	subject = arena_strndup(a, m->text, (size_t)(nl - m->text));
	for (p = subject; *p != '\0'; p++)
		if (is_control((unsigned char)*p)) {
			*err = "template: control character in the subject";
			return NULL;
		}
	if (*subject == '\0' || (body = crlf_body(a, nl + 2)) == NULL) {
		*err = "template: empty subject or a body line longer than 998 bytes";
		return NULL;
	}
	return arena_printf(a,
	    "Date: %s\r\n"
	    "From: %s <%s>\r\n"
	    "To: <%s>\r\n"
	    "Subject: %s\r\n"
	    "Message-ID: <turnout.%lld.%lld@%s>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "\r\n%s",
	    rfc5322_date(a, m->date), phrase(a, mail_one_line(a, m->from_name)), m->from,
	    m->to, mail_encode_words(a, subject), (long long)m->id,
	    (long long)m->created_at, strchr(m->from, '@') + 1, body);
}
