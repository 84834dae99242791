/* Kernel modules from the index files depmod writes (modules.dep, modules.alias,
 * modules.builtin; see depmod(8), modules.dep(5)) and modules-load.d(5) lists, loaded with
 * finit_module, dependencies first. */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "overroot/kmod.h"
#include "overroot/log.h"

#define KMOD "kmod"

/* The kernel's MODULE_NAME_LEN is 64 - sizeof(long): every real name fits. */

#ifndef KMOD_MAX_CONF
#define KMOD_MAX_CONF 32
#endif

static bool done_has(struct kmod_ctx *k, const char *name)
{
	for (unsigned i = 0; i < k->ndone; i++)
		if (!strcmp(k->done[i], name))
			return true;
	return false;
}

/* When full, later modules are merely tried again: /sys/module makes that cheap. */
static void done_add(struct kmod_ctx *k, const char *name)
{
	if (k->ndone < KMOD_MAX_DONE)
		snprintf(k->done[k->ndone++], KMOD_NAME_MAX, "%s", name);
}

void kmod_normalise(char *name)
{
	for (; *name; name++)
		if (*name == '-')
			*name = '_';
}

static const char *next_line(const char *line)
{
	const char *eol = line + strcspn(line, "\n");

	return *eol ? eol + 1 : eol;
}

/* The next word of the line at *p (0 at the end of the line); *p moves past it. */
static size_t next_word(const char **p, const char **ret)
{
	const char *s = *p, *e;

	while (*s == ' ' || *s == '\t')
		s++;
	for (e = s; *e && !isspace((unsigned char)*e); e++)
		;
	*ret = s;
	*p = e;
	return (size_t)(e - s);
}

/* The module a path in [s, e) holds: its basename without the suffix. Compressed modules load
 * only when the kernel and the sys layer handle MODULE_INIT_COMPRESSED_FILE. */
static const char *path_name(const char *s, const char *e, size_t *ret_len)
{
	static const char *const suffixes[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };
	size_t len;

	for (const char *p = s; p < e; p++)
		if (*p == '/')
			s = p + 1;
	len = (size_t)(e - s);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t l = strlen(suffixes[i]);

		if (len > l && !memcmp(e - l, suffixes[i], l)) {
			len -= l;
			break;
		}
	}
	*ret_len = len;
	return s;
}

/* The kernel treats '-' and '_' in module names as the same character. */
static bool name_eq(const char *s, size_t len, const char *name)
{
	size_t i;

	for (i = 0; i < len && name[i]; i++)
		if ((s[i] == '-' ? '_' : s[i]) != (name[i] == '-' ? '_' : name[i]))
			return false;
	return i == len && !name[i];
}

/* modules.dep and modules.builtin both start each line with a module's path. */
const char *kmod_dep_find(const char *dep, const char *name)
{
	for (const char *line = dep; line && *line && *name; line = next_line(line)) {
		const char *eol = line + strcspn(line, "\n");
		const char *colon = memchr(line, ':', (size_t)(eol - line));
		size_t len;
		const char *base = path_name(line, colon ? colon : eol, &len);

		if (name_eq(base, len, name))
			return line;
	}
	return NULL;
}

int kmod_alias_find(const char *alias_txt, const char *alias, char *ret, size_t size)
{
	for (const char *line = alias_txt; line && *line; line = next_line(line)) {
		const char *p = line, *w;
		char pattern[256];
		size_t n = next_word(&p, &w);

		if (n != 5 || memcmp(w, "alias", 5))
			continue;
		n = next_word(&p, &w);
		/* A cut pattern could match what the whole one does not: skip it instead. */
		if (!n || n >= sizeof(pattern))
			continue;
		memcpy(pattern, w, n);
		pattern[n] = '\0';
		n = next_word(&p, &w);
		if (!n || fnmatch(pattern, alias, 0))
			continue;
		if (n >= size)
			return -ENAMETOOLONG;
		memcpy(ret, w, n);
		ret[n] = '\0';
		return 0;
	}
	return -ENOENT;
}

/* Call fn for each item of txt, which ends at a character of sep; one of cut (which holds sep)
 * ends the useful part early. Items are trimmed and copied: txt is left alone. */
static void each_item(const char *txt, const char *sep, const char *cut,
		      void (*fn)(const char *name, void *arg), void *arg)
{
	while (txt && *txt) {
		const char *end = txt + strcspn(txt, sep), *s = txt, *e = txt + strcspn(txt, cut);
		char name[256];

		txt = *end ? end + 1 : end;
		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (e - s >= (ptrdiff_t)sizeof(name))
			log_warn(KMOD, "skip module name %.32s...: too long", s);
		else if (e > s) {
			memcpy(name, s, (size_t)(e - s));
			name[e - s] = '\0';
			fn(name, arg);
		}
	}
}

void kmod_conf_each(const char *conf, void (*fn)(const char *name, void *arg), void *arg)
{
	/* systemd-modules-load only knows whole-line comments, but no module name holds
	 * '#' or ';', so cutting there also allows "ext4 # for /". */
	each_item(conf, "\n", "\n#;", fn, arg);
}

