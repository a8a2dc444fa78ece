/*
 * An e-mail's HTML part, from its text (mail_html in mail.h). Apart from
 * mail.c: only turnout-worker renders it, so only the worker links the
 * template engine for it.
 */
#include <string.h>

#include "mail.h"
#include "tpl.h"

/* Where the next address starting with site (of n bytes) in [p, eol) starts; eol if none. */
static const char *next_url(const char *p, const char *eol, const char *site, size_t n)
{
	for (; p < eol; p++)
		if ((size_t)(eol - p) > n && strncmp(p, site, n) == 0)
			return p;
	return eol;
}

/*
 * A new PART of para showing section `what`; the first of a line after the
 * paragraph's first also shows BR (*br, then cleared). One dictionary per
 * part, its sections only shown: a dictionary per line and per part and
 * one inside each part made the HTML a third of the e-mail worker's work.
 */
static struct tpl_dict *part(struct tpl_dict *para, const char *what, int *br)
{
	struct tpl_dict *d = tpl_section(para, "PART");

	tpl_show(d, what);
	if (*br)
		tpl_show(d, "BR");
	*br = 0;
	return d;
}

/* The text of line [p, eol) as PARTs of para: the site's addresses as links. */
static void html_parts(struct arena *a, struct tpl_dict *para, const char *p, const char *eol,
    const char *site, int br)
{
	size_t n = strlen(site);
	const char *u, *end;

	while (p < eol) {
		u = n > 0 ? next_url(p, eol, site, n) : eol;
		if (u > p)
			tpl_set(part(para, "TEXT", &br), "T", arena_strndup(a, p, (size_t)(u - p)));
		if (u == eol)
			return;
		for (end = u; end < eol && *end != ' '; end++)
			;
		/* A sentence's full stop or a closing bracket is not the address's. */
		while (strchr(".,;:!?)", end[-1]) != NULL)
			end--;
		tpl_set(part(para, "LINK", &br), "URL", arena_strndup(a, u, (size_t)(end - u)));
		p = end;
	}
}

const char *mail_html(struct arena *a, const char *text, const char *site_url)
{
	struct tpl_dict *d = tpl_dict_new(a), *para = NULL;
	const char *nl = strchr(text, '\n'), *p, *eol;
	size_t len;
	int br;

	if (nl == NULL)
		return NULL;
	tpl_set(d, "SUBJECT", arena_strndup(a, text, (size_t)(nl - text)));
	for (p = nl[1] == '\n' ? nl + 2 : nl + 1; *p != '\0'; p = *eol != '\0' ? eol + 1 : eol) {
		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		/* A blank line ends a paragraph; the lines within one keep their breaks. */
		if (eol == p) {
			para = NULL;
			continue;
		}
		br = para != NULL;
		if (!br)
			para = tpl_section(d, "PARA");
		html_parts(a, para, p, eol, site_url, br);
	}
	return tpl_render_text(a, "mail/html.tpl", d, &len);
}
