/* Stage: a writable overlay on the pristine root. The rw device goes on /overlay, the
 * root (read-only on /rootfs) is bound read-only to /overlay/rofs, and
 *   overlay -o lowerdir=/overlay/rofs,upperdir=/overlay/upper,workdir=/overlay/work
 * takes its place on /rootfs. In the booted system the original root is /rofs and the rw
 * device is /overlay. Whatever fails, the root is never written, the rw device is never
 * formatted, and the fallback is one loud line. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include "overroot/blockmount.h"
#include "overroot/bootcount.h"
#include "overroot/config.h"
#include "overroot/log.h"
#include "overroot/mountopts.h"
#include "overroot/resetmark.h"
#include "overroot/rootid.h"
#include "overroot/stages.h"

#define OVL "/overlay"
#define ROFS OVL "/rofs"
#define TRASH OVL "/.overroot-trash"	/* old uppers from rootrwreset, deleted in background */
#define DEFAULT_OPTIONS "rw,noatime"

/* Filesystems overlayfs refuses as an upper (no xattrs, no whiteouts, or read-only). */
static const char *const not_upper[] = { "vfat", "msdos", "exfat", "ntfs", "ntfs3", "iso9660",
					 "squashfs", "erofs", "swap", NULL };
/* Options only tmpfs takes: ext4 refuses the whole mount over one of them. */
static const char *const tmpfs_only[] = { "mode", "size", "nr_inodes", "nr_blocks", "uid",
					  "gid", "huge", "mpol", NULL };

static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

/* upper, work and rofs must be real directories: a hostile rw partition must not turn
 * our mounts or mkdirs into writes elsewhere through a symlink. */
static int ensure_dir(const struct sys_ops *sys, const char *path, char *why, size_t size)
{
	return rootid_ensure_dir(sys, path, why, size);
}

/* rootrwreset: move the old upper and work aside in one rename each (atomic on every
 * journalled filesystem), so a power cut leaves the old upper or an empty one, never a
 * half-deleted one; the deleting happens in the background. */
static int reset_upper(struct boot_ctx *ctx, char *why, size_t size)
{
	const struct sys_ops *sys = ctx->sys;
	const char *const dirs[] = { ctx->rootid.upper, ctx->rootid.work };
	char to[PATH_MAX];
	int r = ensure_dir(sys, TRASH, why, size);

	for (size_t i = 0; r == 0 && i < 2; i++) {
		snprintf(to, sizeof(to), TRASH "/%s.%llu", strrchr(dirs[i], '/') + 1,
			 (unsigned long long)sys->now_ms());
		r = sys->rename(dirs[i], to);
		if (r == -ENOENT)
			r = 0;	/* nothing to reset */
		else if (r < 0)
			snprintf(why, size, "rootrwreset: rename %s: %s", dirs[i], strerror(-r));
	}
	if (r == 0)
		log_notice("overlayroot", "rootrwreset: starting from an empty upper");
	return r;
}

/* --- `overroot reset`: the mark on the rw partition counts as rootrwreset=yes --- */

/* A mark that cannot be read safely is ignored, loudly: the rw partition is not trusted,
 * and an upper is not thrown away on the word of a symlink or of a file overroot did not
 * write. */
static bool reset_marked(struct boot_ctx *ctx)
{
	char why[320];
	int r = resetmark_read(ctx->sys, OVL, why, sizeof(why));

	if (r < 0)
		log_err("overlayroot", "%s: ignored, the upper is kept", why);
	return r > 0;
}

/* Only once the old upper is out of the way: a power cut before this leaves the mark, and
 * the next boot resets again, which loses nothing that this boot kept. The mark goes into
 * the trash (one rename) rather than being unlinked: no new system call at boot. */
static int drop_mark(struct boot_ctx *ctx, char *why, size_t size)
{
	char to[PATH_MAX];

	snprintf(to, sizeof(to), TRASH "/reset-mark.%llu", (unsigned long long)ctx->sys->now_ms());
	int r = ctx->sys->rename(OVL "/" RESETMARK_NAME, to);
	if (r < 0) {
		snprintf(why, size, "overroot reset: remove " OVL "/" RESETMARK_NAME ": %s (the "
			 "next boot would reset again)", strerror(-r));
		return r;
	}
	log_notice("overlayroot", "overroot reset: done, mark " OVL "/" RESETMARK_NAME
		   " removed");
	return 0;
}

