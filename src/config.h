#ifndef TURNOUT_CONFIG_H
#define TURNOUT_CONFIG_H

#include <limits.h>
#include <stddef.h>

enum sync_mode { SYNC_FULL, SYNC_NORMAL };

/* Settings shared by turnout.fcgi and turnout-admin; see README "Configuration". */
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
	int busy_timeout_ms;
	long max_body;
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

#endif
