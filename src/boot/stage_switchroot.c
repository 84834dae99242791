/* Stage: hand over. Everything that can fail is checked BEFORE the initramfs is deleted
 * (a missing init must leave a debuggable system, not a kernel panic); then the API
 * mounts move, the initramfs is freed, the new root becomes / and init is exec'd. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <unistd.h>
#include "overroot/boot.h"
#include "overroot/config.h"
#include "overroot/log.h"
#include "overroot/resolve.h"
#include "overroot/stages.h"

#define RAMFS_MAGIC 0x858458f6
#define TMPFS_MAGIC 0x01021994
#define ARGV_MAX 64

static const struct api_mount {
	const char *path;
	bool required;	/* no /dev in the new root: the real init cannot start */
} api_mounts[] = {
	{ "/dev", true }, { "/proc", false }, { "/sys", false }, { "/run", false },
};

/* Everything that can stop the hand-over, before anything is deleted. */
static int check(struct boot_ctx *ctx, char *init, size_t size)
{
	const struct sys_ops *sys = ctx->sys;
	struct stat root, newroot, st;
	unsigned long magic = 0;
	int r;

	if (sys->getpid() != 1) {
		log_err("switchroot", "not PID 1: refusing to delete the root filesystem");
		return -EPERM;
	}
	/* Only ever wipe what the kernel unpacked the initramfs into. */
	r = sys->fs_magic("/", &magic);
	if (r < 0 || (magic != RAMFS_MAGIC && magic != TMPFS_MAGIC)) {
		log_err("switchroot", "/ is not the initramfs (ramfs/tmpfs)%s%s: refusing to "
			"wipe it", r < 0 ? ": statfs: " : "", r < 0 ? strerror(-r) : "");
		return -EPERM;
	}
	if (!ctx->newroot || (r = sys->stat("/", &root)) < 0 ||
	    (r = sys->stat(ctx->newroot, &newroot)) < 0 || root.st_dev == newroot.st_dev) {
		log_err("switchroot", "%s is not a mounted filesystem%s%s",
			ctx->newroot ? ctx->newroot : "(no root)", r < 0 ? ": stat: " : "",
			r < 0 ? strerror(-r) : "");
		return -EINVAL;
	}
	/* init as the new root will see it: through its links, never into the initramfs */
	char inroot[PATH_MAX];
	unsigned links = 0;
	r = resolve_in_root(sys, ctx->newroot, ctx->p.init, inroot, sizeof(inroot), &links);
	if (r == 0) {
		snprintf(init, size, "%s%s", ctx->newroot, inroot);
		r = sys->stat(init, &st);
	}
	if (r == 0 && S_ISDIR(st.st_mode))
		r = -EISDIR;
	else if (r == 0 && !S_ISREG(st.st_mode))
		r = -EACCES;
	if (r == 0)
		r = sys->access(init, X_OK);
	if (r < 0) {
		log_err("switchroot", "init %s on %s: %s%s: the initramfs is kept", ctx->p.init,
			ctx->root_dev, strerror(-r),
			r == -ELOOP ? " (a loop of symbolic links)" :
			r == -ENOENT && links ? " (a symbolic link that leads nowhere)" :
			r == -EACCES ? " (not an executable file)" : "");
		return r;
	}
	if (links)
		log_info("switchroot", "init %s is %s in the new root", ctx->p.init, inroot);
	return 0;
}

/* Move /dev /proc /sys /run under the new root; a mount point that is missing is made
 * only where the root is writable. */
static int move_api(struct boot_ctx *ctx)
{
	const struct sys_ops *sys = ctx->sys;
	char target[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < sizeof(api_mounts) / sizeof(api_mounts[0]); i++) {
		const struct api_mount *m = &api_mounts[i];
		snprintf(target, sizeof(target), "%s%s", ctx->newroot, m->path);
		int r = sys->stat(target, &st);
		if (r == -ENOENT)	/* not when stat failed: mkdir's EEXIST would hide why */
			r = sys->mkdir(target, 0755);
		if (r == 0)
			r = sys->mount(m->path, target, NULL, MS_MOVE, NULL);
		if (r == 0)
			continue;
		log_msg(m->required ? LOG_LVL_ERR : LOG_LVL_WARN, "switchroot",
			"move %s to %s: %s%s", m->path, target, strerror(-r),
			m->required ? "" : ": the new system starts without it");
		if (m->required)
			return r;
		sys->umount(m->path, MNT_DETACH);
	}
	return 0;
}

static int switchroot_run(struct boot_ctx *ctx)
{
	const struct sys_ops *sys = ctx->sys;
	char init[PATH_MAX];
	char *argv[ARGV_MAX + 1];
	int r;

	if ((r = check(ctx, init, sizeof(init))) < 0)
		return r;
	/* The break-point shell: in the initramfs, with /proc /sys /dev /run still there. */
	if (ctx->p.shell)
		boot_shell(ctx, "switchroot", "shell", "exit it to go on with the hand-over");
	if ((r = move_api(ctx)) < 0)
		return r;
	/* Past this point there is no way back: the initramfs is deleted. */
	if ((r = sys->chdir(ctx->newroot)) < 0) {
		log_err("switchroot", "chdir %s: %s", ctx->newroot, strerror(-r));
		return r;
	}
	r = sys->remove_tree("/");
	if (r < 0)
		log_warn("switchroot", "free the initramfs: %s: some memory stays in use",
			 strerror(-r));
	/* pivot_root(".", ".") works where the initramfs sits on a nullfs (Linux 7.0+);
	 * older kernels refuse it with EINVAL: move the new root over / and chroot. */
	if (sys->pivot_root(".", ".") == 0) {
		sys->umount(".", MNT_DETACH);
	} else if ((r = sys->mount(".", "/", NULL, MS_MOVE, NULL)) < 0 ||
		   (r = sys->chroot(".")) < 0) {
		log_err("switchroot", "move %s to /: %s", ctx->newroot, strerror(-r));
		return r;
	}
	sys->chdir("/");
	/* No console (console=null on a kernel without ttynull): init still gets fds 0-2. */
	if (sys->open_console("/dev/console") < 0 && sys->open_console("/dev/null") == 0)
		log_warn("switchroot",
			 "open /dev/console: init starts with /dev/null as its console");
	if (ctx->devkmsg_was[0])
		sys->write_file("/proc/sys/kernel/printk_devkmsg", ctx->devkmsg_was,
				strlen(ctx->devkmsg_was));

	/* init gets what the kernel gave /init: its arguments and its environment. */
	int n = 0;
	argv[n++] = (char *)ctx->p.init;
	for (int i = 1; i < ctx->argc && n < ARGV_MAX; i++)
		argv[n++] = ctx->argv[i];
	argv[n] = NULL;
	log_info("switchroot", "exec %s on %s (%s)", ctx->p.init, ctx->root_dev,
		 ctx->mode == MODE_OVERLAY ? "overlay" : ctx->mode == MODE_TMPFS ? "tmpfs overlay"
										  : "no overlay");
	r = sys->execv(ctx->p.init, argv, ctx->envp);
	if (r < 0)
		log_err("switchroot", "exec %s: %s", ctx->p.init, strerror(-r));
	return r;
}

const struct stage stage_switchroot = {
	.name = "switchroot",
	.run = switchroot_run,
	.on_fail = STAGE_FATAL,
};
