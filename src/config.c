#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "mail.h"
#include "tz.h"

#ifndef TURNOUT_TEMPLATES_DIR
#define TURNOUT_TEMPLATES_DIR "templates"
#endif

#define LINE_MAX_LEN 1024

enum key_type { K_PATH, K_TEXT, K_TZ, K_INT, K_SYNC, K_BOOL, K_TRANSPORT, K_DELAYS,
	K_ADDRS };

struct key {
	const char *name;
	enum key_type type;
	size_t offset;
	size_t size;		/* K_PATH/K_TEXT: buffer size */
	long min, max;		/* K_INT bounds */
	/* K_TEXT: NULL if the value is fine, else what is wrong with it. */
	const char *(*check)(const char *v);
};

#define PATHKEY(n) { #n, K_PATH, offsetof(struct config, n), \
	sizeof(((struct config *)0)->n), 0, 0, NULL }
#define TEXTKEY(n, check) { #n, K_TEXT, offsetof(struct config, n), \
	sizeof(((struct config *)0)->n), 0, 0, check }
#define INTKEY(n, min, max) { #n, K_INT, offsetof(struct config, n), \
	sizeof(((struct config *)0)->n), min, max, NULL }

/* 1 if s has a byte that is a space, a control character or DEL. */
static int has_space_or_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 1;
	return 0;
}

/* Links in e-mails are built on it: an absolute http(s) URL, no path. */
static const char *check_site_url(const char *v)
{
	const char *host = strncmp(v, "https://", 8) == 0 ? v + 8 :
	    strncmp(v, "http://", 7) == 0 ? v + 7 : NULL;

	if (host == NULL || *host == '\0' || has_space_or_control(v) ||
	    strpbrk(host, "/?#@") != NULL)
		return "must be http:// or https:// and a host, e.g. https://events.example.org";
	return NULL;
}

/* Goes into the From header and the SMTP envelope: a bare address. */
static const char *check_mail_from(const char *v)
{
	const char *at = strchr(v, '@');

	if (at == NULL || at == v || at[1] == '\0' || strchr(at + 1, '@') != NULL ||
	    has_space_or_control(v) || strpbrk(v, "\"(),:;<>[\\]") != NULL)
		return "must be a bare e-mail address, e.g. events@example.org";
	return NULL;
}

static const char *check_smtp_url(const char *v)
{
	if ((strncmp(v, "smtp://", 7) != 0 && strncmp(v, "smtps://", 8) != 0) ||
	    has_space_or_control(v))
		return "must be smtp://host[:port] or smtps://host[:port]";
	return NULL;
}

static const char *check_single_line(const char *v)
{
	return has_space_or_control(v) ? "must not contain spaces or control characters" :
	    NULL;
}

/*
 * Read by scripts/serve, which writes it into Litestream's YAML config: a
 * directory or a Litestream replica URL, in characters that cannot break
 * out of a YAML scalar.
 */
static const char *check_replica(const char *v)
{
	static const char *const schemes[] = { "/", "file://", "s3://", "gcs://", "abs://",
					       "sftp://" };
	size_t i;

	if (strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	    "/._:@+-") != strlen(v))
		return "may hold only letters, digits and / . _ : @ + -";
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strncmp(v, schemes[i], strlen(schemes[i])) == 0 && v[strlen(schemes[i])] != '\0')
			return NULL;
	return "must be an absolute directory or a Litestream URL (s3://bucket/path, ...)";
}

