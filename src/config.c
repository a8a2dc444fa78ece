#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#ifndef TURNOUT_TEMPLATES_DIR
#define TURNOUT_TEMPLATES_DIR "templates"
#endif

#define LINE_MAX_LEN 1024

enum key_type { K_PATH, K_TEXT, K_TZ, K_INT, K_SYNC, K_BOOL };

struct key {
	const char *name;
	enum key_type type;
	size_t offset;
	size_t size;		/* K_PATH/K_TEXT: buffer size */
	long min, max;		/* K_INT bounds */
};

#define PATHKEY(n) { #n, K_PATH, offsetof(struct config, n), \
	sizeof(((struct config *)0)->n), 0, 0 }
#define TEXTKEY(n) { #n, K_TEXT, offsetof(struct config, n), \
	sizeof(((struct config *)0)->n), 0, 0 }

static const struct key keys[] = {
	PATHKEY(data_dir),
	PATHKEY(database),
	PATHKEY(socket),
	PATHKEY(templates),
	TEXTKEY(socket_group),
	{ "timezone", K_TZ, offsetof(struct config, timezone),
	  sizeof(((struct config *)0)->timezone), 0, 0 },
	TEXTKEY(site_name),
	{ "workers", K_INT, offsetof(struct config, workers), sizeof(int), 0, 64 },
	{ "synchronous", K_SYNC, offsetof(struct config, synchronous), 0, 0, 0 },
	{ "write_gate", K_BOOL, offsetof(struct config, write_gate), 0, 0, 0 },
	{ "busy_timeout_ms", K_INT, offsetof(struct config, busy_timeout_ms),
	  sizeof(int), 0, 60000 },
	{ "max_body", K_INT, offsetof(struct config, max_body), sizeof(long),
	  1024, 16L * 1024 * 1024 },
	{ "password_memory_kib", K_INT, offsetof(struct config, password_memory_kib),
	  sizeof(long), 8, 4L * 1024 * 1024 },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->data_dir, "var");
	snprintf(c->templates, sizeof(c->templates), "%s", TURNOUT_TEMPLATES_DIR);
	strcpy(c->timezone, "UTC");
	strcpy(c->site_name, "Turnout");
	c->synchronous = SYNC_FULL;
	c->write_gate = 1;
	c->busy_timeout_ms = 5000;
	c->max_body = 64 * 1024;
	c->password_memory_kib = 64 * 1024;	/* libsodium's "interactive" */
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
		else
			return "must be full or normal";
		return NULL;
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

/* Reads a whole small file into a malloc'ed string; NULL with err set. */
static char *read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
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
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[n] = '\0';
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
	if (strlen(c->socket) > 107) {
		snprintf(err, errlen, "socket: path longer than 107 bytes: %s",
		    c->socket);
		return -1;
	}
	return 0;
}
