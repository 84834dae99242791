/* Stage (no initramfs): overroot is init= on the root the kernel mounted, and that root is
 * `/`. There is no tmpfs to build the overlay in, and the root must not be written (not even
 * a mkdir), so a tmpfs is mounted on a directory the root already has and pivot_root makes it
 * `/`, with the kernel's root on /rootfs under it. From there the world is the one the
 * initramfs stages know (a tmpfs `/`, the root on /rootfs), and they run unchanged; at the
 * hand-over, switchroot empties this staging tmpfs (never crossing into another filesystem,
 * so never into the root) and pivots into the new root as it does from an initramfs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include "overroot/config.h"
#include "overroot/log.h"
#include "overroot/stages.h"

#define RAMFS_MAGIC 0x858458f6
#define TMPFS_MAGIC 0x01021994

/* Directories nearly every root has, tried in order: only mounted on, never written. */
static const char *const mount_points[] = { "/run", "/mnt", "/tmp", "/media", "/dev" };

bool staging_needed(const struct sys_ops *sys)
{
	unsigned long magic = 0;

	/* The kernel unpacks an initramfs into ramfs (tmpfs with CONFIG_TMPFS); a root it
	 * mounted itself from root= is a disk filesystem. */
	return sys->fs_magic("/", &magic) == 0 && magic != RAMFS_MAGIC && magic != TMPFS_MAGIC;
}

/* A tmpfs on the first mount point the root has: returns its index, or -errno. */
static int mount_staging(const struct sys_ops *sys)
{
	int r = -ENOENT;
	struct stat st;

	for (size_t i = 0; i < sizeof(mount_points) / sizeof(mount_points[0]); i++) {
		/* lstat: a link (/run -> /var/run) would lead the mount elsewhere */
		if (sys->lstat(mount_points[i], &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		r = sys->mount("tmpfs", mount_points[i], "tmpfs", MS_NOSUID | MS_NODEV,
			       "mode=0755");
		if (r == 0)
			return (int)i;
		log_warn("staging", "mount tmpfs on %s: %s", mount_points[i], strerror(-r));
	}
	return r;
}

static int staging_run(struct boot_ctx *ctx)
{
	const struct sys_ops *sys = ctx->sys;
	char put_old[64];

	ctx->no_initramfs = true;
	int i = mount_staging(sys);
	if (i < 0) {
		log_err("staging", "no directory to mount a staging tmpfs on (tried /run, /mnt, "
			"/tmp, /media, /dev): the root is not written to make one");
		return i;
	}
	const char *at = mount_points[i];
	snprintf(put_old, sizeof(put_old), "%s" CONFIG_ROOTFS_DIR, at);
	int r = sys->mkdir(put_old, 0755);
	if (r == 0)
		r = sys->pivot_root(at, put_old);
	if (r < 0) {
		log_err("staging", "pivot_root into the tmpfs on %s: %s", at, strerror(-r));
		sys->umount(at, MNT_DETACH);
		return r;
	}
	sys->chdir("/");
	/* The kernel's own devtmpfs (CONFIG_DEVTMPFS_MOUNT) came along on the root's /dev:
	 * the early stage mounts ours, which moves there at the hand-over. None: fine. */
	sys->umount(CONFIG_ROOTFS_DIR "/dev", MNT_DETACH);
	log_info("staging", "no initramfs: staging tmpfs is /, the kernel's root is on "
		 CONFIG_ROOTFS_DIR);
	return 0;
}

const struct stage stage_staging = {
	.name = "staging",
	.run = staging_run,
	.on_fail = STAGE_FATAL,
};