static const struct key keys[] = {
	PATHKEY(data_dir),
	PATHKEY(database),
	PATHKEY(socket),
	PATHKEY(templates),
	TEXTKEY(socket_group, NULL),
	{ "timezone", K_TZ, offsetof(struct config, timezone),
	  sizeof(((struct config *)0)->timezone), 0, 0, NULL },
	TEXTKEY(site_name, NULL),
	INTKEY(workers, 0, 64),
	{ "synchronous", K_SYNC, offsetof(struct config, synchronous), 0, 0, 0, NULL },
	{ "write_gate", K_BOOL, offsetof(struct config, write_gate), 0, 0, 0, NULL },
	{ "batch_writer", K_BOOL, offsetof(struct config, batch_writer), 0, 0, 0, NULL },
	INTKEY(busy_timeout_ms, 0, 60000),
	INTKEY(max_body, 1024, 16L * 1024 * 1024),
	TEXTKEY(site_url, check_site_url),
	{ "mail_transport", K_TRANSPORT, offsetof(struct config, mail_transport), 0, 0, 0,
	  NULL },
	PATHKEY(maildir),
	TEXTKEY(mail_from, check_mail_from),
	TEXTKEY(smtp_url, check_smtp_url),
	{ "smtp_starttls", K_BOOL, offsetof(struct config, smtp_starttls), 0, 0, 0, NULL },
	TEXTKEY(smtp_user, check_single_line),
	PATHKEY(smtp_password_file),
	PATHKEY(smtp_ca_file),
	PATHKEY(sendmail),
	{ "mail_retry", K_DELAYS, offsetof(struct config, mail_retry), 0, 1, 7 * 24 * 3600,
	  NULL },
	INTKEY(mail_lease, 5, 3600),
	INTKEY(reminder_hours, 0, 24 * 30),
	{ "alert_to", K_ADDRS, offsetof(struct config, alert_to), 0, 0, 0, NULL },
	INTKEY(wal_checkpoint_mb, 1, 4096),
	TEXTKEY(replica, check_replica),
	INTKEY(password_memory_kib, 8, 4L * 1024 * 1024),
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->data_dir, "var");
	snprintf(c->templates, sizeof(c->templates), "%s", TURNOUT_TEMPLATES_DIR);
	strcpy(c->timezone, "UTC");
	strcpy(c->site_name, "Turnout");
	c->synchronous = SYNC_GROUP;
	c->write_gate = 1;
	c->batch_writer = 1;
	c->busy_timeout_ms = 5000;
	c->max_body = 64 * 1024;
	strcpy(c->site_url, "http://localhost:8080");
	c->mail_transport = MAIL_MAILDIR;
	strcpy(c->mail_from, "turnout@localhost");
	strcpy(c->smtp_url, "smtp://localhost:25");
	c->smtp_starttls = 1;
	strcpy(c->sendmail, "/usr/sbin/sendmail");
	/* 30 s, 2 min, 8 min, 30 min, 2 h: then the message is dead. */
	memcpy(c->mail_retry, (const int[]){ 30, 120, 480, 1800, 7200 }, 5 * sizeof(int));
	c->mail_retry_n = 5;
	c->mail_lease = 300;
	c->reminder_hours = 24;
	c->wal_checkpoint_mb = 64;
	c->password_memory_kib = 64 * 1024;	/* libsodium's "interactive" */
}

/* Parse "30 120 480": 1 to CONFIG_RETRY_MAX delays in seconds, each in k's bounds. */
static const char *set_delays(struct config *c, const struct key *k, const char *v)
{
	int n = 0;
	char *end;
	long d;

	while (*v != '\0') {
		if (n == CONFIG_RETRY_MAX)
			return "at most 10 delays";
		errno = 0;
		d = strtol(v, &end, 10);
		if (errno != 0 || end == v || (*end != '\0' && *end != ' '))
			return "must be delays in seconds separated by spaces, e.g. 30 120 480";
		if (d < k->min || d > k->max)
			return "each delay must be from 1 s to 7 days";
		c->mail_retry[n++] = (int)d;
		v = end + strspn(end, " ");
	}
	if (n == 0)
		return "empty value";
	c->mail_retry_n = n;
	return NULL;
}

/*
 * Parse "a@example.org, b@example.org" into c->alert_to: each address
 * folded to lower case and held to the RSVP form's rule, as the alerts
 * go out like any visitor's e-mail. Empty: no alerts. The message for a
 * bad address quotes it, so it lives in a static buffer (the
 * configuration is read once, at the start).
 */
