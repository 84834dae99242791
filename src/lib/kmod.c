/* The files that say which kernel modules there are and which to load: the index files
 * depmod writes (modules.dep, modules.alias, modules.builtin; see depmod(8), modules.dep(5))
 * and modules-load.d(5) lists, read and searched in place. Loading is kmod_load.c's. */
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
#include "kmod_index.h"

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
		const char *base = kmod_path_name(line, colon ? colon : eol, &len);

		if (name_eq(base, len, name))
			return line;
	}
	return NULL;
}

/* The module a path in [s, e) holds: its basename without the suffix. Compressed modules load
 * only when the kernel and the sys layer handle MODULE_INIT_COMPRESSED_FILE. */
const char *kmod_path_name(const char *s, const char *e, size_t *ret_len)
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

void kmod_conf_each(const char *conf, void (*fn)(const char *name, void *arg), void *arg)
{
	/* systemd-modules-load only knows whole-line comments, but no module name holds
	 * '#' or ';', so cutting there also allows "ext4 # for /". */
	kmod_each_item(conf, "\n", "\n#;", fn, arg);
}

/* Call fn for each item of txt, which ends at a character of sep; one of cut (which holds sep)
 * ends the useful part early. Items are trimmed and copied: txt is left alone. */
void kmod_each_item(const char *txt, const char *sep, const char *cut,
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

int kmod_open(struct kmod_ctx *k, const struct sys_ops *sys, const char *dir)
{
	char path[512], *buf = NULL;
	int r;

	memset(k, 0, sizeof(*k));
	k->sys = sys;
	if ((size_t)snprintf(k->dir, sizeof(k->dir), "%s", dir) >= sizeof(k->dir))
		return -ENAMETOOLONG;
	snprintf(path, sizeof(path), "%s/modules.dep", dir);
	r = kmod_read_whole(sys, path, &buf);
	if (r < 0) {
		/* No modules at all is a normal initramfs: whether that matters is the caller's. */
		log_debug(KMOD, "read %s: %s", path, strerror(-r));
		return r;
	}
	k->dep = buf;
	return 0;
}

/* Read a whole file into a new, NUL-terminated buffer. */
int kmod_read_whole(const struct sys_ops *sys, const char *path, char **ret)
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

void kmod_close(struct kmod_ctx *k)
{
	free(k->dep);
	free(k->alias);
	free(k->builtin);
	k->dep = k->alias = k->builtin = NULL;
}
