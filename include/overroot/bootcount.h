/* Boot counting (rootrwtries=N): every boot with a persistent overlay counts itself beside
 * the upper it uses (DIR/.overroot-tries, DIR the directory of upper/: /overlay, or a slot's),
 * `overroot boot-ok` clears the count, `overroot boot-bad` marks it bad, and after N boots in
 * a row never confirmed (or one marked bad) the next boot sets the upper aside (aside.h) and
 * starts a fresh one. With the overlay on a data partition that may be full, the boot keeps
 * a reserve there (/overlay/.overroot-reserve) and gives it back when the space is short. */
#ifndef OVERROOT_BOOTCOUNT_H
#define OVERROOT_BOOTCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "overroot/sys.h"

#define BOOTCOUNT_NAME ".overroot-tries"
#define BOOTCOUNT_HEAD "overroot boot "		/* "overroot boot S, unconfirmed K[ bad]\n" */
#define BOOTCOUNT_RESERVE "/overlay/.overroot-reserve"
#ifndef CONFIG_RESERVE_BYTES
#define CONFIG_RESERVE_BYTES 65536	/* a set-aside, a count and the overlay's work/work */
#endif

/* The count: seq, the upper's boot sequence number (only grows; the wall clock may be wrong);
 * count, the boots in a row not confirmed; bad, overroot boot-bad said so. */
struct bootcount {
	unsigned seq, count;
	bool bad;
};

/* What the boot did, for the status file. */
struct heal {
	unsigned seq, count;		/* this boot's, when counted */
	char aside[96];			/* where this boot set an upper aside, "" if nowhere */
	char reason[96];		/* why */
	bool reserve_make;		/* the reserve is missing or was given back */
	uint64_t data_size, data_free;	/* the data partition at the hand-over; 0 0 unknown */
};

/* The count in dir: 1 read, 0 none (all 0), -errno when something there cannot be read
 * safely (not a regular file, not what overroot writes: why says what). */
int bootcount_read(const struct sys_ops *sys, const char *dir, struct bootcount *ret, char *why,
		   size_t size);
/* Replace it, whole: a power cut leaves the old count or the new one. */
int bootcount_write(const struct sys_ops *sys, const char *dir, const struct bootcount *bc);

/* path replaced by text: written to path.tmp, synced, renamed, its directory synced. */
int bootcount_put(const struct sys_ops *sys, const char *path, const char *text);

struct boot_ctx;
/* The overlayroot stage, once the upper is chosen and a reset done (reset: one was), before
 * the upper is used: the reserve given back when space is short, a pending restore, the
 * count and a set-aside by it, rootrwkeep=. < 0 (why said): the overlay must not come up. */
int bootcount_boot(struct boot_ctx *ctx, bool reset, char *why, size_t size);
/* Once the overlay is mounted: the reserve made again, the data partition's space measured,
 * a warning when it is low. */
void bootcount_mounted(struct boot_ctx *ctx);

#endif
