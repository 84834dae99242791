/* Loading kernel modules with finit_module, dependencies first, as modules.dep says (its
 * reader is kmod.c): by name or alias, by an fs-<type> alias, and every module a
 * modules-load.d directory or rd.modules-load= names. modules.alias and modules.builtin are
 * read here, when a name needs them. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "overroot/kmod.h"
#include "overroot/log.h"
#include "kmod_index.h"

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

static char *read_optional(const struct sys_ops *sys, const char *dir, const char *file)
{
	char path[512], *buf = NULL;
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	r = kmod_read_whole(sys, path, &buf);
	if (r < 0 && r != -ENOENT)
		log_warn(KMOD, "read %s: %s", path, strerror(-r));
	return r < 0 ? NULL : buf;
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
		base = kmod_path_name(s, e, &len);
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

	kmod_each_item(list, ",", ",", batch_load, &b);
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
		if ((r = kmod_read_whole(sys, path, &txt)) < 0) {
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
