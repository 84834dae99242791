/* A path resolved as another root will see it: what openat2(RESOLVE_IN_ROOT) does, through
 * the sys_ops seam (lstat, readlink), so that it runs on any kernel and on the fake. */
#ifndef OVERROOT_RESOLVE_H
#define OVERROOT_RESOLVE_H

#include <stddef.h>
#include "overroot/sys.h"

/* The kernel's limit on links followed in one lookup (MAXSYMLINKS). */
#define RESOLVE_MAX_LINKS 40

/* Resolve path (absolute or not, taken from root's /) inside the directory root: every
 * symbolic link on the way, absolute or relative, is followed as if root were /, and ".."
 * never climbs above it. ret gets the result as root sees it ("/usr/lib/systemd/systemd"),
 * without links. Returns 0, or -ENOENT (a component, or a link's target, is missing),
 * -ENOTDIR, -ELOOP (more than RESOLVE_MAX_LINKS links), -ENAMETOOLONG, or another -errno
 * of lstat/readlink. links counts the links followed, also on a failure (may be
 * NULL). */
int resolve_in_root(const struct sys_ops *sys, const char *root, const char *path, char *ret,
		    size_t size, unsigned *links);

#endif
