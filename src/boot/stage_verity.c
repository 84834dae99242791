/* Stage: dm-verity under the root. With roothash= (systemd's words) or meta-security's env
 * file in the initramfs, the data and hash devices are found and locked, /dev/mapper/root
 * is made from the kernel's verity target, read back and its status asked; rootfs then
 * mounts it. Every failure is fatal: the raw data device is never mounted instead. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "overroot/devspec.h"
#include "overroot/dm.h"
#include "overroot/log.h"
#include "overroot/stages.h"

#define NO "not booting it unverified"

struct vdev {
	const char *what, *source;	/* "data", "systemd.verity_root_data" */
	char spec[300];
	char path[256];
};

static void warn_option(const char *msg)
{
	log_warn("verity", "%s", msg);
}

/* The configuration from the env file, then roothash= and the options over it. */
static int configure(struct boot_ctx *ctx, struct verity_cfg *c, bool *ret_env,
		     const char **ret_src)
{
	const struct params *p = &ctx->p;
	char text[4096], err[256];
	ssize_t n = ctx->sys->read_file(VERITY_ENV, text, sizeof(text));

	*ret_env = n >= 0;
	verity_defaults(c);
	if (n < 0 && n != -ENOENT) {
		log_err("verity", "read " VERITY_ENV ": %s: the root cannot be verified: " NO,
			strerror((int)-n));
		return (int)n;
	}
	if (n >= 0 && ((size_t)n >= sizeof(text) - 1 ||
		       verity_parse_env(c, text, err, sizeof(err)) < 0)) {
		log_err("verity", "malformed " VERITY_ENV ": %s: " NO,
			(size_t)n >= sizeof(text) - 1 ? "too long" : err);
		return -EINVAL;
	}
	*ret_src = VERITY_ENV ": ROOT_HASH";
	if (p->roothash) {
		*ret_src = "roothash";
		if (verity_set_hash(c, p->roothash) < 0) {
			log_err("verity", "roothash=%s is not a hex root hash: " NO, p->roothash);
			return -EINVAL;
		}
	}
	if (p->verity_options && verity_parse_options(c, p->verity_options, warn_option, err,
						      sizeof(err)) < 0) {
		log_err("verity", "systemd.verity_root_options=%s: %s: " NO, p->verity_options,
			err);
		return -EINVAL;
	}
	return 0;
}

static int find(struct boot_ctx *ctx, struct vdev *v)
{
	struct devspec d;
	unsigned t = ctx->p.root_timeout_s;
	int r = devspec_parse(v->spec, &d);

	if (r < 0) {
		log_err("verity", "%s device %s (%s) is not a device: expected /dev/NAME, UUID=, "
			"PARTUUID=, LABEL=, PARTLABEL= or MAJ:MIN: " NO, v->what, v->spec,
			v->source);
		return r;
	}
	r = devspec_wait(ctx->sys, &d, t, v->path, sizeof(v->path));
	if (r == -ETIMEDOUT) {
		log_err("verity", "%s device %s (%s) not found after %u s: the root cannot be "
			"verified: " NO "; block devices present:", v->what, v->spec, v->source, t);
		devspec_log_present(ctx->sys, "verity");
		return -ENODEV;
	}
	if (r < 0)
		log_err("verity", "look for the %s device %s (%s): %s: " NO, v->what, v->spec,
			v->source, strerror(-r));
	else
		log_info("verity", "%s device %s (%s) is %s", v->what, v->spec, v->source,
			 v->path);
	return r;
}

static void partuuid(struct vdev *v, const char *uuid, const char *source)
{
	snprintf(v->spec, sizeof(v->spec), "PARTUUID=%s", uuid);
	v->source = source;
}

/* Where the data and the tree are: systemd's rules, or the env file's. */
static int devices(struct boot_ctx *ctx, const struct verity_cfg *c, bool env,
		   struct vdev *data, struct vdev *hash)
{
	const struct params *p = &ctx->p;
	char uuid[37];
	bool same = false;

	if (p->verity_data || (p->root && strcmp(p->root, VERITY_DEV))) {
		snprintf(data->spec, sizeof(data->spec), "%s", p->verity_data ?: p->root);
		data->source = p->verity_data ? "systemd.verity_root_data" : "root";
	} else if (env && c->root_uuid[0]) {
		partuuid(data, c->root_uuid, "ROOT_UUID");
	} else if (verity_partuuid(c->root_hash, false, uuid) == 0) {
		partuuid(data, uuid, "roothash's first 128 bits");
	} else {
		log_err("verity", "no data device: the root hash is too short to find it by "
			"PARTUUID, give systemd.verity_root_data= or root=: " NO);
		return -EINVAL;
	}
	if (p->verity_hash) {
		snprintf(hash->spec, sizeof(hash->spec), "%s", p->verity_hash);
		hash->source = "systemd.verity_root_hash";
	} else if (env && c->separate_hash) {
		partuuid(hash, c->rhash_uuid, "RHASH_UUID");
	} else if (env || (c->given & VG_OFFSET) || verity_partuuid(c->root_hash, true, uuid)) {
		same = true;	/* the tree after the data, at the hash offset */
	} else {
		partuuid(hash, uuid, "roothash's last 128 bits");
	}
	int r = find(ctx, data);
	if (r == 0 && same)
		memcpy(hash->path, data->path, sizeof(hash->path));
	else if (r == 0)
		r = find(ctx, hash);
	return r;
}

