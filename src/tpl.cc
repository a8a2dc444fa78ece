// The only C++ in Turnout: ctemplate behind extern "C". No exception may
// cross into C, so every entry point catches everything.
#include <cstring>
#include <string>

#include <ctemplate/template.h>
#include <ctemplate/template_cache.h>
#include <ctemplate/template_modifiers.h>

extern "C" {
#include "log.h"
}
#include "tpl.h"

using ctemplate::TemplateDictionary;

static TemplateDictionary *D(struct tpl_dict *d)
{
	return reinterpret_cast<TemplateDictionary *>(d);
}

static struct tpl_dict *C(TemplateDictionary *d)
{
	return reinterpret_cast<struct tpl_dict *>(d);
}

/* Load files into cache; NULL or the first that fails. */
static const char *load_all(ctemplate::TemplateCache *cache, const char *const *files,
    int text)
{
	for (; *files != NULL; files++)
		if (!cache->LoadTemplate(*files, text ? ctemplate::DO_NOT_STRIP :
		    ctemplate::STRIP_BLANK_LINES))
			return *files;
	return NULL;
}

void tpl_init(const char *dir, const char *const *files, int text)
{
	const char *missing = files[0];

	try {
		/*
		 * context="JSON" applies javascript_escape, whose \x3c escapes
		 * are not JSON. {{NAME:x-json}} uses ctemplate's json_escape
		 * instead (\u003C, \", \\), and marked XSS-safe it is not
		 * escaped a second time.
		 */
		static bool modifiers = ctemplate::AddXssSafeModifier("x-json",
		    &ctemplate::json_escape);
		ctemplate::TemplateCache *cache = ctemplate::mutable_default_template_cache();

		(void)modifiers;
		if (!cache->SetTemplateRootDirectory(dir))
			log_fatal("templates: cannot use directory %s", dir);
		missing = load_all(cache, files, text);
	} catch (...) {
		log_error("templates: exception loading from %s", dir);
	}
	if (missing != NULL)
		log_fatal("templates: %s/%s is missing or invalid", dir, missing);
}

const char *tpl_check(const char *dir, const char *const *files, int text)
{
	try {
		ctemplate::TemplateCache cache;

		return cache.SetTemplateRootDirectory(dir) ? load_all(&cache, files, text) :
		    files[0];
	} catch (...) {
		log_error("templates: exception checking %s", dir);
		return files[0];
	}
}

static void dict_free(void *d)
{
	delete static_cast<TemplateDictionary *>(d);
}

struct tpl_dict *tpl_dict_new(struct arena *a)
{
	TemplateDictionary *d;

	try {
		d = new TemplateDictionary("page");
	} catch (...) {
		log_fatal("templates: out of memory");
	}
	arena_cleanup(a, dict_free, d);
	return C(d);
}

void tpl_set(struct tpl_dict *d, const char *key, const char *value)
{
	try {
		D(d)->SetValue(key, value != NULL ? value : "");
	} catch (...) {
		log_fatal("templates: out of memory");
	}
}

void tpl_set_int(struct tpl_dict *d, const char *key, long long value)
{
	try {
		D(d)->SetValue(key, std::to_string(value));
	} catch (...) {
		log_fatal("templates: out of memory");
	}
}

struct tpl_dict *tpl_section(struct tpl_dict *d, const char *name)
{
	try {
		return C(D(d)->AddSectionDictionary(name));
	} catch (...) {
		log_fatal("templates: out of memory");
	}
}

void tpl_show(struct tpl_dict *d, const char *name)
{
	try {
		D(d)->ShowSection(name);
	} catch (...) {
		log_fatal("templates: out of memory");
	}
}

struct tpl_dict *tpl_include(struct tpl_dict *d, const char *name, const char *file)
{
	try {
		TemplateDictionary *inc = D(d)->AddIncludeDictionary(name);

		inc->SetFilename(file);
		return C(inc);
	} catch (...) {
		log_fatal("templates: out of memory");
	}
}

/* Render file with d in the given whitespace mode into an arena string. */
static char *render(struct arena *a, const char *file, struct tpl_dict *d,
    ctemplate::Strip strip, size_t *len)
{
	try {
		std::string out;

		if (!ctemplate::ExpandTemplate(file, strip, D(d), &out)) {
			log_error("templates: cannot render %s (missing or invalid)", file);
			return NULL;
		}
		*len = out.size();
		return arena_strndup(a, out.data(), out.size());
	} catch (...) {
		log_error("templates: exception rendering %s", file);
		return NULL;
	}
}

char *tpl_render(struct arena *a, const char *file, struct tpl_dict *d, size_t *len)
{
	return render(a, file, d, ctemplate::STRIP_BLANK_LINES, len);
}

char *tpl_render_text(struct arena *a, const char *file, struct tpl_dict *d, size_t *len)
{
	return render(a, file, d, ctemplate::DO_NOT_STRIP, len);
}
