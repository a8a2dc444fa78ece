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

/* The text of line [p, eol) into PART sections of line: the site's addresses as links. */
static void html_parts(struct arena *a, struct tpl_dict *line, const char *p, const char *eol,
    const char *site)
{
	size_t n = strlen(site);
	struct tpl_dict *link;
	const char *u, *end;

	while (p < eol) {
		u = n > 0 ? next_url(p, eol, site, n) : eol;
		if (u > p)
			tpl_set(tpl_section(tpl_section(line, "PART"), "TEXT"), "T",
			    arena_strndup(a, p, (size_t)(u - p)));
		if (u == eol)
			return;
		for (end = u; end < eol && *end != ' '; end++)
			;
		/* A sentence's full stop or a closing bracket is not the address's. */
		while (strchr(".,;:!?)", end[-1]) != NULL)
			end--;
		link = tpl_section(tpl_section(line, "PART"), "LINK");
		tpl_set(link, "URL", arena_strndup(a, u, (size_t)(end - u)));
		p = end;
	}
}

const char *mail_html(struct arena *a, const char *text, const char *site_url)
{
	struct tpl_dict *d = tpl_dict_new(a), *para = NULL, *line;
	const char *nl = strchr(text, '\n'), *p, *eol;
	size_t len;

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
		if (para == NULL) {
			para = tpl_section(d, "PARA");
			line = tpl_section(para, "LINE");
		} else {
			line = tpl_section(para, "LINE");
			tpl_show(line, "BR");
		}
		html_parts(a, line, p, eol, site_url);
	}
	return tpl_render_text(a, "mail/html.tpl", d, &len);
}
