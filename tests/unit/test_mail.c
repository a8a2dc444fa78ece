/*
 * Building e-mails: headers, RFC 2047 subjects, CRLF, no header injection,
 * and the HTML part made from the text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "arena.h"
#include "mail.h"
#include "tpl.h"

static struct mail sample(void)
{
	struct mail m = {
		.from_name = "Turnout", .from = "events@example.org", .to = "ann@example.org",
		.text = "You're confirmed: Run\n\nHello Ann,\n.dot line\n",
		.date = 1800000000, .id = 42, .created_at = 1799999999,
	};
	return m;
}

static void test_headers_and_crlf(void **state)
{
	struct arena *a = arena_new();
	struct mail m = sample();
	const char *err = NULL, *p;
	char *msg = mail_build(a, &m, &err);

	(void)state;
	assert_non_null(msg);
	assert_non_null(strstr(msg, "Date: Fri, 15 Jan 2027 08:00:00 +0000\r\n"));
	assert_non_null(strstr(msg, "\r\nFrom: Turnout <events@example.org>\r\n"));
	assert_non_null(strstr(msg, "\r\nTo: <ann@example.org>\r\n"));
	assert_non_null(strstr(msg, "\r\nSubject: You're confirmed: Run\r\n"));
	assert_non_null(strstr(msg, "\r\nMessage-ID: <turnout.42.1799999999@example.org>\r\n"));
	assert_non_null(strstr(msg, "Content-Type: text/plain; charset=UTF-8\r\n"));
	/* Headers end at the first blank line; the body follows, CRLF throughout. */
	assert_non_null(strstr(msg, "8bit\r\nAuto-Submitted: auto-generated\r\n\r\nHello Ann,"
	    "\r\n.dot line\r\n"));
	for (p = msg; (p = strchr(p, '\n')) != NULL; p++)
		assert_int_equal(p[-1], '\r');
	arena_free(a);
}

static void test_encoded_subject_and_name(void **state)
{
	struct arena *a = arena_new();
	struct mail m = sample();
	const char *err = NULL, *w;
	char long_title[400] = "Grüße: ";
	char *msg;
	size_t i;

	(void)state;
	m.from_name = "Café, \"Zürich\"";
	m.text = "Confirmed: Fête de la musique\n\nbody\n";
	assert_non_null(msg = mail_build(a, &m, &err));
	assert_non_null(strstr(msg, "\r\nFrom: =?UTF-8?B?Q2Fmw6ksICJaw7xyaWNoIg==?="
	    " <events@example.org>\r\n"));
	assert_non_null(strstr(msg, "\r\nSubject: =?UTF-8?B?Q29uZmlybWVkOiBGw6p0ZSBkZSBsYSBtdXNpcXVl?=\r\n"));
	m.from_name = "Chess club, Berlin";
	assert_non_null(msg = mail_build(a, &m, &err));
	assert_non_null(strstr(msg, "\r\nFrom: \"Chess club, Berlin\" <events@example.org>\r\n"));
	/* Long non-ASCII subjects: folded words of at most 75 characters,
	 * each holding whole UTF-8 characters. */
	for (i = 0; i < 60; i++)
		strcat(long_title, "ü");
	w = mail_encode_words(a, long_title);
	assert_non_null(strstr(w, "?=\r\n =?UTF-8?B?"));
	for (; w != NULL; w = strstr(w, "\r\n ")) {
		const char *end = strstr(w + 1, "?=");

		w += w[0] == '\r' ? 3 : 0;
		assert_true(end - w + 2 <= 75);
	}
	assert_string_equal(mail_encode_words(a, "plain ascii"), "plain ascii");
	arena_free(a);
}

/* Nothing a visitor typed can add a header or a recipient. */
static void test_header_injection(void **state)
{
	struct arena *a = arena_new();
	struct mail m = sample();
	const char *err = NULL;

	(void)state;
	m.to = "ann@example.org\r\nBcc: victim@example.org";
	assert_null(mail_build(a, &m, &err));
	assert_non_null(strstr(err, "address"));
	m = sample();
	m.to = "ann@example.org>, <victim@example.org";
	assert_null(mail_build(a, &m, &err));
	m = sample();
	m.from_name = "Site\r\nBcc: victim@example.org";
	assert_non_null(strstr(mail_build(a, &m, &err),
	    "From: \"Site  Bcc: victim@example.org\" <"));
	/* A subject line must be followed by the blank line: a name with a
	 * line break in it could never pass as a header. */
	m = sample();
	m.text = "Hi\nBcc: victim@example.org\n\nbody";
	assert_null(mail_build(a, &m, &err));
	m.text = "Hi\tthere\n\nbody";
	assert_null(mail_build(a, &m, &err));
	assert_string_equal(mail_one_line(a, "a\r\nb\tc"), "a  b c");
	arena_free(a);
}

