/* Stage 4: root= found without udev, waited for on kernel events, mounted read-only on
 * /rootfs (unless rw and no overlay). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include "overroot/blockmount.h"
#include "overroot/config.h"
#include "overroot/log.h"
#include "overroot/mountopts.h"
#include "overroot/stages.h"

/* ext3/4 on dm-verity: mounted with noload, since a read-only device cannot replay a
 * journal (and must not: the replay would write what was verified). */
static int verity_mount_type(struct boot_ctx *ctx, const char **type, struct mountopts *o)
{
	static struct blkinfo info;

	if (!*type) {
		memset(&info, 0, sizeof(info));
		int r = ctx->sys->probe(ctx->root_dev, PROBE_FS, &info);
		if (r < 0 || !info.type[0]) {
			log_err("rootfs", "probe %s: %s", ctx->root_dev,
				r < 0 ? strerror(-r) : "no filesystem found on it");
			return r < 0 ? r : -ENOMEDIUM;
		}
		*type = info.type;
	}
	size_t l = strlen(o->data);
	if (!strncmp(*type, "ext", 3) && l + 8 < sizeof(o->data))
		snprintf(o->data + l, sizeof(o->data) - l, "%snoload", l ? "," : "");
	return 0;
}

static int rootfs_run(struct boot_ctx *ctx)
{
	const struct params *p = &ctx->p;
	struct mountopts o = { 0 };

	bool verity = ctx->verity.mode == VERITY_OVERROOT;
	const char *type = p->rootfstype;

	if (!p->root && !verity) {
		log_err("rootfs", "no root= on the kernel command line: nothing to boot");
		return -EINVAL;
	}
	if (p->rootflags && mountopts_parse(p->rootflags, &o) < 0)
		log_warn("rootfs", "rootflags=%s: too long, kept the first options", p->rootflags);
	/* With an overlay the root is the lower layer and stays read-only whatever rw says;
	 * a verity device is read-only whatever anything says. */
	if (p->rw && !p->rootrw && !verity)
		o.flags &= ~(unsigned long)MS_RDONLY;
	else
		o.flags |= MS_RDONLY;
	int r = verity ? verity_mount_type(ctx, &type, &o) : 0;
	if (!verity && p->rootdelay_s) {
		log_info("rootfs", "rootdelay=%u: waiting before looking for root", p->rootdelay_s);
		ctx->sys->sleep_ms(p->rootdelay_s * 1000);
	}
	/* the verity stage found the devices and left /dev/mapper/root in root_dev */
	if (!verity)
		r = blockmount_find(ctx, "rootfs", "root", p->root, p->root_timeout_s,
				    ctx->root_dev, sizeof(ctx->root_dev));
	if (r < 0)
		return r;
	/* Under an overlay the root must never be written: the kernel refuses every write
	 * to a device set read-only, whatever mounts it later (rootlock=no opts out). */
	if (p->rootrw && p->rootro_lock) {
		r = ctx->sys->blk_set_ro(ctx->root_dev, true);
		if (r < 0)
			log_warn("rootfs", "set %s read-only (BLKROSET): %s", ctx->root_dev,
				 strerror(-r));
		ctx->root_locked = r == 0;
	}
	r = blockmount(ctx, "rootfs", ctx->root_dev, CONFIG_ROOTFS_DIR, type, o.flags,
		       o.data, ctx->root_type);
	if (r == -EROFS && ctx->root_locked && !strncmp(ctx->root_type, "ext", 3)) {
		/* ext3/4 with a dirty journal: mounting it replays the journal, a write. */
		log_warn("rootfs", "%s needs its journal replayed, which would write it: mounting "
			 "without replay (noload); its last writes before the crash are not seen",
			 ctx->root_dev);
		size_t l = strlen(o.data);
		snprintf(o.data + l, sizeof(o.data) - l, "%snoload", l ? "," : "");
		r = blockmount(ctx, "rootfs", ctx->root_dev, CONFIG_ROOTFS_DIR, ctx->root_type,
			       o.flags, o.data, ctx->root_type);
	}
	if (r < 0)
		return r;
	log_info("rootfs", "mounted %s (%s) on " CONFIG_ROOTFS_DIR " %s", ctx->root_dev,
		 ctx->root_type, o.flags & MS_RDONLY ? "read-only" : "read-write");
	ctx->newroot = CONFIG_ROOTFS_DIR;
	ctx->mode = MODE_READONLY;
	return 0;
}

const struct stage stage_rootfs = {
	.name = "rootfs",
	.run = rootfs_run,
	.on_fail = STAGE_FATAL,
};
