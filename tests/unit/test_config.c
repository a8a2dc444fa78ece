/* Configuration parsing: keys, values, errors that name the line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

static void test_defaults(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	unsetenv("TURNOUT_DATA");
	assert_int_equal(config_load(&c, NULL, err, sizeof(err)), 0);
	assert_string_equal(c.data_dir, "var");
	assert_string_equal(c.database, "var/turnout.db");
	assert_string_equal(c.socket, "var/turnout.sock");
	assert_int_equal(c.synchronous, SYNC_GROUP);
	assert_int_equal(c.busy_timeout_ms, 5000);
	assert_int_equal(c.max_body, 65536);
	assert_int_equal(c.workers, 0);
	assert_string_equal(c.timezone, "UTC");
	assert_int_equal(c.write_gate, 1);
	assert_int_equal(c.batch_writer, 1);
}

static void test_parse(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_parse(&c,
	    "# comment\n\n  data_dir = /srv/turnout  \r\n"
	    "workers=3\nsynchronous = normal\ntimezone = Europe/Berlin\n"
	    "site_name = Chess Club = Fun\nmax_body = 2048\nwrite_gate = off\n"
	    "batch_writer = off", err, sizeof(err)), 0);
	assert_int_equal(c.write_gate, 0);
	assert_int_equal(c.batch_writer, 0);
	assert_string_equal(c.data_dir, "/srv/turnout");
	assert_int_equal(c.workers, 3);
	assert_int_equal(c.synchronous, SYNC_NORMAL);
	assert_string_equal(c.timezone, "Europe/Berlin");
	assert_string_equal(c.site_name, "Chess Club = Fun");
	assert_int_equal(c.max_body, 2048);
	assert_int_equal(config_parse(&c, "synchronous = group\n", err, sizeof(err)), 0);
	assert_int_equal(c.synchronous, SYNC_GROUP);
}

/* Each bad line is refused with a message naming its line number. */
static void test_errors(void **state)
{
	static const struct { const char *text, *expect; } bad[] = {
		{ "colour = blue\n", "line 1: unknown key \"colour\"" },
		{ "\nworkers = many\n", "line 2: workers: not a whole number" },
		{ "workers = 65\n", "line 1: workers: out of range" },
		{ "workers = -1\n", "line 1: workers: out of range" },
		{ "workers = 99999999999999999999\n", "line 1: workers: not a whole number" },
		{ "synchronous = off\n", "line 1: synchronous: must be group, full or normal" },
		{ "data_dir =\n", "line 1: data_dir: empty value" },
		{ "just words\n", "line 1: expected key = value" },
		{ "workers = 2\nworkers = 3\n", "line 2: workers is set twice" },
		{ "timezone = Mars/Olympus\n", "line 1: timezone: unknown time zone" },
		{ "timezone = ../../etc/passwd\n", "line 1: timezone: unknown time zone" },
		{ "max_body = 10\n", "line 1: max_body: out of range" },
		{ "write_gate = yes\n", "line 1: write_gate: must be on or off" },
		{ "mail_transport = pigeon\n", "line 1: mail_transport: must be maildir," },
		{ "site_url = events.example.org\n", "line 1: site_url: must be http://" },
		{ "site_url = https://example.org/x\n", "line 1: site_url: must be http://" },
		{ "mail_from = Events <e@example.org>\n", "line 1: mail_from: must be a bare" },
		{ "mail_from = e@exa mple.org\n", "line 1: mail_from: must be a bare" },
		{ "smtp_url = http://mail.example.org\n", "line 1: smtp_url: must be smtp://" },
		{ "smtp_user = a b\n", "line 1: smtp_user: must not contain spaces" },
		{ "mail_retry = 30,120\n", "line 1: mail_retry: must be delays" },
		{ "mail_retry = 0 30\n", "line 1: mail_retry: each delay must be" },
		{ "mail_retry = 1 1 1 1 1 1 1 1 1 1 1\n", "line 1: mail_retry: at most 10" },
		{ "mail_lease = 1\n", "line 1: mail_lease: out of range" },
		{ "replica = backups\n", "line 1: replica: must be an absolute directory" },
		{ "replica = /\n", "line 1: replica: must be an absolute directory" },
		{ "replica = http://example.org/x\n", "line 1: replica: must be an absolute" },
		{ "replica = s3://b/x\"\n", "line 1: replica: may hold only" },
		{ "replica = /srv/a\\nb\n", "line 1: replica: may hold only" },
	};
	struct config c;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		config_defaults(&c);
		err[0] = '\0';
		assert_int_equal(config_parse(&c, bad[i].text, err, sizeof(err)), -1);
		if (strncmp(err, bad[i].expect, strlen(bad[i].expect)) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"", bad[i].text, err,
			    bad[i].expect);
	}
}