/* Mount the rw device (or a tmpfs) on /overlay. */
static int mount_rw(struct boot_ctx *ctx, bool tmpfs, char *why, size_t size)
{
	const struct params *p = &ctx->p;
	struct mountopts o = { 0 };
	char dropped[128];

	if (tmpfs) {
		/* rootrw=tmpfs:size=64M -> "mode=0755,size=64M" */
		const char *colon = p->rootrw ? strchr(p->rootrw, ':') : NULL;
		snprintf(o.data, sizeof(o.data), "mode=0755%s%s", colon ? "," : "",
			 colon ? colon + 1 : "");
		snprintf(ctx->rw_dev, sizeof(ctx->rw_dev), "tmpfs");
		snprintf(ctx->rw_type, sizeof(ctx->rw_type), "tmpfs");
		/* an initramfs built without /overlay still gets one */
		int r = ctx->sys->mkdir(OVL, 0755);
		if (r == 0 || r == -EEXIST)
			r = ctx->sys->mount("tmpfs", OVL, "tmpfs", MS_NOSUID | MS_NODEV, o.data);
		if (r < 0)
			snprintf(why, size, "mount tmpfs on " OVL ": %s", strerror(-r));
		return r;
	}
	int r = blockmount_find(ctx, "overlayroot", "rootrw", p->rootrw, p->rootrw_timeout_s,
				ctx->rw_dev, sizeof(ctx->rw_dev));
	if (r < 0) {
		snprintf(why, size, "rootrw=%s %s", p->rootrw,
			 r == -ENODEV ? "not found" : "is not a device");
		return r;
	}
	/* Compare device numbers: /dev//mmcblk0p2 is the root too. */
	struct stat rw_st, root_st;
	if (!strcmp(ctx->rw_dev, ctx->root_dev) ||
	    (ctx->sys->stat(ctx->rw_dev, &rw_st) == 0 &&
	     ctx->sys->stat(ctx->root_dev, &root_st) == 0 && rw_st.st_rdev == root_st.st_rdev)) {
		snprintf(why, size, "rootrw=%s is the root device itself", p->rootrw);
		return -EINVAL;
	}
	const char *type = p->rootrwfstype;
	struct blkinfo info = { 0 };
	if (!type) {
		r = ctx->sys->probe(ctx->rw_dev, PROBE_FS, &info);
		/* no filesystem: a whole disk? (its partition table only read then) */
		if (r == 0 && !info.type[0])
			r = ctx->sys->probe(ctx->rw_dev, PROBE_PART, &info);
		if (r == 0 && !info.type[0] && info.pttype[0]) {
			/* never suggest mkfs on a whole disk: it would erase every partition */
			snprintf(why, size, "%s is a whole disk with a %s partition table: give "
				 "rootrw= one of its partitions", ctx->rw_dev, info.pttype);
			return -EISDIR;
		}
		if (r < 0) {
			/* unreadable, or two filesystem signatures (EUCLEAN): it may hold data,
			 * so no mkfs advice here */
			snprintf(why, size, "probe %s: %s", ctx->rw_dev, strerror(-r));
			return r;
		}
		if (!info.type[0]) {
			snprintf(why, size, "%s has no filesystem: create one with "
				 "'mkfs.ext4 -L data %s' (this erases it)", ctx->rw_dev,
				 ctx->rw_dev);
			return -ENOMEDIUM;
		}
		type = info.type;
	}
	if (in_list(not_upper, type)) {
		snprintf(why, size, "%s is %s, which overlayfs cannot use as an upper layer",
			 ctx->rw_dev, type);
		return -EINVAL;
	}
	if (mountopts_parse(p->rootrwoptions ? p->rootrwoptions : DEFAULT_OPTIONS, &o) < 0)
		log_warn("overlayroot", "rootrwoptions: too long, kept the first options");
	mountopts_drop(&o, tmpfs_only, dropped, sizeof(dropped));
	if (dropped[0])
		log_warn("overlayroot", "rootrwoptions: %s only apply to tmpfs: dropped for %s",
			 dropped, type);
	o.flags &= ~(unsigned long)MS_RDONLY;
	r = blockmount(ctx, "overlayroot", ctx->rw_dev, OVL, type, o.flags, o.data,
		       ctx->rw_type);
	if (r == -EACCES || r == -EROFS)	/* the kernel's answer for a read-only device */
		snprintf(why, size, "mount %s on " OVL ": the device is read-only (%s)",
			 ctx->rw_dev, strerror(-r));
	else if (r < 0)
		snprintf(why, size, "mount %s on " OVL ": %s", ctx->rw_dev, strerror(-r));
	return r;
}

/* Everything after /overlay is mounted: upper, work, the read-only lower, the overlay on
 * /rootfs, then /rofs and /overlay moved into it. */