static void test_addresses_and_lines(void **state)
{
	struct arena *a = arena_new();
	struct mail m = sample();
	const char *err = NULL;
	char body[1100];

	(void)state;
	assert_true(mail_addr_valid("a.b+c@example.org"));
	assert_true(mail_addr_valid("jörg@example.org"));
	assert_false(mail_addr_valid("@example.org"));
	assert_false(mail_addr_valid("a@"));
	assert_false(mail_addr_valid("a@b@c"));
	assert_false(mail_addr_valid("a b@c.d"));
	assert_false(mail_addr_valid("a<b@c.d"));
	assert_false(mail_addr_valid("a@c.d\n"));
	/* SMTP lines are at most 998 octets. */
	memcpy(body, "S\n\n", 3);
	memset(body + 3, 'x', 999);
	body[1002] = '\0';
	m.text = body;
	assert_null(mail_build(a, &m, &err));
	body[1001] = '\0';
	assert_non_null(mail_build(a, &m, &err));
	arena_free(a);
}

/* Replies go to the organiser when given; an unusable address is refused, not sent. */
static void test_reply_to(void **state)
{
	struct arena *a = arena_new();
	struct mail m = sample();
	const char *err = NULL;
	char *msg;

	(void)state;
	assert_non_null(msg = mail_build(a, &m, &err));
	assert_null(strstr(msg, "Reply-To:"));
	m.reply_to = "org@example.org";
	assert_non_null(msg = mail_build(a, &m, &err));
	assert_non_null(strstr(msg, "\r\nTo: <ann@example.org>\r\nReply-To: <org@example.org>\r\n"));
	m.reply_to = "org@example.org>\r\nBcc: victim@example.org";
	assert_null(mail_build(a, &m, &err));
	assert_string_equal(err, "invalid sender, recipient or reply-to address");
	arena_free(a);
}

/* Body lines wrap at 72 characters (not bytes) at spaces; a long link stays whole. */
static void test_wrap(void **state)
{
	struct arena *a = arena_new();
	struct mail m = sample();
	const char *err = NULL, *body;
	char *msg;

	(void)state;
	m.text = "S\n\n"
	    "Grüße aus Zürich, wir freuen uns sehr auf euch alle beim großen Lauf am Sonntag früh\n"
	    "- Bananen für alle Läuferinnen und Läufer, die nach dem Ziel noch Hunger haben und mehr\n"
	    "https://example.org/rsvp/0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab x\n";
	assert_non_null(msg = mail_build(a, &m, &err));
	body = strstr(msg, "\r\n\r\n") + 4;
	/* 71 characters (76 bytes) on the line; with " Sonntag" it would be 79. */
	assert_non_null(strstr(body, "Grüße aus Zürich, wir freuen uns sehr auf euch alle beim großen Lauf am\r\n"
	    "Sonntag früh\r\n"));
	/* A list item's next line is indented under its text. */
	assert_non_null(strstr(body, "- Bananen für alle Läuferinnen und Läufer, die nach dem Ziel noch Hunger\r\n"
	    "  haben und mehr\r\n"));
	/* The link is longer than a line: it keeps its line. */
	assert_non_null(strstr(body, "\r\nhttps://example.org/rsvp/0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789ab\r\nx\r\n"));
	arena_free(a);
}

/*
 * The HTML part: the subject as its title; a paragraph per block of lines,
 * the lines within one broken with <br>; only the site's own addresses as
 * links, without a sentence's full stop; everything typed escaped.
 */
static void test_html(void **state)
{
	static const char *const files[] = { "mail/html.tpl", NULL };
	struct arena *a = arena_new();
	const char *html, *body;

	(void)state;
	tpl_init(TURNOUT_SRCDIR "/templates", files, 1);
	html = mail_html(a, "You're <in>\n\nHello <b>Bo</b> & co,\nsee https://ev.test/rsvp/ab12."
	    " Or https://evil.test/x\n\nhttps://ev.test/a (or https://ev.test/b)\n"
	    "Bye\n", "https://ev.test/");
	assert_non_null(html);
	assert_non_null(strstr(html, "<title>You&#39;re &lt;in&gt;</title>"));
	body = strstr(html, "<div style=\"max-width:36em\">\n");
	assert_non_null(body);
	assert_string_equal(body + strlen("<div style=\"max-width:36em\">\n"),
	    "<p style=\"margin:0 0 1em\">Hello &lt;b&gt;Bo&lt;/b&gt; &amp; co,<br>\n"
	    "see <a href=\"https://ev.test/rsvp/ab12\" style=\"color:#0b57d0;word-break:break-all\">"
	    "https://ev.test/rsvp/ab12</a>. Or https://evil.test/x</p>\n"
	    "<p style=\"margin:0 0 1em\"><a href=\"https://ev.test/a\" style=\"color:#0b57d0;"
	    "word-break:break-all\">https://ev.test/a</a> (or <a href=\"https://ev.test/b\" "
	    "style=\"color:#0b57d0;word-break:break-all\">https://ev.test/b</a>)<br>\n"
	    "Bye</p>\n</div>\n</body>\n</html>\n");
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers_and_crlf),
		cmocka_unit_test(test_encoded_subject_and_name),
		cmocka_unit_test(test_header_injection),
		cmocka_unit_test(test_addresses_and_lines),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_reply_to),
		cmocka_unit_test(test_html),
	};

	return cmocka_run_group_tests_name("mail", tests, NULL, NULL);
}
