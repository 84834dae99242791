/* device-mapper's ioctls (Documentation/admin-guide/device-mapper/, include/uapi/linux/
 * dm-ioctl.h): a struct dm_ioctl header, then data_start bytes on, the request's payload
 * (target specs each followed by their parameters). The kernel answers in the same buffer. */
#include <errno.h>
#include <linux/dm-ioctl.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include "overroot/dm.h"

/* One request and its answer: a verity table or status line is a few hundred bytes. */
union dm_buf {
	struct dm_ioctl io;
	uint64_t align;		/* the kernel wants the specs 8-byte aligned (6.5 checks it) */
	char bytes[4096];
};

#define DM_DATA ((sizeof(struct dm_ioctl) + 7) & ~(size_t)7)

static void dm_init(union dm_buf *b, const struct dm_dev *dev, uint32_t flags)
{
	memset(b, 0, sizeof(*b));
	/* 4.0.0: everything used here is in the first version 4; the kernel takes any older
	 * minor and says its own in the answer. */
	b->io.version[0] = DM_VERSION_MAJOR;
	b->io.data_size = sizeof(*b);
	b->io.data_start = DM_DATA;
	b->io.flags = flags;
	if (dev->name)
		snprintf(b->io.name, sizeof(b->io.name), "%s", dev->name);
	else
		b->io.dev = makedev(dev->major, dev->minor);
}

static int dm_call(const struct sys_ops *sys, unsigned long cmd, union dm_buf *b)
{
	int r = sys->dm_ioctl(cmd, &b->io);

	if (r < 0)
		return r;
	if (b->io.version[0] != DM_VERSION_MAJOR || b->io.data_size > sizeof(*b))
		return -EPROTO;
	return b->io.flags & DM_BUFFER_FULL_FLAG ? -ENOSPC : 0;
}

int dm_create(const struct sys_ops *sys, const char *name, struct dm_dev *ret)
{
	union dm_buf b;
	struct dm_dev d = { .name = name };

	if (strlen(name) >= DM_NAME_LEN)
		return -ENAMETOOLONG;
	dm_init(&b, &d, 0);
	int r = dm_call(sys, DM_DEV_CREATE, &b);
	if (r < 0)
		return r;
	ret->name = name;
	ret->major = major(b.io.dev);
	ret->minor = minor(b.io.dev);
	return ret->major ? 0 : -EPROTO;
}

int dm_load(const struct sys_ops *sys, const char *name, uint64_t sectors, const char *type,
	    const char *params)
{
	union dm_buf b;
	struct dm_dev d = { .name = name };
	struct dm_target_spec *t = (struct dm_target_spec *)(b.bytes + DM_DATA);
	size_t len = strlen(params) + 1, room = sizeof(b) - DM_DATA - sizeof(*t);

	if (len > room || strlen(type) >= sizeof(t->target_type))
		return -E2BIG;
	dm_init(&b, &d, DM_READONLY_FLAG);
	b.io.target_count = 1;
	t->length = sectors;
	snprintf(t->target_type, sizeof(t->target_type), "%s", type);
	memcpy(t + 1, params, len);
	t->next = (uint32_t)((sizeof(*t) + len + 7) & ~(size_t)7);
	b.io.data_size = (uint32_t)(DM_DATA + t->next);
	return dm_call(sys, DM_TABLE_LOAD, &b);
}

static int dm_simple(const struct sys_ops *sys, unsigned long cmd, const char *name)
{
	union dm_buf b;
	struct dm_dev d = { .name = name };

	dm_init(&b, &d, 0);
	return dm_call(sys, cmd, &b);
}

int dm_resume(const struct sys_ops *sys, const char *name)
{
	return dm_simple(sys, DM_DEV_SUSPEND, name);
}

int dm_remove(const struct sys_ops *sys, const char *name)
{
	return dm_simple(sys, DM_DEV_REMOVE, name);
}

int dm_status(const struct sys_ops *sys, const struct dm_dev *dev, bool table,
	      char *ret_type, char *ret, size_t size)
{
	union dm_buf b;

	dm_init(&b, dev, table ? DM_STATUS_TABLE_FLAG : 0);
	int r = dm_call(sys, DM_TABLE_STATUS, &b);
	if (r < 0)
		return r;
	/* exactly one target, inside the answer, its line NUL-terminated there */
	size_t at = b.io.data_start, end = b.io.data_size;
	const struct dm_target_spec *t = (const struct dm_target_spec *)(b.bytes + at);
	if (b.io.target_count != 1 || at < sizeof(b.io) || at % 8 || at + sizeof(*t) >= end ||
	    !memchr(t + 1, '\0', end - at - sizeof(*t)) ||
	    !memchr(t->target_type, '\0', sizeof(t->target_type)))
		return -EPROTO;
	snprintf(ret_type, 16, "%s", t->target_type);
	return snprintf(ret, size, "%s", (const char *)(t + 1)) < (int)size ? 0 : -ENOSPC;
}