static void test_mail_keys(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	config_defaults(&c);
	assert_int_equal(c.mail_transport, MAIL_MAILDIR);
	assert_int_equal(c.mail_retry_n, 5);
	assert_int_equal(c.mail_retry[4], 7200);
	assert_string_equal(c.sendmail, "/usr/sbin/sendmail");
	assert_int_equal(config_parse(&c,
	    "mail_transport = smtp\nsmtp_url = smtps://mail.example.org:465\n"
	    "smtp_starttls = off\nmail_from = events@example.org\n"
	    "site_url = https://events.example.org\nmail_retry = 5  60 600\n"
	    "reminder_hours = 0\nreplica = s3://club-backups/turnout\n", err, sizeof(err)), 0);
	assert_string_equal(c.replica, "s3://club-backups/turnout");
	assert_int_equal(c.mail_transport, MAIL_SMTP);
	assert_string_equal(c.smtp_url, "smtps://mail.example.org:465");
	assert_int_equal(c.smtp_starttls, 0);
	assert_int_equal(c.mail_retry_n, 3);
	assert_int_equal(c.mail_retry[0], 5);
	assert_int_equal(c.mail_retry[2], 600);
	assert_int_equal(c.reminder_hours, 0);
}

/* alert_to: addresses by the RSVP form's rule; a bad one names the key, the line and itself. */
static void test_alert_to(void **state)
{
	static const struct {
		const char *text, *expect;
	} bad[] = {
		{ "alert_to = ann@example.org, bob\n",
		  "line 1: alert_to: \"bob\": That does not look like an e-mail address" },
		{ "alert_to = ann@localhost\n", "line 1: alert_to: \"ann@localhost\": That does not" },
		{ "alert_to = a b@example.org\n", "line 1: alert_to: \"a b@example.org\": An e-mail"
		  " address cannot contain spaces" },
		{ "alert_to = ann@example.org,,bob@example.org\n", "line 1: alert_to: an empty address" },
		{ "alert_to = ann@example.org,\n", "line 1: alert_to: an empty address" },
	};
	struct config c;
	char err[512];
	size_t i;

	(void)state;
	config_defaults(&c);
	assert_int_equal(c.alert_n, 0);
	assert_int_equal(config_parse(&c, "alert_to = Ann@Example.org ,bob@example.org\n", err,
	    sizeof(err)), 0);
	assert_int_equal(c.alert_n, 2);
	assert_string_equal(c.alert_to[0], "ann@example.org");
	assert_string_equal(c.alert_to[1], "bob@example.org");
	/* Empty: no alerts, as when the key is not there. */
	assert_int_equal(config_parse(&c, "alert_to =\n", err, sizeof(err)), 0);
	assert_int_equal(c.alert_n, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		config_defaults(&c);
		assert_int_equal(config_parse(&c, bad[i].text, err, sizeof(err)), -1);
		if (strncmp(err, bad[i].expect, strlen(bad[i].expect)) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"", bad[i].text, err,
			    bad[i].expect);
		assert_int_equal(c.alert_n, 0);
	}
}

static void test_file_and_env(void **state)
{
	char path[] = "/tmp/turnout-config-XXXXXX", err[256];
	struct config c;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("data_dir = /from/file\nsocket = /run/t.sock\n", f);
	fclose(f);
	unsetenv("TURNOUT_DATA");
	assert_int_equal(config_load(&c, path, err, sizeof(err)), 0);
	assert_string_equal(c.database, "/from/file/turnout.db");
	assert_string_equal(c.socket, "/run/t.sock");
	assert_string_equal(c.maildir, "/from/file/mail");
	/* The environment wins over the file. */
	setenv("TURNOUT_DATA", "/from/env", 1);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), 0);
	assert_string_equal(c.data_dir, "/from/env");
	assert_string_equal(c.database, "/from/env/turnout.db");
	unsetenv("TURNOUT_DATA");
	unlink(path);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
}

/* path holds len bytes of text; returns path. */
static char *write_temp(char *path, const char *text, size_t len, mode_t mode)
{
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

/* A NUL byte hid the rest of its line (and of the file) from the parser. */
static void test_nul_byte_is_refused(void **state)
{
	static const char text[] = "workers = 2\nsynchronous = full\0extra\nworkers = 3\n";
	char path[] = "/tmp/turnout-config-XXXXXX", err[256];
	struct config c;

	(void)state;
	unsetenv("TURNOUT_DATA");
	write_temp(path, text, sizeof(text) - 1, 0600);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 2: contains a NUL byte"));
	unlink(path);
}

/* Like OpenSSH's private keys: a password file others can read is refused. */
static void test_secret_file_modes(void **state)
{
	char path[] = "/tmp/turnout-secret-XXXXXX", out[64], err[256];

	(void)state;
	write_temp(path, "s3cret\r\nsecond line\n", 21, 0600);
	assert_int_equal(config_read_secret("smtp_password_file", path, out, sizeof(out),
	    err, sizeof(err)), 0);
	assert_string_equal(out, "s3cret");
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(config_read_secret("smtp_password_file", path, out, sizeof(out),
	    err, sizeof(err)), -1);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, "smtp_password_file"));
	assert_non_null(strstr(err, "mode 0640 lets other users read it: chmod 600"));
	assert_int_equal(chmod(path, 0604), 0);
	assert_int_equal(config_read_secret("smtp_password_file", path, out, sizeof(out),
	    err, sizeof(err)), -1);
	assert_int_equal(chmod(path, 0400), 0);
	assert_int_equal(config_read_secret("smtp_password_file", path, out, sizeof(out),
	    err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(config_read_secret("smtp_password_file", path, out, sizeof(out),
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(config_read_secret("smtp_password_file", "/tmp", out, sizeof(out),
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_mail_keys),
		cmocka_unit_test(test_alert_to),
		cmocka_unit_test(test_file_and_env),
		cmocka_unit_test(test_nul_byte_is_refused),
		cmocka_unit_test(test_secret_file_modes),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