/* Read a whole file into a new, NUL-terminated buffer. */
static int read_whole(const struct sys_ops *sys, const char *path, char **ret)
{
	struct stat st;
	char *buf;
	ssize_t n;
	int r = sys->stat(path, &st);

	if (r < 0)
		return r;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	n = sys->read_file(path, buf, (size_t)st.st_size + 1);
	if (n < 0) {
		free(buf);
		return (int)n;
	}
	*ret = buf;
	return 0;
}

static char *read_optional(const struct sys_ops *sys, const char *dir, const char *file)
{
	char path[512], *buf = NULL;
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	r = read_whole(sys, path, &buf);
	if (r < 0 && r != -ENOENT)
		log_warn(KMOD, "read %s: %s", path, strerror(-r));
	return r < 0 ? NULL : buf;
}

int kmod_open(struct kmod_ctx *k, const struct sys_ops *sys, const char *dir)
{
	char path[512], *buf = NULL;
	int r;

	memset(k, 0, sizeof(*k));
	k->sys = sys;
	if ((size_t)snprintf(k->dir, sizeof(k->dir), "%s", dir) >= sizeof(k->dir))
		return -ENAMETOOLONG;
	snprintf(path, sizeof(path), "%s/modules.dep", dir);
	r = read_whole(sys, path, &buf);
	if (r < 0) {
		/* No modules at all is a normal initramfs: whether that matters is the caller's. */
		log_debug(KMOD, "read %s: %s", path, strerror(-r));
		return r;
	}
	k->dep = buf;
	return 0;
}

/* modules.alias and modules.builtin are only needed for a name modules.dep lacks: read
 * them then, once (a boot that names its modules never does). */
static const char *alias_txt(struct kmod_ctx *k)
{
	if (!k->alias_read) {
		k->alias = read_optional(k->sys, k->dir, "modules.alias");
		k->alias_read = true;
	}
	return k->alias;
}

static const char *builtin_txt(struct kmod_ctx *k)
{
	if (!k->builtin_read) {
		k->builtin = read_optional(k->sys, k->dir, "modules.builtin");
		k->builtin_read = true;
	}
	return k->builtin;
}

void kmod_close(struct kmod_ctx *k)
{
	free(k->dep);
	free(k->alias);
	free(k->builtin);
	k->dep = k->alias = k->builtin = NULL;
}

static void warn_load(const char *name, const char *top, const char *why)
{
	if (strcmp(name, top))
		log_warn(KMOD, "load %s (needed by %s): %s", name, top, why);
	else
		log_warn(KMOD, "load %s: %s", name, why);
}

static int load(struct kmod_ctx *k, const char *name, const char *top, unsigned depth);

/* depmod lists the whole closure, each module needing only the ones after it, so load from
 * the end of the list back (as modprobe does). The words are paths: s..e is one of them. */
static int load_deps(struct kmod_ctx *k, const char *list, const char *end, const char *top,
		     unsigned depth)
{
	while (end > list) {
		const char *s, *e = end, *base;
		char dep[KMOD_NAME_MAX];
		size_t len;
		int r;

		while (e > list && isspace((unsigned char)e[-1]))
			e--;
		for (s = e; s > list && !isspace((unsigned char)s[-1]); s--)
			;
		if (s == e)
			break;
		end = s;
		base = path_name(s, e, &len);
		snprintf(dep, sizeof(dep), "%.*s", (int)len, base);
		kmod_normalise(dep);
		if ((r = load(k, dep, top, depth + 1)) < 0)
			return r;
	}
	return 0;
}

/* Load name (normalised) after its dependencies; top is the module asked for. A cycle in
 * modules.dep ends at KMOD_MAX_DEPTH. */
