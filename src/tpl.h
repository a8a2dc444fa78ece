#ifndef TURNOUT_TPL_H
#define TURNOUT_TPL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#include "arena.h"

/*
 * A thin C face on ctemplate. Dictionaries map names to values; every
 * template starts with {{%AUTOESCAPE context="HTML"}} (or JSON), so values
 * are escaped where they are shown and the C code never builds markup.
 * Keys must be constants from the code, never user input (ctemplate keeps
 * every distinct key name for the life of the process).
 */
struct tpl_dict;

/*
 * Use templates from dir and load the NULL-terminated files now (as text
 * templates if text is set, else as pages), so that no render reads the
 * disk later. Exits with a message naming the directory, or the path of
 * the first file that is missing or invalid: a program without its
 * templates refuses to start rather than answer every page with a 500.
 */
void tpl_init(const char *dir, const char *const *files, int text);

/*
 * Read and parse the files afresh from dir, as the next start would:
 * NULL if all are usable, or the first that is missing or invalid.
 */
const char *tpl_check(const char *dir, const char *const *files, int text);

/* A new root dictionary, freed when arena a is reset or freed. */
struct tpl_dict *tpl_dict_new(struct arena *a);

void tpl_set(struct tpl_dict *d, const char *key, const char *value);
void tpl_set_int(struct tpl_dict *d, const char *key, long long value);
/* Show section `name` once more and return its dictionary (owned by d). */
struct tpl_dict *tpl_section(struct tpl_dict *d, const char *name);
/* Show section `name` once, with no values of its own. */
void tpl_show(struct tpl_dict *d, const char *name);
/* Fill include marker {{>name}} with template `file`; returns its dictionary. */
struct tpl_dict *tpl_include(struct tpl_dict *d, const char *name, const char *file);

/*
 * Render template `file` with d into a NUL-terminated arena string; *len
 * gets its length. NULL (logged) if the template cannot be loaded.
 */
char *tpl_render(struct arena *a, const char *file, struct tpl_dict *d, size_t *len);

/*
 * The same for plain text (e-mails): every line and blank line kept. Text
 * templates have no AUTOESCAPE pragma (ctemplate has no plain-text
 * context): nothing is escaped, so every value put in must already be
 * checked (one line, no control characters).
 */
char *tpl_render_text(struct arena *a, const char *file, struct tpl_dict *d, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
