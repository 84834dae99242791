/* The fake's device-mapper (dm_ioctl), device nodes (mknod_blk) and block reads (read_at):
 * devices made, loaded read-only, resumed, asked and removed as the kernel answers, and a
 * verity target that reads EIO, and says C, when its root hash is not the good one. */
#include <errno.h>
#include <linux/dm-ioctl.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/sysmacros.h>
#include "fake_sys.h"

#define DM_MAJOR 253

struct fdev {
	char name[DM_NAME_LEN];
	unsigned minor;
	char type[16], loaded[1024], live[1024];
	uint64_t sectors, live_sectors;
	bool used, bad_read;
};

static struct fdev devs[4];
static unsigned next_minor;
static char good[160];
static bool corrupt;
static struct { char path[64]; uint64_t off; char data[512]; size_t len; } regions[4];
static size_t n_regions;

void fake_dm_reset(void)
{
	memset(devs, 0, sizeof(devs));
	next_minor = 0;
	good[0] = '\0';
	corrupt = false;
	n_regions = 0;
}

void fake_dm_good_hash(const char *hex)
{
	snprintf(good, sizeof(good), "%s", hex);
}

void fake_dm_corrupt(bool c)
{
	corrupt = c;
}

void fake_dm_bytes(const char *path, uint64_t offset, const void *data, size_t len)
{
	if (n_regions == 4 || len > sizeof(regions[0].data))
		return;
	snprintf(regions[n_regions].path, sizeof(regions[0].path), "%s", path);
	regions[n_regions].off = offset;
	memcpy(regions[n_regions].data, data, len);
	regions[n_regions++].len = len;
}

static struct fdev *by_minor(unsigned minor)
{
	for (size_t i = 0; i < 4; i++)
		if (devs[i].used && devs[i].minor == minor)
			return &devs[i];
	return NULL;
}

static struct fdev *make(const char *name)
{
	char node[32];

	for (size_t i = 0; i < 4; i++) {
		if (devs[i].used)
			continue;
		memset(&devs[i], 0, sizeof(devs[i]));
		devs[i].used = true;
		devs[i].minor = next_minor++;
		snprintf(devs[i].name, sizeof(devs[i].name), "%s", name);
		/* the kernel adds the disk at create: devtmpfs makes /dev/dm-N */
		snprintf(node, sizeof(node), "dm-%u", devs[i].minor);
		fake_blk(node, DM_MAJOR, devs[i].minor, NULL);
		return &devs[i];
	}
	return NULL;
}

void fake_dm_kernel_dev(const char *name, unsigned minor, const char *table)
{
	next_minor = minor;
	struct fdev *d = make(name);
	snprintf(d->type, sizeof(d->type), "verity");
	snprintf(d->live, sizeof(d->live), "%s", table);
}

const char *fake_dm_table(const char *name)
{
	for (size_t i = 0; i < 4; i++)
		if (devs[i].used && !strcmp(devs[i].name, name))
			return devs[i].live;
	return "";
}

/* The verity table's field n (from 0): "1 data hash dbs hbs blocks start alg digest salt" */
static void field(const char *table, int n, char *ret, size_t size)
{
	for (; n > 0 && *table; n--)
		table += strcspn(table, " ") + (table[strcspn(table, " ")] == ' ');
	snprintf(ret, size, "%.*s", (int)strcspn(table, " "), table);
}

static bool hash_bad(const struct fdev *d)
{
	char digest[160];

	field(d->live, 8, digest, sizeof(digest));
	return strcasecmp(digest, good) != 0;
}

/* Resumed: the device reads as the data device's filesystem. */
static void go_live(struct fdev *d)
{
	char data[256], node[32];

	snprintf(d->live, sizeof(d->live), "%s", d->loaded);
	d->live_sectors = d->sectors;
	field(d->live, 1, data, sizeof(data));
	snprintf(node, sizeof(node), "/dev/dm-%u", d->minor);
	struct blkinfo *from = fake_blk_node(data, 0, 0, false), *to = fake_blk_node(node, 0, 0,
										     false);
	if (from && to) {
		memset(to, 0, sizeof(*to));
		memcpy(to->type, from->type, sizeof(to->type));
		memcpy(to->label, from->label, sizeof(to->label));
		memcpy(to->uuid, from->uuid, sizeof(to->uuid));
	}
}

static int load(struct fdev *d, struct dm_ioctl *io)
{
	const struct dm_target_spec *t = (const void *)((char *)io + io->data_start);
	const char *params = (const char *)(t + 1);

	if (io->target_count != 1 || io->data_start % 8 || io->data_size < io->data_start +
	    sizeof(*t) + 1 || !memchr(params, '\0', io->data_size - io->data_start - sizeof(*t)))
		return -EINVAL;
	fake_record("dm load %s %s %llu %s %s", d->name, io->flags & DM_READONLY_FLAG ? "ro" : "rw",
		    (unsigned long long)t->length, t->target_type, params);
	/* dm-verity's constructor: "Device must be readonly" */
	if (!strcmp(t->target_type, "verity") && !(io->flags & DM_READONLY_FLAG))
		return -EINVAL;
	snprintf(d->type, sizeof(d->type), "%s", t->target_type);
	snprintf(d->loaded, sizeof(d->loaded), "%s", params);
	d->sectors = t->length;
	return 0;
}

