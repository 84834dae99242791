/* Resolve a path inside another root, one component at a time. Real roots start their init
 * through links: Debian's /sbin/init -> /lib/systemd/systemd (absolute), OpenEmbedded's
 * update-alternatives' /sbin/init -> /sbin/init.sysvinit, merged-/usr's /sbin -> usr/sbin.
 * Looked up from the initramfs, an absolute target would land in the initramfs. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "overroot/resolve.h"

/* Drop the last component of done ("/a/b" -> "/a", "/a" -> ""): ".." stops at the root. */
static void pop(char *done)
{
	char *s = strrchr(done, '/');

	if (s)
		*s = '\0';
}

int resolve_in_root(const struct sys_ops *sys, const char *root, const char *path, char *ret,
		    size_t size, unsigned *links)
{
	char todo[PATH_MAX], next[PATH_MAX], target[PATH_MAX], full[PATH_MAX];
	char done[PATH_MAX] = "";	/* resolved so far, as root sees it: "" or "/a/b" */
	unsigned dummy, *n = links ? links : &dummy;
	struct stat st;

	*n = 0;
	if ((size_t)snprintf(todo, sizeof(todo), "%s", path) >= sizeof(todo))
		return -ENAMETOOLONG;
	const char *p = todo;
	while (*p) {
		while (*p == '/')
			p++;
		size_t len = strcspn(p, "/");
		if (!len)
			break;
		const char *comp = p;
		p += len;
		if (len == 1 && comp[0] == '.')
			continue;
		if (len == 2 && comp[0] == '.' && comp[1] == '.') {
			pop(done);
			continue;
		}
		size_t dl = strlen(done);
		if (dl + 1 + len >= sizeof(done))
			return -ENAMETOOLONG;
		done[dl] = '/';
		memcpy(done + dl + 1, comp, len);
		done[dl + 1 + len] = '\0';
		if ((size_t)snprintf(full, sizeof(full), "%s%s", root, done) >= sizeof(full))
			return -ENAMETOOLONG;
		int r = sys->lstat(full, &st);
		if (r < 0)
			return r;
		if (S_ISLNK(st.st_mode)) {
			if (++*n > RESOLVE_MAX_LINKS)
				return -ELOOP;
			ssize_t tl = sys->readlink(full, target, sizeof(target));
			if (tl < 0)
				return (int)tl;
			if (tl == 0)
				return -ENOENT;	/* an empty link resolves to nothing */
			/* the link's target, then what was left after the link */
			if ((size_t)snprintf(next, sizeof(next), "%s%s", target, p) >= sizeof(next))
				return -ENAMETOOLONG;
			memcpy(todo, next, sizeof(todo));
			p = todo;
			if (target[0] == '/')
				done[0] = '\0';
			else
				pop(done);	/* relative: from the link's directory */
		} else if (*p && !S_ISDIR(st.st_mode)) {
			return -ENOTDIR;
		}
	}
	if ((size_t)snprintf(ret, size, "%s", done[0] ? done : "/") >= size)
		return -ENAMETOOLONG;
	return 0;
}
