#include <string.h>
#include <time.h>

#include <sodium.h>

#include "mail.h"

#define LINE_MAX_OCTETS 998	/* RFC 5322 2.1.1, without the CRLF */
#define WRAP_AT 72		/* characters per line of the text part */
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

const char *mail_addr_problem(const char *s)
{
	const char *at = strchr(s, '@'), *p;

	if (strlen(s) > 254)
		return "That e-mail address is too long.";
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || strchr("\"(),:;<>[\\]", *p) != NULL)
			return "An e-mail address cannot contain spaces, line breaks or"
			    " any of \" ( ) , : ; < > [ \\ ].";
	if (at == NULL || at == s || strchr(at + 1, '@') != NULL ||
	    strchr(at + 1, '.') == NULL || at[1] == '.' || s[strlen(s) - 1] == '.')
		return "That does not look like an e-mail address (name@example.org).";
	return NULL;
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

/* The characters (UTF-8 code points) in s[0..n). */
static size_t chars(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

/*
 * body with every line longer than WRAP_AT characters broken at spaces,
 * as mail programs show plain text best; a word longer than that (a
 * link) keeps its line whole. A list item's ("- ") next lines are indented.
 */
static char *wrap(struct arena *a, const char *body)
{
	char *out = arena_alloc(a, 2 * strlen(body) + 1), *o = out;
	const char *p = body, *eol, *cut, *q;
	size_t indent, room;

	while (*p != '\0') {
		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		indent = strncmp(p, "- ", 2) == 0 ? 2 : 0;
		room = WRAP_AT;
		while (chars(p, (size_t)(eol - p)) > room) {
			/* The last space that leaves at most `room` characters before it, */
			cut = NULL;
			for (q = p + 1; q < eol && chars(p, (size_t)(q - p)) <= room; q++)
				if (*q == ' ')
					cut = q;
			/* else the first space after a word too long for a line. */
			if (cut == NULL && (cut = memchr(p + 1, ' ', (size_t)(eol - p - 1))) == NULL)
				break;
			memcpy(o, p, (size_t)(cut - p));
			o += cut - p;
			*o++ = '\n';
			memset(o, ' ', indent);
			o += indent;
			room = WRAP_AT - indent;
			p = cut + 1;
		}
		memcpy(o, p, (size_t)(eol - p));
		o += eol - p;
		if (*eol == '\n')
			*o++ = '\n';
		p = *eol == '\n' ? eol + 1 : eol;
	}
	*o = '\0';
	return out;
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

/*
 * A boundary between the parts that neither contains: random, so no one
 * can type it into a name to split the message.
 */
static const char *boundary(struct arena *a, const char *text, const char *html)
{
	unsigned char r[12];
	char hex[2 * sizeof(r) + 1];
	const char *b;

	do {
		randombytes_buf(r, sizeof(r));
		sodium_bin2hex(hex, sizeof(hex), r, sizeof(r));
		b = arena_printf(a, "=_turnout_%s", hex);
	} while (strstr(text, b) != NULL || strstr(html, b) != NULL);
	return b;
}

char *mail_build(struct arena *a, const struct mail *m, const char **err)
{
	const char *nl = strchr(m->text, '\n'), *p, *type, *b;
	char *subject, *body, *html = NULL;

	if (!mail_addr_valid(m->from) || !mail_addr_valid(m->to) ||
	    (m->reply_to != NULL && !mail_addr_valid(m->reply_to))) {
		*err = "invalid sender, recipient or reply-to address";
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
	if (*subject == '\0' || (body = crlf_body(a, wrap(a, nl + 2))) == NULL) {
		*err = "template: empty subject or a body line longer than 998 bytes";
		return NULL;
	}
	/* An HTML line too long for SMTP (much escaping) leaves the text alone. */
	if (m->html != NULL)
		html = crlf_body(a, m->html);
	type = "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n";
	if (html != NULL) {
		b = boundary(a, body, html);
		body = arena_printf(a, "--%s\r\n%s\r\n%s--%s\r\n"
		    "Content-Type: text/html; charset=UTF-8\r\n"
		    "Content-Transfer-Encoding: 8bit\r\n\r\n%s--%s--\r\n",
		    b, type, body, b, html, b);
		type = arena_printf(a, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n",
		    b);
	}
	return arena_printf(a,
	    "Date: %s\r\n"
	    "From: %s <%s>\r\n"
	    "To: <%s>\r\n"
	    "%s"
	    "Subject: %s\r\n"
	    "Message-ID: <turnout.%lld.%lld@%s>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "%s"
	    "Auto-Submitted: auto-generated\r\n"
	    "\r\n%s",
	    rfc5322_date(a, m->date), phrase(a, mail_one_line(a, m->from_name)), m->from,
	    m->to, m->reply_to != NULL ? arena_printf(a, "Reply-To: <%s>\r\n", m->reply_to) : "",
	    mail_encode_words(a, subject), (long long)m->id,
	    (long long)m->created_at, strchr(m->from, '@') + 1, type, body);
}
