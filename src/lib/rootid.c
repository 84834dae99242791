/* The upper belongs to its root (see rootid.h): the identity and its record. The identity is read from the root itself:
 * its filesystem UUID (a new image written to the partition, or the other slot, has another
 * one) and the build lines of its os-release (they tell builds apart where the UUID does
 * not: a squashfs has none, a reproducible build may fix it). The rw partition is not
 * trusted: everything on it is looked at with lstat, never through a symbolic link, and
 * every change to it is a rename, so a power cut leaves it before or after, never between. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "overroot/rootid.h"

/* The os-release lines that name a build; the others (NAME, PRETTY_NAME, ...) are words. */
static const char *const build_keys[] = { "ID", "VERSION_ID", "BUILD_ID", "IMAGE_ID",
					  "IMAGE_VERSION", NULL };

int rootid_ensure_dir(const struct sys_ops *sys, const char *path, char *why, size_t size)
{
	struct stat st;
	int r = sys->lstat(path, &st);

	if (r == -ENOENT)
		r = sys->mkdir(path, 0755);
	else if (r == 0 && !S_ISDIR(st.st_mode))
		r = -ENOTDIR;
	if (r < 0)
		snprintf(why, size, "%s: %s", path, strerror(-r));
	return r;
}

/* A regular file (lstat: a link is not followed) of at most size-1 bytes, into buf.
 * 0: read; -ENOENT: none; -errno otherwise. */
static int read_regular(const struct sys_ops *sys, const char *path, char *buf, size_t size)
{
	struct stat st;
	int r = sys->lstat(path, &st);

	if (r < 0)
		return r;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_size < 0 || (size_t)st.st_size >= size)
		return -EFBIG;
	ssize_t n = sys->read_file(path, buf, size);
	return n < 0 ? (int)n : 0;
}

/* Append " KEY=value" for each build line of an os-release text, unquoted, control bytes
 * made '?' (the identity is one line of the status file). */
static void add_build_lines(const char *text, char *ret, size_t size)
{
	for (size_t k = 0; build_keys[k]; k++) {
		size_t kl = strlen(build_keys[k]);
		for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
			if (strncmp(l, build_keys[k], kl) || l[kl] != '=')
				continue;
			const char *v = l + kl + 1;
			size_t vl = strcspn(v, "\n");
			if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0])
				v++, vl -= 2;
			size_t at = strlen(ret);
			snprintf(ret + at, size - at, "%s%s=%.*s", at ? " " : "", build_keys[k],
				 (int)vl, v);
			for (char *c = ret + at; *c; c++)
				if ((unsigned char)*c < 0x20 || *c == 0x7f)
					*c = '?';
			break;
		}
	}
}

int rootid_read(const struct sys_ops *sys, const char *dev, const char *root, char *ret,
		size_t size, char *why, size_t why_size)
{
	struct blkinfo info;
	char path[256], text[4096];
	int r = sys->probe(dev, PROBE_FS, &info);

	ret[0] = '\0';
	if (r < 0) {
		snprintf(why, why_size, "probe %s: %s", dev, strerror(-r));
		return r;
	}
	if (info.uuid[0])
		snprintf(ret, size, "uuid=%s", info.uuid);
	/* os-release(5): /etc first, then /usr/lib. /etc/os-release is usually a link to
	 * ../usr/lib/os-release: it is not followed (an absolute link would lead into the
	 * initramfs), /usr/lib's is read instead. */
	snprintf(path, sizeof(path), "%s/etc/os-release", root);
	r = read_regular(sys, path, text, sizeof(text));
	if (r == -ENOENT || r == -EINVAL) {
		snprintf(path, sizeof(path), "%s/usr/lib/os-release", root);
		r = read_regular(sys, path, text, sizeof(text));
	}
	if (r == 0)
		add_build_lines(text, ret, size);
	else if (r != -ENOENT) {
		snprintf(why, why_size, "read %s: %s", path, r == -EINVAL ?
			 "not a regular file" : strerror(-r));
		return r;
	}
	if (!ret[0]) {
		snprintf(why, why_size, "%s has no filesystem UUID and %s no os-release: nothing "
			 "tells one root from another", dev, root);
		return -ENODATA;
	}
	return 0;
}

int rootid_stamp_read(const struct sys_ops *sys, const char *dir, char *ret, size_t size,
		      char *why, size_t why_size)
{
	char path[256], text[sizeof(ROOTID_STAMP_HEAD) + ROOTID_MAX + 1];
	size_t hl = strlen(ROOTID_STAMP_HEAD);

	snprintf(path, sizeof(path), "%s/" ROOTID_STAMP_NAME, dir);
	int r = read_regular(sys, path, text, sizeof(text));
	if (r == -ENOENT)
		return 0;
	size_t l = r == 0 ? strlen(text) : 0;
	if (r == 0 && (strncmp(text, ROOTID_STAMP_HEAD, hl) || l < hl + 2 || text[l - 1] != '\n' ||
		       strchr(text + hl, '\n') != text + l - 1))
		r = -EBADMSG;
	if (r < 0) {
		snprintf(why, why_size, "root record %s: %s", path,
			 r == -EINVAL ? "not a regular file" : r == -EFBIG ? "too big" :
			 r == -EBADMSG ? "not what overroot writes" : strerror(-r));
		return r;
	}
	snprintf(ret, size, "%.*s", (int)(l - hl - 1), text + hl);
	return 1;
}

/* The record's two halves (rootid.h). */
int rootid_stamp_prepare(const struct sys_ops *sys, const char *dir, const char *id)
{
	char tmp[264], text[sizeof(ROOTID_STAMP_HEAD) + ROOTID_MAX + 1];
	int n = snprintf(text, sizeof(text), ROOTID_STAMP_HEAD "%s\n", id);

	snprintf(tmp, sizeof(tmp), "%s/" ROOTID_STAMP_NAME ".tmp", dir);
	int r = sys->write_file(tmp, text, (size_t)n);
	return r < 0 ? r : sys->fsync(tmp);
}

int rootid_stamp_commit(const struct sys_ops *sys, const char *dir)
{
	char path[256], tmp[264];

	snprintf(path, sizeof(path), "%s/" ROOTID_STAMP_NAME, dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int r = sys->rename(tmp, path);
	return r < 0 ? r : sys->fsync(dir);
}

int rootid_stamp_write(const struct sys_ops *sys, const char *dir, const char *id)
{
	int r = rootid_stamp_prepare(sys, dir, id);

	return r < 0 ? r : rootid_stamp_commit(sys, dir);
}

const char *rootid_state_name(enum rootid_state s)
{
	static const char *const names[] = { "", "same", "first", "changed", "unknown" };

	return names[s];
}
