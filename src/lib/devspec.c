/* root=/rootrw= device specs -> a /dev path, without udev: scan /sys/class/block, probe
 * with libblkid (sys->probe), and wait on kernel uevents rather than polling. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/sysmacros.h>
#include "overroot/devspec.h"
#include "overroot/log.h"
#include "overroot/params.h"

#define SYS_BLOCK "/sys/class/block"
#define WAIT_SLICE_MS 5000	/* "still waiting" every 5 s */

static const struct {
	const char *prefix;
	enum devspec_kind kind;
} tags[] = {
	{ "UUID=", DEVSPEC_UUID },
	{ "PARTUUID=", DEVSPEC_PARTUUID },
	{ "LABEL=", DEVSPEC_LABEL },
	{ "PARTLABEL=", DEVSPEC_PARTLABEL },
};

static int parse_majmin(const char *s, unsigned *maj, unsigned *min)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	unsigned long a = strtoul(s, &end, 10);
	if (*end != ':' || end[1] < '0' || end[1] > '9')
		return -EINVAL;
	unsigned long b = strtoul(end + 1, &end, 10);
	if (*end || a > 0xfff || b > 0xfffff)
		return -EINVAL;
	*maj = (unsigned)a;
	*min = (unsigned)b;
	return 0;
}

int devspec_parse(const char *s, struct devspec *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (!s || !*s || strlen(s) >= sizeof(ret->value))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		size_t l = strlen(tags[i].prefix);
		if (!strncmp(s, tags[i].prefix, l)) {
			if (!s[l])
				return -EINVAL;
			ret->kind = tags[i].kind;
			snprintf(ret->value, sizeof(ret->value), "%s", s + l);
			return 0;
		}
	}
	if (parse_majmin(s, &ret->major, &ret->minor) == 0) {
		ret->kind = DEVSPEC_MAJMIN;
		snprintf(ret->value, sizeof(ret->value), "%s", s);
		return 0;
	}
	if (strpbrk(s, "=:") || !strcmp(s, "/dev/") || strstr(s, ".."))
		return -EINVAL;
	/* The kernel also takes a bare name ("mmcblk0p2") for /dev/mmcblk0p2. */
	ret->kind = DEVSPEC_PATH;
	if (s[0] == '/')
		snprintf(ret->value, sizeof(ret->value), "%s", s);
	else if (snprintf(ret->value, sizeof(ret->value), "/dev/%s", s) >= (int)sizeof(ret->value))
		return -EINVAL;
	return 0;
}

bool devspec_match(const struct devspec *d, const char *devpath, unsigned major,
		   unsigned minor, const struct blkinfo *info)
{
	switch (d->kind) {
	case DEVSPEC_PATH:
		return !strcmp(devpath, d->value);
	case DEVSPEC_MAJMIN:
		return major == d->major && minor == d->minor;
	case DEVSPEC_UUID:
		return info && !strcasecmp(info->uuid, d->value);
	case DEVSPEC_PARTUUID:
		return info && !strcasecmp(info->partuuid, d->value);
	case DEVSPEC_LABEL:
		return info && !strcmp(info->label, d->value);
	case DEVSPEC_PARTLABEL:
		return info && !strcmp(info->partlabel, d->value);
	}
	return false;
}

/* One block device seen in /sys/class/block. */
struct blkdev {
	char path[300];
	unsigned major, minor;
};

static int read_blkdev(const struct sys_ops *sys, const char *name, struct blkdev *ret)
{
	char path[300], buf[64];

	snprintf(path, sizeof(path), SYS_BLOCK "/%s/size", name);
	/* Empty devices (ram, loop, an SD slot without a card) have nothing to find and
	 * some block on open. */
	if (sys->read_file(path, buf, sizeof(buf)) > 0 && !strcmp(buf, "0\n"))
		return -ENODEV;
	snprintf(path, sizeof(path), SYS_BLOCK "/%s/dev", name);
	if (sys->read_file(path, buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "%u:%u", &ret->major, &ret->minor) != 2)
		return -ENODEV;
	snprintf(ret->path, sizeof(ret->path), "/dev/%s", name);
	return 0;
}

/* A UUID or LABEL is in the filesystem, a PARTUUID or PARTLABEL in the partition table:
 * reading only that one halves the probing. */
static unsigned devspec_probe_what(const struct devspec *d)
{
	return d->kind == DEVSPEC_PARTUUID || d->kind == DEVSPEC_PARTLABEL ? PROBE_PART : PROBE_FS;
}

