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

static int rootfs_run(struct boot_ctx *ctx)
{
	const struct params *p = &ctx->p;
	struct mountopts o = { 0 };

	if (!p->root) {
		log_err("rootfs", "no root= on the kernel command line: nothing to boot");
		return -EINVAL;
	}
	if (p->rootflags && mountopts_parse(p->rootflags, &o) < 0)
		log_warn("rootfs", "rootflags=%s: too long, kept the first options", p->rootflags);
	/* With an overlay the root is the lower layer and stays read-only whatever rw says. */
	if (p->rw && !p->rootrw)
		o.flags &= ~(unsigned long)MS_RDONLY;
	else
		o.flags |= MS_RDONLY;
	if (p->rootdelay_s) {
		log_info("rootfs", "rootdelay=%u: waiting before looking for root", p->rootdelay_s);
		ctx->sys->sleep_ms(p->rootdelay_s * 1000);
	}
	int r = blockmount_find(ctx, "rootfs", "root", p->root, p->root_timeout_s, ctx->root_dev,
				sizeof(ctx->root_dev));
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
	r = blockmount(ctx, "rootfs", ctx->root_dev, CONFIG_ROOTFS_DIR, p->rootfstype, o.flags,
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
