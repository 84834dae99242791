/* The rw device checked before it becomes the upper: e2fsck as a child with a time limit,
 * its exit status read by e2fsck(8)'s contract (src/lib/fsck.c). */
#ifndef OVERROOT_FSCK_H
#define OVERROOT_FSCK_H

#include <stddef.h>

struct boot_ctx;

#define FSCK_LOG "/run/overroot/fsck.log"
/* On the data partition, in the trash the next boot that builds the overlay deletes: "this
 * boot already rebooted once because e2fsck asked". Nothing is ever written on the root. */
#define FSCK_REBOOTED "/overlay/.overroot-trash/fsck-rebooted"

/* What the check did, for the status file: result NULL when no check was due (not
 * ext2/3/4); clean, fixed, refused, skipped, timeout, killed, missing or error. */
struct fsck_state {
	const char *result;
	int exit;		/* e2fsck's exit status, 128+N for signal N, -1 not run */
	unsigned ms;		/* how long it took */
};

/* Check dev (of filesystem type) before it is mounted on /overlay. 0: mount it (clean,
 * fixed, or no check possible: said once); -EUCLEAN, why set: do not use it read-write. */
int fsck_rw(struct boot_ctx *ctx, const char *dev, const char *type, char *why, size_t size);

#endif