struct scan {
	const struct sys_ops *sys;
	const struct devspec *d;
	char *ret;
	size_t size;
	unsigned found;
};

static int scan_one(const char *name, void *arg)
{
	struct scan *s = arg;
	struct blkdev b;
	struct blkinfo info;
	bool tag = s->d->kind != DEVSPEC_MAJMIN;

	if (read_blkdev(s->sys, name, &b) < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	if (tag && s->sys->probe(b.path, devspec_probe_what(s->d), &info) < 0)
		return 0;
	if (!devspec_match(s->d, b.path, b.major, b.minor, tag ? &info : NULL))
		return 0;
	if (s->found++ == 0)
		snprintf(s->ret, s->size, "%s", b.path);
	else	/* two cards with the same image: say which one boots */
		log_warn("devspec", "%s also matches %s: using %s", b.path, s->d->value, s->ret);
	return 0;
}

int devspec_find(const struct sys_ops *sys, const struct devspec *d, char *ret, size_t size)
{
	struct stat st;

	if (d->kind == DEVSPEC_PATH) {
		/* A partition's node is made before it can be opened (the kernel's
		 * add_partition: device_add, bdev_add, then the uevent that wakes the wait):
		 * until then an open says ENXIO, and the device is not there yet. */
		if (sys->stat(d->value, &st) < 0 || !S_ISBLK(st.st_mode) ||
		    sys->blk_get_ro(d->value) == -ENXIO)
			return -ENOENT;
		snprintf(ret, size, "%s", d->value);
		return 0;
	}
	struct scan s = { .sys = sys, .d = d, .ret = ret, .size = size };
	int r = sys->listdir(SYS_BLOCK, scan_one, &s);
	if (r < 0)
		return r;
	return s.found ? 0 : -ENOENT;
}

int devspec_wait(const struct sys_ops *sys, const struct devspec *d, unsigned timeout_s,
		 char *ret, size_t size)
{
	/* Usually the device is there already: no listener needed. Otherwise listen, then
	 * look again, so a device that appears in between still wakes us. */
	int r = devspec_find(sys, d, ret, size);
	if (r != -ENOENT)
		return r;
	int fd = sys->uevent_open();
	uint64_t start = sys->now_ms(), next_note = start + WAIT_SLICE_MS;

	if (fd < 0)
		log_warn("devspec", "listen for kernel events: %s: polling every 100 ms instead",
			 strerror(-fd));
	while ((r = devspec_find(sys, d, ret, size)) == -ENOENT) {
		uint64_t now = sys->now_ms();
		int64_t left = timeout_s == PARAM_FOREVER ? WAIT_SLICE_MS
				: (int64_t)(start + (uint64_t)timeout_s * 1000) - (int64_t)now;
		if (left <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		if (now >= next_note) {
			log_notice("devspec", "still waiting for %s (%llu s)", d->value,
				   (unsigned long long)((now - start) / 1000));
			next_note = now + WAIT_SLICE_MS;
		}
		int slice = left > WAIT_SLICE_MS ? WAIT_SLICE_MS : (int)left;
		if (fd >= 0) {
			int w = sys->uevent_wait(fd, slice);
			if (w < 0) {
				r = w;
				break;
			}
		} else {
			sys->sleep_ms(slice < 100 ? (unsigned)slice : 100);
		}
	}
	if (fd >= 0)
		sys->close(fd);
	return r;
}

struct present {
	const struct sys_ops *sys;
	const char *stage;
	unsigned found;
};

static int log_one(const char *name, void *arg)
{
	struct present *p = arg;
	struct blkdev b;
	struct blkinfo i;

	if (read_blkdev(p->sys, name, &b) < 0)
		return 0;
	p->found++;
	memset(&i, 0, sizeof(i));
	p->sys->probe(b.path, PROBE_FS | PROBE_PART, &i);
	log_err(p->stage, "  present: %s (%u:%u) TYPE=%s LABEL=%s UUID=%s PARTUUID=%s "
		"PARTLABEL=%s", b.path, b.major, b.minor, i.type, i.label, i.uuid, i.partuuid,
		i.partlabel);
	return 0;
}

void devspec_log_present(const struct sys_ops *sys, const char *stage)
{
	struct present p = { .sys = sys, .stage = stage };

	sys->listdir(SYS_BLOCK, log_one, &p);
	if (!p.found)
		log_err(stage, "  no block device has appeared: is its driver built in or listed "
			"in /etc/modules-load.d?");
}