static int load(struct kmod_ctx *k, const char *name, const char *top, unsigned depth)
{
	char path[sizeof(k->dir) + 256];
	const char *line, *eol, *colon;
	struct stat st;
	int r;

	if (depth > KMOD_MAX_DEPTH) {
		warn_load(name, top, "dependencies nested too deep (a cycle in modules.dep?)");
		return -ELOOP;
	}
	if (done_has(k, name))
		return 0;
	/* A loaded module answers finit_module with EEXIST: no stat needed, but once the
	 * done list is full /sys/module keeps a shared dependency from being walked again. */
	snprintf(path, sizeof(path), "/sys/module/%s", name);
	if (k->ndone == KMOD_MAX_DONE && k->sys->stat(path, &st) == 0)
		return 0;
	line = kmod_dep_find(k->dep, name);
	if (!line && kmod_dep_find(builtin_txt(k), name)) {
		log_debug(KMOD, "%s is built in", name);
		done_add(k, name);
		return 0;
	}
	if (!line) {
		warn_load(name, top, "not found in modules.dep");
		return -ENOENT;
	}
	eol = line + strcspn(line, "\n");
	colon = memchr(line, ':', (size_t)(eol - line));
	colon = colon ? colon : eol;
	if (colon < eol && (r = load_deps(k, colon + 1, eol, top, depth)) < 0)
		return r;
	if ((size_t)snprintf(path, sizeof(path), "%s/%.*s", k->dir, (int)(colon - line), line) >=
	    sizeof(path)) {
		warn_load(name, top, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	/* params must be a string: the kernel copies it from user space even when empty. */
	r = k->sys->finit_module(path, "");
	if (r < 0 && r != -EEXIST) {
		warn_load(name, top, strerror(-r));
		return r;
	}
	log_debug(KMOD, "%s %s", r ? "already loaded" : "loaded", path);
	k->loaded += !r;
	done_add(k, name);
	return 0;
}

int kmod_load(struct kmod_ctx *k, const char *name)
{
	char mod[KMOD_NAME_MAX];
	int r;

	if ((size_t)snprintf(mod, sizeof(mod), "%s", name) >= sizeof(mod)) {
		log_warn(KMOD, "load %.32s...: %s", name, strerror(ENAMETOOLONG));
		k->failed++;
		return -ENAMETOOLONG;
	}
	kmod_normalise(mod);
	/* Like modprobe, take an alias ("fs-ext4") where no module has the name. */
	if (!kmod_dep_find(k->dep, mod) && !kmod_dep_find(builtin_txt(k), mod) &&
	    !kmod_alias_find(alias_txt(k), name, mod, sizeof(mod))) {
		log_debug(KMOD, "%s is an alias of %s", name, mod);
		kmod_normalise(mod);
	}
	r = load(k, mod, mod, 0);
	k->failed += r < 0;
	return r;
}

int kmod_load_fs(struct kmod_ctx *k, const char *type)
{
	char buf[4096], alias[128], mod[KMOD_NAME_MAX];
	ssize_t n = k->sys->read_file("/proc/filesystems", buf, sizeof(buf));
	size_t len = strlen(type);

	if (n < 0)
		log_debug(KMOD, "read /proc/filesystems: %s", strerror((int)-n));
	/* Lines are "nodev\tproc" or "\text4": a tab comes before each type, and only there. */
	for (const char *t = buf; n >= 0 && (t = strchr(t, '\t')); t++)
		if (!strncmp(t + 1, type, len) && (t[len + 1] == '\n' || !t[len + 1]))
			return 0;
	snprintf(alias, sizeof(alias), "fs-%s", type);
	if (kmod_alias_find(alias_txt(k), alias, mod, sizeof(mod)) < 0) {
		log_warn(KMOD, "load filesystem %s: no module has the alias %s", type, alias);
		return -ENOENT;
	}
	return kmod_load(k, mod);
}

struct kmod_batch {
	struct kmod_ctx *k;
	int failed;
};

static void batch_load(const char *name, void *arg)
{
	struct kmod_batch *b = arg;

	b->failed += kmod_load(b->k, name) < 0;
}

int kmod_load_list(struct kmod_ctx *k, const char *list)
{
	struct kmod_batch b = { k, 0 };

	each_item(list, ",", ",", batch_load, &b);
	return b.failed;
}

struct conf_names {
	unsigned n;
	char name[KMOD_MAX_CONF][256];
};

static int collect_conf(const char *name, void *arg)
{
	struct conf_names *c = arg;
	size_t len = strlen(name);

	if (len <= 5 || strcmp(name + len - 5, ".conf") || len >= sizeof(c->name[0]))
		return 0;
	if (c->n == KMOD_MAX_CONF)
		log_warn(KMOD, "skip %s: more than %d files", name, KMOD_MAX_CONF);
	else
		memcpy(c->name[c->n++], name, len + 1);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

int kmod_conf_dir_each(const struct sys_ops *sys, const char *dir,
		       void (*fn)(const char *name, void *arg), void *arg)
{
	struct conf_names c = { 0 };
	int failed = 0, r = sys->listdir(dir, collect_conf, &c);

	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		log_warn(KMOD, "list %s: %s", dir, strerror(-r));
		return 1;
	}
	/* listdir gives the directory's order; systemd-modules-load sorts by file name. */
	qsort(c.name, c.n, sizeof(c.name[0]), cmp_name);
	for (unsigned i = 0; i < c.n; i++) {
		char path[512], *txt = NULL;

		snprintf(path, sizeof(path), "%s/%s", dir, c.name[i]);
		if ((r = read_whole(sys, path, &txt)) < 0) {
			log_warn(KMOD, "read %s: %s", path, strerror(-r));
			failed++;
			continue;
		}
		kmod_conf_each(txt, fn, arg);
		free(txt);
	}
	return failed;
}

int kmod_load_conf_dir(struct kmod_ctx *k, const char *dir)
{
	struct kmod_batch b = { k, 0 };
	int failed = kmod_conf_dir_each(k->sys, dir, batch_load, &b);

	return failed + b.failed;
}
