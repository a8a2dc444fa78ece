#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "fdio.h"
#include "log.h"
#include "transport.h"

struct transport {
	const struct config *cfg;
	int timeout;
	CURL *curl;			/* smtp: kept, so the connection is reused */
	char password[256];		/* smtp: from smtp_password_file */
	unsigned long seq;		/* maildir: unique file names */
	int new_dir;			/* maildir: new/, open for transport_flush */
};

/* mkdir that accepts an existing directory. */
static int make_dir(const char *path, char *err, size_t errlen)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	snprintf(err, errlen, "maildir %s: %s", path, strerror(errno));
	return -1;
}

struct transport *transport_new(const struct config *c, int timeout, char *err,
    size_t errlen)
{
	struct transport *t = calloc(1, sizeof(*t));
	char path[PATH_MAX + 8];
	const char *sub[] = { "", "/tmp", "/new", "/cur" };
	size_t i;

	if (t == NULL)
		log_fatal("out of memory");
	t->cfg = c;
	t->timeout = timeout;
	t->new_dir = -1;
	switch (c->mail_transport) {
	case MAIL_MAILDIR:
		for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
			snprintf(path, sizeof(path), "%s%s", c->maildir, sub[i]);
			if (make_dir(path, err, errlen) != 0)
				goto fail;
		}
		/* path is new/: the last of sub. */
		if ((t->new_dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
			snprintf(err, errlen, "maildir %s: %s", path, strerror(errno));
			goto fail;
		}
		break;
	case MAIL_SMTP:
		if (c->smtp_password_file[0] != '\0' && config_read_secret("smtp_password_file",
		    c->smtp_password_file, t->password, sizeof(t->password), err, errlen) != 0)
			goto fail;
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
		    (t->curl = curl_easy_init()) == NULL) {
			snprintf(err, errlen, "cannot initialise libcurl");
			goto fail;
		}
		break;
	case MAIL_SENDMAIL:
		if (access(c->sendmail, X_OK) != 0) {
			snprintf(err, errlen, "%s: %s (install an MTA, or use another"
			    " mail_transport)", c->sendmail, strerror(errno));
			goto fail;
		}
		break;
	}
	return t;
fail:
	transport_free(t);
	return NULL;
}

void transport_free(struct transport *t)
{
	if (t == NULL)
		return;
	if (t->curl != NULL) {
		curl_easy_cleanup(t->curl);
		curl_global_cleanup();
	}
	if (t->new_dir >= 0)
		close(t->new_dir);
	sodium_memzero(t->password, sizeof(t->password));
	free(t);
}

/*
 * Write msg to fd with LF line ends (files and local programs want those),
 * in one write: a write per line cost a system call per line, some 60 for
 * a confirmation with its HTML part.
 */
static int write_lf(int fd, const char *msg)
{
	char *lf = malloc(strlen(msg) + 1), *o = lf;
	int rc;

	if (lf == NULL)
		return -1;
	for (; *msg != '\0'; msg++)
		if (msg[0] != '\r' || msg[1] != '\n')
			*o++ = *msg;
	rc = fd_write_all(fd, lf, (size_t)(o - lf));
	free(lf);
	return rc;
}

/*
 * Maildir delivery: write tmp/NAME and rename it into new/, so a reader
 * never sees half a message. Not durable yet: transport_flush() does that
 * once for a whole batch.
 */
static enum send_rc send_maildir(struct transport *t, const char *msg, char *err,
    size_t errlen)
{
	char host[64] = "localhost", name[160], tmp[PATH_MAX + 200], dst[PATH_MAX + 200];
	int fd, wrote;

	gethostname(host, sizeof(host) - 1);
	host[strcspn(host, "/:")] = '\0';
	snprintf(name, sizeof(name), "%lld.P%ldQ%lu.%s", (long long)time(NULL),
	    (long)getpid(), ++t->seq, host);
	snprintf(tmp, sizeof(tmp), "%s/tmp/%s", t->cfg->maildir, name);
	snprintf(dst, sizeof(dst), "%s/new/%s", t->cfg->maildir, name);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		goto fail;
	wrote = write_lf(fd, msg);
	if (close(fd) != 0 || wrote != 0 || rename(tmp, dst) != 0) {
		unlink(tmp);
		goto fail;
	}
	return SEND_OK;
fail:
	snprintf(err, errlen, "maildir %s: %s", t->cfg->maildir, strerror(errno));
	return errno == ENOSPC || errno == EDQUOT ? SEND_NOSPACE : SEND_TEMP;
}

