#ifndef TURNOUT_CONFIG_H
#define TURNOUT_CONFIG_H

#include <limits.h>
#include <stddef.h>

enum sync_mode { SYNC_FULL, SYNC_NORMAL, SYNC_GROUP };
enum mail_transport { MAIL_MAILDIR, MAIL_SMTP, MAIL_SENDMAIL };

#define CONFIG_RETRY_MAX 10	/* entries of mail_retry */
#define CONFIG_ALERT_MAX 10	/* addresses of alert_to */

/* Settings shared by all programs; see README "Configuration". */
struct config {
	char data_dir[PATH_MAX];
	char database[PATH_MAX];	/* "" = data_dir/turnout.db */
	char socket[PATH_MAX];		/* "" = data_dir/turnout.sock */
	char socket_group[33];		/* "" = the process's group */
	char templates[PATH_MAX];
	char timezone[64];
	char site_name[81];
	int workers;			/* 0 = one per core */
	enum sync_mode synchronous;
	int write_gate;			/* 1: writers queue on a flock first */
	int batch_writer;		/* 1: with group, one process batches visitors' writes */
	int busy_timeout_ms;
	long max_body;
	/* E-mail, for turnout-worker (README "E-mail"). */
	char site_url[256];		/* links in e-mails: scheme://host[:port] */
	enum mail_transport mail_transport;
	char maildir[PATH_MAX];		/* "" = data_dir/mail */
	char mail_from[255];
	char replica[256];		/* scripts/serve's Litestream replica; "" = none */
	char smtp_url[256];
	int smtp_starttls;		/* 1: refuse to send without STARTTLS */
	char smtp_user[256];
	char smtp_password_file[PATH_MAX];
	char smtp_ca_file[PATH_MAX];	/* CA certificates for the mail server (PEM) */
	char sendmail[PATH_MAX];	/* the local MTA's sendmail program */
	int mail_retry[CONFIG_RETRY_MAX];	/* seconds before retry 1, 2, ... */
	int mail_retry_n;
	int mail_lease;			/* seconds a worker owns a message it sends */
	int reminder_hours;		/* 0: no reminders */
	/* The admins' addresses for alerts (src/alert.h), lower case; none: no alerts. */
	char alert_to[CONFIG_ALERT_MAX][255];
	int alert_n;
	int wal_checkpoint_mb;		/* the worker truncates a bigger WAL */
	long password_memory_kib;	/* argon2id memory per password hash */
};

/* Fill c with the built-in defaults. */
void config_defaults(struct config *c);

/*
 * Parse "key = value" lines ('#' starts a comment) into c. Unknown keys,
 * repeated keys and invalid values are errors: returns -1 with a message
 * naming the line in err, 0 on success.
 */
int config_parse(struct config *c, const char *text, char *err, size_t errlen);

/*
 * Load the configuration: defaults, then the file at path (NULL: none),
 * then the environment (TURNOUT_DATA overrides data_dir), then derived
 * paths. Returns -1 with a message in err.
 */
int config_load(struct config *c, const char *path, char *err, size_t errlen);

/*
 * At every program's start: files and directories this process creates
 * are private to its user (umask 077), and a warning is logged for each
 * of the data directory, the database, its -wal and -shm files and the
 * config file at path (NULL: none) that others may read or the group may
 * write (0600 and 0700 are right; 0640 and 0750 are accepted).
 */
void config_private_files(const struct config *c, const char *path);

/*
 * For a daemon's main(): take "[-c config-file]" from argv (else print
 * the usage of `program` and exit 2), load the configuration (exit 1 with
 * the reason logged), make the files it creates private and warn about
 * ones that are not (config_private_files), and set the process's time
 * zone to the site's.
 */
void config_from_args(struct config *c, int argc, char **argv, const char *program);

/*
 * Read the first line of the secret file at path (the value of key, e.g.
 * smtp_password_file, named in messages) into out[len], without its line
 * end. Refused, as OpenSSH refuses a private key, when the group or others
 * may access the file. Returns 0, or -1 with the reason in err.
 */
int config_read_secret(const char *key, const char *path, char *out, size_t len,
    char *err, size_t errlen);

#endif