static int superblock(struct boot_ctx *ctx, struct verity_cfg *c, const char *hash)
{
	unsigned char sb[VERITY_SB_SIZE];
	char err[256];
	unsigned long long at = (unsigned long long)c->hash_offset;
	ssize_t n = ctx->sys->read_at(hash, c->hash_offset, sb, sizeof(sb));

	if (n != (ssize_t)sizeof(sb)) {
		log_err("verity", "read the verity superblock of %s at %llu: %s: " NO, hash, at,
			strerror(n < 0 ? (int)-n : EIO));
		return n < 0 ? (int)n : -EIO;
	}
	int r = verity_check_sb(c, sb, err, sizeof(err));
	if (r == -ENODATA)
		log_err("verity", "no verity superblock on %s at %llu (superblock=no in "
			"systemd.verity_root_options if the image has none): " NO, hash, at);
	else if (r < 0)
		log_err("verity", "verity superblock on %s at %llu: %s: " NO, hash, at, err);
	return r;
}

/* /dev/mapper/root is udev's in other systems; devtmpfs makes only /dev/dm-N, and maybe
 * not yet. A node already there must be this device. */
static int nodes(struct boot_ctx *ctx, const struct dm_dev *d)
{
	const struct sys_ops *sys = ctx->sys;
	char dm[32];
	struct stat st;
	int r = sys->mkdir("/dev/mapper", 0755);

	if (r == 0 || r == -EEXIST)
		r = sys->mknod_blk(VERITY_DEV, d->major, d->minor);
	if (r == -EEXIST)
		r = sys->stat(VERITY_DEV, &st) < 0 || !S_ISBLK(st.st_mode) ||
		    st.st_rdev != makedev(d->major, d->minor) ? -EEXIST : 0;
	if (r < 0) {
		log_err("verity", "make " VERITY_DEV " (%u:%u): %s: " NO, d->major, d->minor,
			strerror(-r));
		return r;
	}
	snprintf(dm, sizeof(dm), "/dev/dm-%u", d->minor);
	r = sys->mknod_blk(dm, d->major, d->minor);
	if (r < 0 && r != -EEXIST)
		log_warn("verity", "make %s: %s: " VERITY_DEV " is used", dm, strerror(-r));
	return 0;
}

/* DM_DEV_CREATE, DM_TABLE_LOAD read-only, DM_DEV_SUSPEND (resume); undone on failure. */
static int setup(struct boot_ctx *ctx, const char *table, uint64_t sectors)
{
	struct dm_dev d;
	const char *step = "create";
	int r = dm_create(ctx->sys, VERITY_NAME, &d);

	if (r == 0 && (step = "load the verity table into", r = dm_load(ctx->sys, VERITY_NAME,
			sectors, "verity", table)) == 0)
		step = "resume", r = dm_resume(ctx->sys, VERITY_NAME);
	if (r < 0) {
		log_err("verity", "%s " VERITY_DEV ": %s (table: %s): " NO, step, strerror(-r),
			table);
	} else if ((r = nodes(ctx, &d)) == 0) {
		return 0;
	}
	if (strcmp(step, "create"))
		dm_remove(ctx->sys, VERITY_NAME);
	return r;
}

/* Trust the device only once it has read and the kernel says V. */
static int check(struct boot_ctx *ctx, const struct verity_cfg *c, const char *src,
		 const char *data, const char *hash)
{
	static char block[4096];
	size_t len = c->data_block_size < sizeof(block) ? c->data_block_size : sizeof(block);
	struct dm_dev d = { .name = VERITY_NAME };
	char type[16], line[64];
	ssize_t n = ctx->sys->read_at(VERITY_DEV, 0, block, len);
	int r = dm_status(ctx->sys, &d, false, type, line, sizeof(line));

	if (r < 0 || strcmp(type, "verity") || (strcmp(line, "V") && strcmp(line, "C"))) {
		r = r < 0 ? r : -EPROTO;
		log_err("verity", "ask the status of " VERITY_DEV " (DM_TABLE_STATUS): %s: " NO,
			strerror(-r));
		return r;
	}
	if (line[0] == 'C') {
		log_err("verity", "%s=%s: root hash mismatch: " VERITY_DEV " (data %s, hash %s) "
			"%s%s: " NO, src, c->root_hash, data, hash, n < 0 ? "does not read: " : "",
			n < 0 ? strerror((int)-n) : "reads, but the kernel saw corruption");
		return -EBADMSG;
	}
	if (n != (ssize_t)len) {
		r = n < 0 ? (int)n : -EIO;
		log_err("verity", "read the first block of " VERITY_DEV ": %s (the kernel saw no "
			"corruption): " NO, strerror(-r));
		return r;
	}
	return 0;
}

