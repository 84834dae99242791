/* Stage (no initramfs): the root the kernel mounted, now on /rootfs under the staging tmpfs,
 * takes the place the rootfs stage gives the root in an initramfs: its device found from
 * the filesystem itself (what the kernel really mounted, whatever root= says), made
 * read-only first if the kernel mounted it read-write, and locked (BLKROSET). init= named
 * overroot, so the real init is rootinit=, or /sbin/init. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include "overroot/config.h"
#include "overroot/devspec.h"
#include "overroot/kmod.h"
#include "overroot/log.h"
#include "overroot/stages.h"

#define OVERLAYFS_MAGIC 0x794c7630

/* The block device of the filesystem on /rootfs, from its device number. */
static void find_device(struct boot_ctx *ctx)
{
	const struct sys_ops *sys = ctx->sys;
	struct devspec d;
	struct blkinfo info;
	struct stat st;
	char spec[32];

	if (sys->stat(CONFIG_ROOTFS_DIR, &st) < 0)
		return;
	snprintf(spec, sizeof(spec), "%u:%u", major(st.st_dev), minor(st.st_dev));
	if (devspec_parse(spec, &d) < 0 ||
	    devspec_find(sys, &d, ctx->root_dev, sizeof(ctx->root_dev)) < 0) {
		ctx->root_dev[0] = '\0';
		log_warn("kernelroot", "the root (%s) is not a block device: it cannot be locked",
			 spec);
		return;
	}
	memset(&info, 0, sizeof(info));
	if (sys->probe(ctx->root_dev, PROBE_FS, &info) == 0)
		snprintf(ctx->root_type, sizeof(ctx->root_type), "%s", info.type);
}

/* A kernel that mounted its own root may still have overlayfs as a module: the Pi's
 * bcm2711_defconfig builds OVERLAY_FS=m. The root's own module index then serves the fs-<type>
 * loads of the overlay and of the rw device, as the initramfs's does; nothing else from the
 * booted system's modules is loaded here. */
static void load_overlay_module(struct boot_ctx *ctx)
{
	char release[128], dir[256];
	ssize_t n = ctx->sys->read_file("/proc/sys/kernel/osrelease", release, sizeof(release));

	if (n <= 0)
		return;
	release[strcspn(release, "\n")] = '\0';
	snprintf(dir, sizeof(dir), CONFIG_ROOTFS_DIR "/lib/modules/%s", release);
	int r = kmod_open(&ctx->kmod, ctx->sys, dir);
	if (r < 0)
		log_debug("kernelroot", "no module index at %s: %s", dir, strerror(-r));
	kmod_load_fs(&ctx->kmod, "overlay");	/* a failure shows as the overlay's ENODEV */
}

static int kernelroot_run(struct boot_ctx *ctx)
{
	const struct sys_ops *sys = ctx->sys;
	struct params *p = &ctx->p;
	unsigned long magic = 0;
	int r;

	p->init = p->rootinit ? p->rootinit : CONFIG_DEFAULT_INIT;
	if (ctx->argc > 0 && !strcmp(p->init, ctx->argv[0])) {
		log_err("kernelroot", "rootinit=%s is overroot itself: using " CONFIG_DEFAULT_INIT,
			p->init);
		p->init = CONFIG_DEFAULT_INIT;
	}
	/* An overlay as the kernel's root: overroot is running again as the real init of the
	 * overlay it made (rootinit= or /sbin/init leads back to it). */
	if (sys->fs_magic(CONFIG_ROOTFS_DIR, &magic) == 0 && magic == OVERLAYFS_MAGIC) {
		log_err("kernelroot", "the root is an overlay already: %s leads back to overroot",
			p->init);
		return -ELOOP;
	}
	find_device(ctx);
	verity_kernel_root(ctx);
	log_info("kernelroot", "the kernel mounted %s (%s) %s, root=%s",
		 ctx->root_dev[0] ? ctx->root_dev : "the root", ctx->root_type,
		 p->rw ? "read-write" : "read-only", p->root ? p->root : "(none)");
	ctx->newroot = CONFIG_ROOTFS_DIR;
	ctx->mode = MODE_READONLY;
	if (!p->rootrw) {
		log_err("kernelroot", "no rootrw= on the kernel command line: NO overlay, %s "
			"starts on the root as the kernel mounted it (%s)", p->init,
			p->rw ? "read-write" : "read-only");
		return 0;
	}
	/* The lower layer is never written: read-only before anything else touches it, and
	 * before BLKROSET, which would make the remount's own superblock write fail. */
	if (p->rw) {
		r = sys->mount(NULL, CONFIG_ROOTFS_DIR, NULL, MS_REMOUNT | MS_RDONLY, NULL);
		if (r < 0) {
			log_err("kernelroot", "remount the root read-only: %s", strerror(-r));
			return r;
		}
		log_notice("kernelroot", "the kernel mounted the root read-write (rw): remounted "
			   "it read-only, as the overlay's lower layer");
	}
	if (ctx->root_dev[0] && p->rootro_lock) {
		r = sys->blk_set_ro(ctx->root_dev, true);
		if (r < 0)
			log_warn("kernelroot", "set %s read-only (BLKROSET): %s", ctx->root_dev,
				 strerror(-r));
		ctx->root_locked = r == 0;
	}
	load_overlay_module(ctx);
	return 0;
}

const struct stage stage_kernelroot = {
	.name = "kernelroot",
	.run = kernelroot_run,
	.on_fail = STAGE_FATAL,
};
