/* Mount a block device found by a devspec: the filesystem type given or probed, its
 * module loaded (fs-<type>) when the kernel does not know it yet. Shared by rootfs and
 * overlayroot: a part of the boot (src/boot/blockmount.c). */
#ifndef OVERROOT_BLOCKMOUNT_H
#define OVERROOT_BLOCKMOUNT_H

#include "overroot/boot.h"

/* Mount dev on target. type: NULL to probe; ret_type (size 32) gets the type used.
 * Logs the failure ("mount /dev/vda3 on /overlay (ext4): Invalid argument") under stage.
 * -ENOMEDIUM: the device has no filesystem libblkid knows. */
int blockmount(struct boot_ctx *ctx, const char *stage, const char *dev, const char *target,
	       const char *type, unsigned long flags, const char *data, char *ret_type);

/* Resolve spec (a root= form) and wait for it on kernel events for timeout_s.
 * Logs what was asked for and what is present when it never comes. */
int blockmount_find(struct boot_ctx *ctx, const char *stage, const char *param,
		    const char *spec, unsigned timeout_s, char *ret_dev, size_t size);

#endif