static int status(struct fdev *d, struct dm_ioctl *io)
{
	struct dm_target_spec *t = (void *)((char *)io + io->data_start);
	const char *line = io->flags & DM_STATUS_TABLE_FLAG ? d->live :
			   corrupt || d->bad_read ? "C" : "V";
	size_t need = io->data_start + sizeof(*t) + strlen(line) + 1;

	if (!d->live[0]) {
		io->target_count = 0;
		return 0;
	}
	if (need > io->data_size) {
		io->flags |= DM_BUFFER_FULL_FLAG;
		return 0;
	}
	memset(t, 0, sizeof(*t));
	t->length = d->live_sectors;
	snprintf(t->target_type, sizeof(t->target_type), "%s", d->type);
	strcpy((char *)(t + 1), line);
	io->target_count = 1;
	io->data_size = (uint32_t)need;
	return 0;
}

static void remove_dev(struct fdev *d)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/dm-%u", d->minor);
	fake_remove(path);
	snprintf(path, sizeof(path), "/sys/class/block/dm-%u/dev", d->minor);
	fake_remove(path);
	snprintf(path, sizeof(path), "/sys/class/block/dm-%u", d->minor);
	fake_remove(path);
	d->used = false;
}

int fake_dm_ioctl(unsigned long cmd, struct dm_ioctl *io)
{
	static const char *const names[] = { [_IOC_NR(DM_DEV_CREATE)] = "create",
		[_IOC_NR(DM_DEV_REMOVE)] = "remove", [_IOC_NR(DM_DEV_SUSPEND)] = "resume",
		[_IOC_NR(DM_TABLE_LOAD)] = "load", [_IOC_NR(DM_TABLE_STATUS)] = "status" };
	unsigned nr = _IOC_NR(cmd);
	const char *what = nr < sizeof(names) / sizeof(names[0]) && names[nr] ? names[nr] : "?";
	struct fdev *d = NULL;

	if (cmd != DM_TABLE_LOAD)
		fake_record("dm %s %s%s", what, io->name[0] ? io->name : "dev ",
			    io->name[0] ? "" : (major(io->dev) == DM_MAJOR ? "253" : "other"));
	int r = fake_hit("dm_ioctl", io->name);
	if (r)
		return r;
	if (io->version[0] != DM_VERSION_MAJOR || io->data_size < sizeof(*io))
		return -EINVAL;
	for (size_t i = 0; i < 4 && !d; i++)
		if (devs[i].used && (io->name[0] ? !strcmp(devs[i].name, io->name) :
				     io->dev == makedev(DM_MAJOR, devs[i].minor)))
			d = &devs[i];
	io->version[1] = 47;	/* what 6.1 says */
	if (cmd == DM_DEV_CREATE) {
		if (d)
			return -EBUSY;
		if (!(d = make(io->name)))
			return -ENOMEM;
		io->dev = makedev(DM_MAJOR, d->minor);
		return 0;
	}
	if (!d)
		return -ENXIO;
	switch (cmd) {
	case DM_TABLE_LOAD:
		return load(d, io);
	case DM_DEV_SUSPEND:
		if (!(io->flags & DM_SUSPEND_FLAG) && d->loaded[0])
			go_live(d);
		return 0;
	case DM_TABLE_STATUS:
		return status(d, io);
	case DM_DEV_REMOVE:
		remove_dev(d);
		return 0;
	}
	return -ENOTTY;
}

int fake_mknod_blk(const char *path, unsigned major, unsigned minor)
{
	char parent[256], node[32];

	fake_record("mknod %s %u:%u", path, major, minor);
	int r = fake_hit("mknod_blk", path);
	if (r)
		return r;
	snprintf(parent, sizeof(parent), "%.*s", (int)(strrchr(path, '/') - path), path);
	if (fake_exists(path))
		return -EEXIST;
	if (!fake_exists(parent))
		return -ENOENT;
	struct blkinfo *to = fake_blk_node(path, major, minor, true);
	snprintf(node, sizeof(node), "/dev/dm-%u", minor);
	const struct blkinfo *from = major == DM_MAJOR ? fake_blk_node(node, 0, 0, false) : NULL;
	if (from && to != from)
		*to = *from;
	return 0;
}

ssize_t fake_read_at(const char *path, uint64_t offset, void *buf, size_t len)
{
	unsigned maj, min;

	fake_record("read_at %s %llu %zu", path, (unsigned long long)offset, len);
	int r = fake_hit("read_at", path);
	if (r)
		return r;
	if (!fake_blk_num(path, &maj, &min))
		return -ENOENT;
	memset(buf, 0, len);
	struct fdev *d = maj == DM_MAJOR ? by_minor(min) : NULL;
	if (maj == DM_MAJOR && (!d || !d->live[0]))
		return 0;	/* no table: a device of size 0 */
	if (d && hash_bad(d)) {
		d->bad_read = true;
		return -EIO;
	}
	for (size_t i = 0; i < n_regions; i++)
		if (!strcmp(regions[i].path, path) && regions[i].off >= offset &&
		    regions[i].off + regions[i].len <= offset + len)
			memcpy((char *)buf + (regions[i].off - offset), regions[i].data,
			       regions[i].len);
	return (ssize_t)len;
}
