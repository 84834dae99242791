/* Device specs as users type them in root= and rootrw=: /dev/..., UUID=, PARTUUID=,
 * LABEL=, PARTLABEL=, MAJ:MIN. Resolved by scanning /sys/class/block and probing with
 * libblkid (through sys_ops), woken by kernel uevents: no udev, no /dev/disk links. */
#ifndef OVERROOT_DEVSPEC_H
#define OVERROOT_DEVSPEC_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include "overroot/sys.h"

enum devspec_kind { DEVSPEC_PATH, DEVSPEC_UUID, DEVSPEC_PARTUUID, DEVSPEC_LABEL,
		    DEVSPEC_PARTLABEL, DEVSPEC_MAJMIN };

struct devspec {
	enum devspec_kind kind;
	char value[256];	/* path, tag value, or "MAJ:MIN" */
	unsigned major, minor;
};

/* Parse a spec; -EINVAL (empty, unknown form, bad MAJ:MIN, over-long). Quotes have been
 * removed by the command-line parser already. */
int devspec_parse(const char *s, struct devspec *ret);

/* Does a probed device match? (UUID/PARTUUID compare case-insensitively.) */
bool devspec_match(const struct devspec *d, const char *devpath, unsigned major,
		   unsigned minor, const struct blkinfo *info);

/* One scan of the block devices present now; copies the matching /dev path into ret.
 * Returns 0, or -ENOENT when nothing matches yet. */
int devspec_find(const struct sys_ops *sys, const struct devspec *d, char *ret, size_t size);

/* Wait up to timeout_s (PARAM_FOREVER: forever) for the device, on uevents.
 * Returns 0 with the path in ret, -ETIMEDOUT, or another -errno. */
int devspec_wait(const struct sys_ops *sys, const struct devspec *d, unsigned timeout_s,
		 char *ret, size_t size);

/* Log every block device present with TYPE/LABEL/UUID/PARTUUID (for "not found"). */
void devspec_log_present(const struct sys_ops *sys, const char *stage);

#endif
