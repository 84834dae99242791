/* A small device-mapper client over the raw ioctls of <linux/dm-ioctl.h>, interface
 * version 4, through sys_ops' dm_ioctl: no libdevmapper, no udev. Every request is built as
 * data, every answer checked (the version the kernel speaks, a full buffer, the one target).
 * Each returns 0 or -errno (-EPROTO: an answer that is not what the interface says). */
#ifndef OVERROOT_DM_H
#define OVERROOT_DM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "overroot/sys.h"

/* A device by name, or (name NULL) by its number. */
struct dm_dev {
	const char *name;
	unsigned major, minor;
};

/* DM_DEV_CREATE: a new device with no table; its number in ret. */
int dm_create(const struct sys_ops *sys, const char *name, struct dm_dev *ret);
/* DM_TABLE_LOAD, read-only (DM_READONLY_FLAG): one target of sectors sectors. */
int dm_load(const struct sys_ops *sys, const char *name, uint64_t sectors, const char *type,
	    const char *params);
/* DM_DEV_SUSPEND without DM_SUSPEND_FLAG: the loaded table goes live. */
int dm_resume(const struct sys_ops *sys, const char *name);
/* DM_DEV_REMOVE: undo a half-made device. */
int dm_remove(const struct sys_ops *sys, const char *name);
/* DM_TABLE_STATUS of the device's one target: its type (size 16) and its status line, or
 * with table its table line (what a device the kernel made was given). */
int dm_status(const struct sys_ops *sys, const struct dm_dev *dev, bool table,
	      char *ret_type, char *ret, size_t size);

#endif
