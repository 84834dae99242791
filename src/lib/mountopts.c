/* mount(8)-style option strings -> MS_* flags for mount(2) and the filesystem's own data.
 * The words and their meaning are mount(8)'s (util-linux libmount optmap); matching is
 * exact and case-sensitive, as there. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>
#include "overroot/mountopts.h"

static const struct {
	const char *name;
	unsigned long flag;
	bool clear;		/* the word turns the flag off (rw, exec, atime, ...) */
} mountopts_words[] = {
	{ "ro", MS_RDONLY, false },		{ "rw", MS_RDONLY, true },
	{ "noexec", MS_NOEXEC, false },		{ "exec", MS_NOEXEC, true },
	{ "nosuid", MS_NOSUID, false },		{ "suid", MS_NOSUID, true },
	{ "nodev", MS_NODEV, false },		{ "dev", MS_NODEV, true },
	{ "sync", MS_SYNCHRONOUS, false },	{ "async", MS_SYNCHRONOUS, true },
	{ "dirsync", MS_DIRSYNC, false },
	{ "noatime", MS_NOATIME, false },	{ "atime", MS_NOATIME, true },
	{ "nodiratime", MS_NODIRATIME, false },	{ "diratime", MS_NODIRATIME, true },
	{ "relatime", MS_RELATIME, false },	{ "norelatime", MS_RELATIME, true },
	{ "strictatime", MS_STRICTATIME, false },
	{ "lazytime", MS_LAZYTIME, false },	{ "nolazytime", MS_LAZYTIME, true },
	{ "mand", MS_MANDLOCK, false },		{ "nomand", MS_MANDLOCK, true },
	{ "silent", MS_SILENT, false },		{ "loud", MS_SILENT, true },
	{ "defaults", 0, false },	/* mount(8)'s defaults are the kernel's: nothing to set */
};

/* Append the n bytes at s to the comma-joined list in buf (size bytes, NUL-terminated).
 * Returns false, leaving buf as it was, when it would not fit. */
static bool append_item(char *buf, size_t size, const char *s, size_t n)
{
	size_t len = strnlen(buf, size);
	size_t comma = len ? 1 : 0;

	if (len >= size || n + comma >= size - len)
		return false;
	if (comma)
		buf[len++] = ',';
	memcpy(buf + len, s, n);
	buf[len + n] = '\0';
	return true;
}

static bool apply_word(struct mountopts *m, const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(mountopts_words) / sizeof(mountopts_words[0]); i++) {
		const char *name = mountopts_words[i].name;

		if (strlen(name) != n || memcmp(name, s, n) != 0)
			continue;
		if (mountopts_words[i].clear)
			m->flags &= ~mountopts_words[i].flag;
		else
			m->flags |= mountopts_words[i].flag;
		return true;
	}
	return false;
}

/* After the first option that does not fit, later data options are dropped too (data stays
 * a prefix of what was asked, in order), while later flag words still apply. */
int mountopts_parse(const char *s, struct mountopts *ret)
{
	bool full = false;

	while (s && *s) {
		size_t n = strcspn(s, ",");

		if (n && !apply_word(ret, s, n) && !full)
			full = !append_item(ret->data, sizeof(ret->data), s, n);
		s += n;
		if (*s == ',')
			s++;
	}
	return full ? -E2BIG : 0;
}

static bool in_list(const char *const *names, const char *s, size_t n)
{
	for (; names && *names; names++)
		if (strlen(*names) == n && memcmp(*names, s, n) == 0)
			return true;
	return false;
}

/* Compacts data in place: the write position never passes the read position. Options that
 * do not fit in removed are left out of it (removed is always NUL-terminated). */
void mountopts_drop(struct mountopts *m, const char *const *drop, char *removed, size_t size)
{
	char *r = m->data, *w = m->data;

	if (removed && size)
		removed[0] = '\0';
	m->data[sizeof(m->data) - 1] = '\0';
	while (*r) {
		size_t n = strcspn(r, ",");
		size_t name_len = strcspn(r, "=,");

		if (n && in_list(drop, r, name_len)) {
			if (removed && size)
				append_item(removed, size, r, n);
		} else if (n) {
			if (w != m->data)
				*w++ = ',';
			memmove(w, r, n);
			w += n;
		}
		r += n;
		if (*r == ',')
			r++;
	}
	*w = '\0';
}