static int build_overlay(struct boot_ctx *ctx, char *why, size_t size)
{
	const struct sys_ops *sys = ctx->sys;
	char opts[256];
	int r;

	/* The upper this root gets: a root changed under it is dealt with here (rootid.c). */
	if ((r = rootid_choose_upper(ctx, why, size)) < 0)
		return r;
	snprintf(opts, sizeof(opts), "lowerdir=" ROFS ",upperdir=%s,workdir=%s",
		 ctx->rootid.upper, ctx->rootid.work);
	bool marked = reset_marked(ctx);
	if ((ctx->p.rootrwreset || marked) && (r = reset_upper(ctx, why, size)) < 0)
		return r;
	if (marked && (r = drop_mark(ctx, why, size)) < 0)
		return r;
	/* boot counting, a restore, rootrwkeep= (bootcount.c) */
	if ((r = bootcount_boot(ctx, ctx->p.rootrwreset || marked, why, size)) < 0)
		return r;
	if ((r = ensure_dir(sys, ctx->rootid.upper, why, size)) < 0 ||
	    (r = ensure_dir(sys, ctx->rootid.work, why, size)) < 0 ||
	    (r = ensure_dir(sys, ROFS, why, size)) < 0)
		return r;
	struct stat st;
	if (sys->lstat(TRASH, &st) == 0 && S_ISDIR(st.st_mode) && sys->spawn_remove_tree(TRASH) < 0)
		log_warn("overlayroot", "could not start deleting the old upper in " TRASH);
	/* A read-only bind: MS_RDONLY on a plain remount would flip the whole superblock. */
	if ((r = sys->mount(CONFIG_ROOTFS_DIR, ROFS, NULL, MS_BIND, NULL)) < 0 ||
	    (r = sys->mount(NULL, ROFS, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL)) < 0) {
		snprintf(why, size, "bind the root read-only on " ROFS ": %s", strerror(-r));
		return r;
	}
	/* The bind keeps the root's superblock alive: /rootfs is free for the overlay. */
	if ((r = sys->umount(CONFIG_ROOTFS_DIR, MNT_DETACH)) < 0 ||
	    (r = sys->mount("overlay", CONFIG_ROOTFS_DIR, "overlay", 0, opts)) < 0) {
		snprintf(why, size, "mount overlay (%s): %s", opts, strerror(-r));
		/* put the root back where the read-only boot expects it */
		sys->mount(ROFS, CONFIG_ROOTFS_DIR, NULL, MS_BIND, NULL);
		sys->mount(NULL, CONFIG_ROOTFS_DIR, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
		sys->umount(ROFS, MNT_DETACH);
		return r;
	}
	bootcount_mounted(ctx);	/* the reserve made again, the data partition's space */
	/* From here the overlay is up: a missing /rofs or /overlay is made in the upper. */
	static const char *const moves[][2] = { { ROFS, CONFIG_ROOTFS_DIR "/rofs" },
						{ OVL, CONFIG_ROOTFS_DIR OVL } };
	for (size_t i = 0; i < 2; i++) {
		if (sys->stat(moves[i][1], &st) < 0)
			sys->mkdir(moves[i][1], 0755);
		if ((r = sys->mount(moves[i][0], moves[i][1], NULL, MS_MOVE, NULL)) < 0)
			log_warn("overlayroot", "move %s to %s: %s", moves[i][0], moves[i][1],
				 strerror(-r));
	}
	return 0;
}

/* Undo what a failed attempt mounted on /overlay, so the next attempt starts clean. */
static void undo(struct boot_ctx *ctx)
{
	ctx->sys->umount(ROFS, MNT_DETACH);
	ctx->sys->umount(OVL, MNT_DETACH);
}

static int attempt(struct boot_ctx *ctx, bool tmpfs, char *why, size_t size)
{
	int r = mount_rw(ctx, tmpfs, why, size);

	if (r == 0 && (r = build_overlay(ctx, why, size)) < 0)
		undo(ctx);
	return r;
}

static int overlayroot_run(struct boot_ctx *ctx)
{
	const struct params *p = &ctx->p;
	char *why = ctx->fallback_reason;
	size_t size = sizeof(ctx->fallback_reason);
	bool tmpfs = !strncmp(p->rootrw, "tmpfs", 5) && (!p->rootrw[5] || p->rootrw[5] == ':');
	int r = attempt(ctx, tmpfs, why, size);

	if (r == 0) {
		ctx->mode = tmpfs ? MODE_TMPFS : MODE_OVERLAY;
		log_info("overlayroot", "overlay on / (%s on " OVL ", root %s read-only on /rofs)",
			 ctx->rw_dev, ctx->root_dev);
		return 0;
	}
	switch (p->rootrwfallback) {
	case RW_FALLBACK_FATAL:
		log_err("overlayroot", "overlay NOT active: %s: rootrwfallback=fatal", why);
		return r;
	case RW_FALLBACK_TMPFS:
		if (!tmpfs) {
			char why2[128];
			if (attempt(ctx, true, why2, sizeof(why2)) == 0) {
				ctx->mode = MODE_TMPFS;
				log_err("overlayroot", "overlay on %s NOT active: %s: using a "
					"tmpfs upper instead (rootrwfallback=tmpfs): changes are "
					"lost at reboot", p->rootrw, why);
				return 0;
			}
			log_err("overlayroot", "tmpfs fallback failed too: %s", why2);
		}
		/* fall through */
	case RW_FALLBACK_RO:
		break;
	}
	ctx->mode = MODE_READONLY;
	log_err("overlayroot", "overlay NOT active: %s: booting the root read-only", why);
	return 0;
}

static bool overlayroot_enabled(const struct boot_ctx *ctx)
{
	return ctx->p.rootrw != NULL;
}

const struct stage stage_overlayroot = {
	.name = "overlayroot",
	.enabled = overlayroot_enabled,
	.run = overlayroot_run,
	.on_fail = STAGE_FATAL,
};
