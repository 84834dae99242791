/* The reset mark: `overroot reset` in the booted system asks the next boot for an empty
 * upper by a file on the rw partition itself (never on the read-only root or the boot
 * partition), /overlay/.overroot-reset, holding exactly RESETMARK_TEXT. The boot treats it
 * as rootrwreset=yes. */
#ifndef OVERROOT_RESETMARK_H
#define OVERROOT_RESETMARK_H

#include <stddef.h>
#include "overroot/sys.h"

#define RESETMARK_NAME ".overroot-reset"
#define RESETMARK_TEXT "overroot reset: start from an empty upper\n"

/* Is there a mark in dir (the rw partition's mount point)? 1: a valid one; 0: none; -errno:
 * something is there that cannot be read safely (not a regular file, too big, other
 * content, unreadable): why says what, and the caller must say loudly that it ignores it. */
int resetmark_read(const struct sys_ops *sys, const char *dir, char *why, size_t size);

#endif