/*
 * The local MTA: sendmail -t takes the recipient from the (checked) To
 * header; -i: a line with a single dot is text, not the end.
 */
static enum send_rc send_sendmail(struct transport *t, const char *msg, char *err,
    size_t errlen)
{
	int fds[2], st, wrote;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) != 0 || (pid = fork()) < 0) {
		snprintf(err, errlen, "sendmail: %s", strerror(errno));
		return SEND_TEMP;
	}
	if (pid == 0) {
		dup2(fds[0], 0);
		execl(t->cfg->sendmail, "sendmail", "-t", "-i", "-f", t->cfg->mail_from,
		    (char *)NULL);
		_exit(EX_TEMPFAIL);
	}
	close(fds[0]);
	wrote = write_lf(fds[1], msg);
	close(fds[1]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (wrote == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return SEND_OK;
	snprintf(err, errlen, "sendmail exited with status %d",
	    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	/* sysexits.h: a bad address or data is permanent, the rest may pass later. */
	if (WIFEXITED(st) && (WEXITSTATUS(st) == EX_DATAERR ||
	    WEXITSTATUS(st) == EX_NOUSER || WEXITSTATUS(st) == EX_NOHOST))
		return SEND_PERM;
	return SEND_TEMP;
}

struct upload {
	const char *p;
	size_t left;
};

static size_t read_upload(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nmemb < u->left ? size * nmemb : u->left;

	memcpy(buf, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/*
 * SMTP through libcurl, which also dot-stuffs the body. A 5xx reply is
 * permanent; anything else (4xx, no connection, timeout) is retried.
 */
static enum send_rc send_smtp(struct transport *t, const char *rcpt, const char *msg,
    char *err, size_t errlen)
{
	char from[300], to[300], curl_err[CURL_ERROR_SIZE] = "";
	struct upload u = { msg, strlen(msg) };
	struct curl_slist *rcpts;
	long code = 0;
	CURL *c = t->curl;
	CURLcode rc;

	snprintf(from, sizeof(from), "<%s>", t->cfg->mail_from);
	snprintf(to, sizeof(to), "<%s>", rcpt);
	if ((rcpts = curl_slist_append(NULL, to)) == NULL)
		log_fatal("out of memory");
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, t->cfg->smtp_url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_USE_SSL,
	    t->cfg->smtp_starttls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE);
	if (t->cfg->smtp_ca_file[0] != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, t->cfg->smtp_ca_file);
	if (t->cfg->smtp_user[0] != '\0') {
		curl_easy_setopt(c, CURLOPT_USERNAME, t->cfg->smtp_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, t->password);
	}
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)t->timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(rcpts);
	/* The handle must not keep pointers to this stack frame. */
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	if (rc == CURLE_OK)
		return SEND_OK;
	snprintf(err, errlen, "smtp: %s%s%s (reply %ld)", curl_easy_strerror(rc),
	    *curl_err ? ": " : "", curl_err, code);
	return code >= 500 && code < 600 ? SEND_PERM : SEND_TEMP;
}

enum send_rc transport_send(struct transport *t, const char *rcpt, const char *msg,
    char *err, size_t errlen)
{
	switch (t->cfg->mail_transport) {
	case MAIL_SMTP:
		return send_smtp(t, rcpt, msg, err, errlen);
	case MAIL_SENDMAIL:
		return send_sendmail(t, msg, err, errlen);
	default:
		return send_maildir(t, msg, err, errlen);
	}
}

/*
 * syncfs() writes back every file of the maildir's file system and
 * commits the journal once: the new files, their data and their names in
 * new/ all become durable together, where an fsync per file and per
 * directory cost a disk flush each. Since Linux 5.8 it also reports a
 * write-back error seen since the last call on this descriptor.
 */
int transport_flush(struct transport *t, char *err, size_t errlen)
{
	if (t->new_dir < 0 || syncfs(t->new_dir) == 0)
		return 0;
	snprintf(err, errlen, "maildir %s: syncfs: %s", t->cfg->maildir, strerror(errno));
	return -1;
}