static const char *set_addrs(struct config *c, const char *v)
{
	static char msg[400];
	const char *p, *end, *problem;
	size_t len;
	int n = 0;
	char *a;

	c->alert_n = 0;	/* until the whole list is good */
	if (*v == '\0')
		return NULL;
	for (p = v;; p = end + 1) {
		p += strspn(p, " \t");
		end = p + strcspn(p, ",");
		for (len = (size_t)(end - p); len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t');)
			len--;
		if (len == 0)
			return "an empty address (two commas, or one at an end)";
		if (n == CONFIG_ALERT_MAX)
			return "at most 10 addresses";
		if (len >= sizeof(c->alert_to[0]))
			return "an address is too long";
		a = c->alert_to[n];
		memcpy(a, p, len);
		a[len] = '\0';
		for (; *a != '\0'; a++)
			if (*a >= 'A' && *a <= 'Z')
				*a = (char)(*a - 'A' + 'a');
		if ((problem = mail_addr_problem(c->alert_to[n])) != NULL) {
			snprintf(msg, sizeof(msg), "\"%s\": %s", c->alert_to[n], problem);
			return msg;
		}
		if (*end == '\0') {
			c->alert_n = n + 1;
			return NULL;
		}
		n++;
	}
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int tz_known(const char *tz)
{
	char path[128];

	if (tz[0] == '/' || strstr(tz, "..") != NULL)
		return 0;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
	return access(path, R_OK) == 0;
}

/* Store value v for key k in c; returns an error message or NULL. */
static const char *set_key(struct config *c, const struct key *k, const char *v)
{
	char *field = (char *)c + k->offset;
	const char *msg;
	char *end;
	long n;

	switch (k->type) {
	case K_PATH:
	case K_TEXT:
	case K_TZ:
		if (*v == '\0')
			return "empty value";
		if (strlen(v) >= k->size)
			return "value too long";
		/* glibc silently falls back to UTC for an unknown zone. */
		if (k->type == K_TZ && !tz_known(v))
			return "unknown time zone (e.g. Europe/Berlin)";
		if (k->check != NULL && (msg = k->check(v)) != NULL)
			return msg;
		strcpy(field, v);
		return NULL;
	case K_INT:
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0')
			return "not a whole number";
		if (n < k->min || n > k->max)
			return "out of range";
		if (k->size == sizeof(int))
			*(int *)(void *)field = (int)n;
		else
			*(long *)(void *)field = n;
		return NULL;
	case K_BOOL:
		if (strcmp(v, "on") == 0)
			*(int *)(void *)field = 1;
		else if (strcmp(v, "off") == 0)
			*(int *)(void *)field = 0;
		else
			return "must be on or off";
		return NULL;
	case K_SYNC:
		if (strcmp(v, "full") == 0)
			c->synchronous = SYNC_FULL;
		else if (strcmp(v, "normal") == 0)
			c->synchronous = SYNC_NORMAL;
		else if (strcmp(v, "group") == 0)
			c->synchronous = SYNC_GROUP;
		else
			return "must be group, full or normal";
		return NULL;
	case K_TRANSPORT:
		if (strcmp(v, "maildir") == 0)
			c->mail_transport = MAIL_MAILDIR;
		else if (strcmp(v, "smtp") == 0)
			c->mail_transport = MAIL_SMTP;
		else if (strcmp(v, "sendmail") == 0)
			c->mail_transport = MAIL_SENDMAIL;
		else
			return "must be maildir, smtp or sendmail";
		return NULL;
	case K_DELAYS:
		return set_delays(c, k, v);
	case K_ADDRS:
		return set_addrs(c, v);
	}
	return "bad key type";
}

int config_parse(struct config *c, const char *text, char *err, size_t errlen)
{
	unsigned char seen[NKEYS] = { 0 };
	char line[LINE_MAX_LEN + 2];
	const char *p = text, *nl, *msg;
	char *key, *val, *eq;
	size_t len, i;
	int lineno = 0;

	while (*p != '\0') {
		lineno++;
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (len > LINE_MAX_LEN) {
			snprintf(err, errlen, "line %d: line too long", lineno);
			return -1;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl != NULL);

		key = trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			snprintf(err, errlen, "line %d: expected key = value", lineno);
			return -1;
		}
		*eq = '\0';
		key = trim(key);
		val = trim(eq + 1);
		for (i = 0; i < NKEYS; i++)
			if (strcmp(keys[i].name, key) == 0)
				break;
		if (i == NKEYS) {
			snprintf(err, errlen, "line %d: unknown key \"%.64s\"",
			    lineno, key);
			return -1;
		}
		if (seen[i]++) {
			snprintf(err, errlen, "line %d: %s is set twice", lineno, key);
			return -1;
		}
		if ((msg = set_key(c, &keys[i], val)) != NULL) {
			snprintf(err, errlen, "line %d: %s: %s", lineno, key, msg);
			return -1;
		}
	}
	return 0;
}

/*
 * Reads a whole small file into a malloc'ed string; NULL with err set. A
 * NUL byte is refused with its line: the parser would stop there and
 * silently drop the rest of the line and of the file.
 */
static char *read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL, *nul;
	size_t n;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((buf = malloc(64 * 1024 + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	n = fread(buf, 1, 64 * 1024 + 1, f);
	if (n > 64 * 1024 || ferror(f)) {
		snprintf(err, errlen, "%s: %s", path,
		    ferror(f) ? "read error" : "larger than 64 KiB");
		goto fail;
	}
	if ((nul = memchr(buf, '\0', n)) != NULL) {
		int lineno = 1;
		char *p;

		for (p = buf; p < nul; p++)
			lineno += *p == '\n';
		snprintf(err, errlen, "%s: line %d: contains a NUL byte", path, lineno);
		goto fail;
	}
	buf[n] = '\0';
	goto out;
fail:
	free(buf);
	buf = NULL;
out:
	fclose(f);
	return buf;
}

int config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	const char *env;
	char *text;
	int rc;

	config_defaults(c);
	if (path != NULL) {
		if ((text = read_file(path, err, errlen)) == NULL)
			return -1;
		rc = config_parse(c, text, err, errlen);
		free(text);
		if (rc != 0)
			return -1;
	}
	if ((env = getenv("TURNOUT_DATA")) != NULL && *env != '\0') {
		if (strlen(env) >= sizeof(c->data_dir)) {
			snprintf(err, errlen, "TURNOUT_DATA: value too long");
			return -1;
		}
		strcpy(c->data_dir, env);
	}
	if (c->database[0] == '\0' &&
	    snprintf(c->database, sizeof(c->database), "%s/turnout.db",
	    c->data_dir) >= (int)sizeof(c->database)) {
		snprintf(err, errlen, "data_dir: path too long");
		return -1;
	}
	/* A unix socket path is limited to 107 bytes by sockaddr_un. */
	if (c->socket[0] == '\0' &&
	    snprintf(c->socket, sizeof(c->socket), "%s/turnout.sock",
	    c->data_dir) >= (int)sizeof(c->socket)) {
		snprintf(err, errlen, "data_dir: path too long");
		return -1;
	}
	if (c->maildir[0] == '\0' &&
	    snprintf(c->maildir, sizeof(c->maildir), "%s/mail", c->data_dir) >=
	    (int)sizeof(c->maildir)) {
		snprintf(err, errlen, "data_dir: path too long");
		return -1;
	}
	if (strlen(c->socket) > 107) {
		snprintf(err, errlen, "socket: path longer than 107 bytes: %s",
		    c->socket);
		return -1;
	}
	return 0;
}

void config_private_files(const struct config *c, const char *path)
{
	char wal[sizeof(c->database) + 4], shm[sizeof(c->database) + 4];
	const char *const paths[] = { c->data_dir, c->database, wal, shm, path };
	struct stat sb;
	size_t i;

	/* The database, its WAL, the maildir and the socket (chmod'ed after) start private. */
	umask(077);
	snprintf(wal, sizeof(wal), "%s-wal", c->database);
	snprintf(shm, sizeof(shm), "%s-shm", c->database);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		/* The group may read (0640, 0750: e.g. a backup group), no more. */
		if (paths[i] == NULL || stat(paths[i], &sb) != 0 || (sb.st_mode & 027) == 0)
			continue;
		log_warn("%s is mode %04o: other users may read or change the private"
		    " data in it (chmod %s %s)", paths[i],
		    (unsigned)(sb.st_mode & 07777), S_ISDIR(sb.st_mode) ? "700" : "600",
		    paths[i]);
	}
}

void config_from_args(struct config *c, int argc, char **argv, const char *program)
{
	const char *conf = NULL;
	char err[512];
	int opt;

	while ((opt = getopt(argc, argv, "c:")) != -1) {
		if (opt != 'c')
			break;
		conf = optarg;
	}
	if (opt != -1 || optind != argc) {
		fprintf(stderr, "usage: %s [-c config-file]\n", program);
		exit(2);
	}
	if (config_load(c, conf, err, sizeof(err)) != 0)
		log_fatal("configuration: %s", err);
	config_private_files(c, conf);
	tz_set(c->timezone);
}

int config_read_secret(const char *key, const char *path, char *out, size_t len,
    char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat sb;
	FILE *f = NULL;
	int rc = -1;

	out[0] = '\0';
	if (fd < 0 || fstat(fd, &sb) != 0) {
		snprintf(err, errlen, "%s %s: %s", key, path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s %s: not a regular file", key, path);
		goto out;
	}
	/* As OpenSSH does for private keys: a secret others may read is no secret. */
	if ((sb.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s %s: mode %04o lets other users read it:"
		    " chmod 600 %s", key, path, (unsigned)(sb.st_mode & 07777), path);
		goto out;
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		snprintf(err, errlen, "%s %s: %s", key, path, strerror(errno));
		goto out;
	}
	fd = -1;
	if (fgets(out, (int)len, f) == NULL) {
		snprintf(err, errlen, "%s %s: empty", key, path);
		goto out;
	}
	out[strcspn(out, "\r\n")] = '\0';
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	if (fd >= 0)
		close(fd);
	return rc;
}