static int verity_run(struct boot_ctx *ctx)
{
	struct verity_state *st = &ctx->verity;
	struct verity_cfg c;
	struct vdev data = { .what = "data" }, hash = { .what = "hash" };
	const char *src = NULL;
	char table[1200];
	uint64_t sectors;
	bool env;
	int r = configure(ctx, &c, &env, &src);

	if (r < 0 || (!env && !ctx->p.roothash))
		return r;
	if (!ctx->p.verity) {
		log_warn("verity", "systemd.verity=no: dm-verity is NOT set up: the root is NOT "
			 "verified (%s ignored)", ctx->p.roothash ? "roothash=" : VERITY_ENV);
		return 0;
	}
	if (ctx->p.rootdelay_s) {
		log_info("verity", "rootdelay=%u: waiting before looking for the devices",
			 ctx->p.rootdelay_s);
		ctx->sys->sleep_ms(ctx->p.rootdelay_s * 1000);
	}
	if ((r = devices(ctx, &c, env, &data, &hash)) < 0)
		return r;
	/* dm-verity never writes, nor may anything else while it reads them */
	for (int i = 0; i < 2; i++) {
		const char *dev = i ? hash.path : data.path;
		if ((i == 0 || strcmp(dev, data.path)) && (r = ctx->sys->blk_set_ro(dev, true)) < 0)
			log_warn("verity", "set %s read-only (BLKROSET): %s", dev, strerror(-r));
	}
	if (c.superblock && (r = superblock(ctx, &c, hash.path)) < 0)
		return r;
	if ((r = verity_table(&c, data.path, hash.path, table, sizeof(table), &sectors)) < 0) {
		log_err("verity", "the verity table for %s: %s: " NO, data.path, c.data_blocks ?
			strerror(-r) : "the number of data blocks is unknown (data-blocks= in "
			"systemd.verity_root_options, with superblock=no)");
		return r;
	}
	if ((r = setup(ctx, table, sectors)) < 0)
		return r;
	if ((r = check(ctx, &c, src, data.path, hash.path)) < 0) {
		dm_remove(ctx->sys, VERITY_NAME);
		return r;
	}
	st->mode = VERITY_OVERROOT;
	snprintf(st->device, sizeof(st->device), VERITY_DEV);
	snprintf(st->data, sizeof(st->data), "%s", data.path);
	snprintf(st->hash, sizeof(st->hash), "%s", hash.path);
	memcpy(st->root_hash, c.root_hash, sizeof(st->root_hash));
	st->on_corruption = c.on_corruption;
	snprintf(ctx->root_dev, sizeof(ctx->root_dev), VERITY_DEV);
	log_info("verity", VERITY_DEV " verified: data %s, hash %s, %s=%s, on corruption: %s",
		 data.path, hash.path, src, c.root_hash, verity_corruption_name(c.on_corruption));
	return 0;
}

const struct stage stage_verity = {
	.name = "verity",
	.run = verity_run,
	.on_fail = STAGE_FATAL,
};

/* No initramfs: the kernel's dm-mod.create= made the root (/dev/dm-N). Its table says what
 * it verifies; its devices are locked too, and the status is reported as the kernel's. */
void verity_kernel_root(struct boot_ctx *ctx)
{
	const struct sys_ops *sys = ctx->sys;
	struct verity_state *v = &ctx->verity;
	struct stat st;
	char type[16], line[1024];

	if (strncmp(ctx->root_dev, "/dev/dm-", 8) || sys->stat(ctx->root_dev, &st) < 0)
		return;
	struct dm_dev d = { .major = major(st.st_rdev), .minor = minor(st.st_rdev) };
	int r = dm_status(sys, &d, true, type, line, sizeof(line));
	if (r < 0 || strcmp(type, "verity") || verity_parse_table(line, v) < 0) {
		if (r < 0)
			log_warn("kernelroot", "ask device-mapper about %s: %s", ctx->root_dev,
				 strerror(-r));
		return;
	}
	v->mode = VERITY_KERNEL;
	snprintf(v->device, sizeof(v->device), "%s", ctx->root_dev);
	for (int i = 0; i < 2; i++) {
		struct devspec s;
		char *dev = i ? v->hash : v->data, path[256];
		if (devspec_parse(dev, &s) == 0 && devspec_find(sys, &s, path, sizeof(path)) == 0)
			snprintf(dev, sizeof(v->data), "%s", path);
		if ((r = sys->blk_set_ro(dev, true)) < 0)
			log_warn("kernelroot", "set %s read-only (BLKROSET): %s", dev, strerror(-r));
	}
	r = dm_status(sys, &d, false, type, line, sizeof(line));
	v->corrupted = r < 0 || line[0] != 'V';
	log_info("kernelroot", "the kernel's dm-verity: %s from data %s, hash %s, root hash %s: "
		 "%s", v->device, v->data, v->hash, v->root_hash, v->corrupted ?
		 "CORRUPTION seen" : "verified");
}
