/* `overroot chroot [COMMAND...]`, as Ubuntu's overlayroot-chroot: one deliberate change to
 * the original root. In a private mount namespace (nothing propagates to the running
 * system), the root device's read-only flag is cleared, /rofs is bound on
 * /run/overroot/chroot and its filesystem remounted read-write, /proc /sys /dev /run are
 * bound in, and COMMAND (or $SHELL) runs chrooted there. Then all of it is undone: read-only
 * again, unmounted, the flag set again. Each step is said as it is done. */
#define _GNU_SOURCE	/* unshare(2), CLONE_NEWNS */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include "overroot/cli.h"
#include "overroot/config.h"
#include "overroot/rootid.h"

#define DIR "/run/overroot/chroot"
#define SQUASHFS_MAGIC 0x73717368
#define EROFS_MAGIC 0xe0f5e1e2

/* /run is bound alone: a recursive bind would carry DIR itself (it is under /run) into the
 * chroot. The others are recursive: /dev/pts, /sys/fs/cgroup ... come along. */
static const struct { const char *path; unsigned long flags; } binds[] = {
	{ "/proc", MS_BIND | MS_REC }, { "/sys", MS_BIND | MS_REC },
	{ "/dev", MS_BIND | MS_REC }, { "/run", MS_BIND },
};
#define NBINDS (sizeof(binds) / sizeof(binds[0]))

struct job {
	const struct sys_ops *sys;
	FILE *out, *err;
	const char *dev;	/* the root device, from the status file */
	int was_ro;		/* BLKROGET before: the flag is restored to it */
	bool rw, bound[NBINDS];
};

static int refuse(struct job *j, const char *fmt, const char *arg, int r)
{
	fputs("overroot chroot: refused: ", j->err);
	fprintf(j->err, fmt, arg);
	fprintf(j->err, "%s%s\n", r < 0 ? ": " : "", r < 0 ? strerror(-r) : "");
	return CLI_FAIL;
}

/* Everything that can be checked before anything changes. */
static int check(struct job *j, struct status_file *st)
{
	const struct sys_ops *sys = j->sys;
	struct stat dev_st, lower_st;
	unsigned long magic = 0;
	int r;

	if (sys->geteuid() != 0)
		return refuse(j, "only root can do this%s", "", 0);
	if ((r = status_file_load(sys, st)) < 0)
		return refuse(j, "read %s (was this system booted by overroot?)", STATUS_FILE,
			      r);
	const char *mode = status_file_get(st, "mode");
	if (strcmp(mode, "overlay") && strcmp(mode, "tmpfs"))
		return refuse(j, "no overlay (mode=%s): the root is / itself", mode, 0);
	j->dev = status_file_get(st, "root_device");
	if ((r = sys->lstat(j->dev, &dev_st)) < 0 || !S_ISBLK(dev_st.st_mode))
		return refuse(j, "the lower's device '%s' is not a block device that could be "
			      "made read-only again", j->dev, r);
	if ((r = sys->stat(CLI_LOWER, &lower_st)) < 0 || lower_st.st_dev != dev_st.st_rdev)
		return refuse(j, CLI_LOWER " is not on %s", j->dev, r);
	if (sys->fs_magic(CLI_LOWER, &magic) == 0 && (magic == SQUASHFS_MAGIC ||
						      magic == EROFS_MAGIC))
		return refuse(j, "%s holds a read-only filesystem (squashfs or erofs)", j->dev, 0);
	if ((j->was_ro = sys->blk_get_ro(j->dev)) < 0)
		return refuse(j, "read the kernel's read-only flag of %s (it could not be set "
			      "again)", j->dev, j->was_ro);
	return 0;
}

static int step_failed(struct job *j, const char *what, int r)
{
	fprintf(j->err, "overroot chroot: %s: %s\n", what, strerror(-r));
	return r;
}

static int setup(struct job *j)
{
	const struct sys_ops *sys = j->sys;
	char path[64];
	int r;

	if ((r = sys->unshare(CLONE_NEWNS)) < 0)
		return step_failed(j, "unshare the mount namespace", r);
	/* systemd makes / shared: without this, the mounts below would appear outside too */
	if ((r = sys->mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) < 0)
		return step_failed(j, "make the mounts private", r);
	fputs("overroot chroot: in a private mount namespace\n", j->out);
	if ((r = sys->mkdir(DIR, 0755)) < 0 && r != -EEXIST)
		return step_failed(j, "mkdir " DIR, r);
	if (j->was_ro) {
		if ((r = sys->blk_set_ro(j->dev, false)) < 0)
			return step_failed(j, "clear the kernel's read-only flag", r);
		fprintf(j->out, "overroot chroot: cleared the kernel's read-only flag on %s\n",
			j->dev);
	}
	/* The lower's own superblock, so the overlay sees the change: a fresh mount of the
	 * device would share it anyway, but refuse rw while it is ro (EBUSY). */
	if ((r = sys->mount(CLI_LOWER, DIR, NULL, MS_BIND, NULL)) < 0)
		return step_failed(j, "bind " CLI_LOWER " on " DIR, r);
	j->rw = true;	/* from here, the undo remounts read-only */
	if ((r = sys->mount(NULL, DIR, NULL, MS_REMOUNT, NULL)) < 0)
		return step_failed(j, "remount " DIR " read-write", r);
	fprintf(j->out, "overroot chroot: %s read-write on " DIR "\n", j->dev);
	for (size_t i = 0; i < NBINDS; i++) {
		snprintf(path, sizeof(path), DIR "%s", binds[i].path);
		if ((r = sys->mount(binds[i].path, path, NULL, binds[i].flags, NULL)) < 0)
			return step_failed(j, "bind /proc /sys /dev /run in", r);
		j->bound[i] = true;
	}
	fputs("overroot chroot: /proc /sys /dev /run bound in\n", j->out);
	return 0;
}

/* Undo in reverse; returns 0 only when the root is read-only and locked again. */
static int undo(struct job *j)
{
	const struct sys_ops *sys = j->sys;
	char path[64];
	int r = 0;

	for (size_t i = NBINDS; i-- > 0;) {
		snprintf(path, sizeof(path), DIR "%s", binds[i].path);
		if (j->bound[i])
			sys->umount(path, MNT_DETACH);
	}
	if (j->rw) {
		/* sb-wide: syncs, and fails (EBUSY) while a file is open for writing */
		if ((r = sys->mount(NULL, DIR, NULL, MS_REMOUNT | MS_RDONLY, NULL)) < 0) {
			fprintf(j->err, "overroot chroot: remount %s read-only: %s: it is STILL "
				"WRITABLE (a process started in the chroot may hold a file open); "
				"reboot to be sure\n", j->dev, strerror(-r));
			return r;
		}
		fprintf(j->out, "overroot chroot: %s read-only again\n", j->dev);
		if (sys->umount(DIR, 0) < 0)
			sys->umount(DIR, MNT_DETACH);
	}
	sys->rmdir(DIR);
	if (j->was_ro > 0) {
		if ((r = sys->blk_set_ro(j->dev, true)) < 0 || (r = sys->blk_get_ro(j->dev)) != 1) {
			fprintf(j->err, "overroot chroot: set the kernel's read-only flag on %s "
				"again: %s\n", j->dev, r < 0 ? strerror(-r) : "it stays off");
			return r < 0 ? r : -EIO;
		}
		fprintf(j->out, "overroot chroot: the kernel's read-only flag is set on %s again\n",
			j->dev);
	}
	return 0;
}

/* A change made here is the user's own, not a foreign root: when it changed the root's
 * identity (its os-release build lines), the record beside the upper in use follows, so the
 * next boot does not set that upper aside (rootid.h). */
static void same_root(struct job *j, const struct status_file *st, const char *before)
{
	char now[ROOTID_MAX], had[ROOTID_MAX], dir[128], why[320];
	const char *upper = status_file_get(st, "upper");
	const char *slash = strrchr(upper, '/');

	if (!before[0] || strcmp(status_file_get(st, "mode"), "overlay") || !slash ||
	    rootid_read(j->sys, j->dev, CLI_LOWER, now, sizeof(now), why, sizeof(why)) < 0 ||
	    !strcmp(now, before))
		return;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - upper), upper);
	if (strcmp(dir, CLI_RW_MOUNT)) {
		fprintf(j->out, "overroot chroot: the root is now %s (it was %s): with "
			"rootrwonchange=slot the next boot gives it an upper of its own (%s is "
			"named after the old root)\n", now, before, dir);
		return;
	}
	if (rootid_stamp_read(j->sys, dir, had, sizeof(had), why, sizeof(why)) != 1 ||
	    strcmp(had, before)) {
		fprintf(j->out, "overroot chroot: the root is now %s (it was %s); the upper's "
			"record in %s is not overroot's of the old root: left as it is\n", now,
			before, dir);
		return;
	}
	int r = rootid_stamp_write(j->sys, dir, now);
	if (r < 0)
		fprintf(j->err, "overroot chroot: the root is now %s: record it in %s/"
			ROOTID_STAMP_NAME ": %s: the next boot takes it for another root\n", now,
			dir, strerror(-r));
	else
		fprintf(j->out, "overroot chroot: the root is now %s: recorded in %s/"
			ROOTID_STAMP_NAME " (your change, not another root: the upper stays)\n",
			now, dir);
}

int cli_chroot(const struct sys_ops *sys, int argc, char **argv, FILE *out, FILE *err)
{
	static struct status_file st;
	struct job j = { .sys = sys, .out = out, .err = err };
	char *shell[] = { getenv("SHELL"), NULL };
	char *const *cmd = argc > 1 ? argv + 1 : shell;

	if (argc > 1 && !strcmp(argv[1], "--"))
		cmd = argc > 2 ? argv + 2 : shell;
	if (!cmd[0] || !cmd[0][0]) {
#if CONFIG_SHELL_FALLBACK
		shell[0] = CONFIG_SHELL;
		cmd = shell;
#else
		fputs("overroot chroot: give a COMMAND ($SHELL is not set)\n", err);
		return CLI_USAGE;
#endif
	}
	if (check(&j, &st))
		return CLI_FAIL;
	char before[ROOTID_MAX], why[320];
	if (rootid_read(sys, j.dev, CLI_LOWER, before, sizeof(before), why, sizeof(why)) < 0)
		before[0] = '\0';
	int r = setup(&j), status = CLI_FAIL;
	if (r == 0) {
		fprintf(out, "overroot chroot: running %s in " DIR "\n", cmd[0]);
		fflush(out);
		status = sys->run(DIR, cmd);
		if (status < 0)
			fprintf(err, "overroot chroot: run %s: %s\n", cmd[0], strerror(-status));
		else
			fprintf(out, "overroot chroot: %s exited with status %d\n", cmd[0], status);
	}
	if (undo(&j) < 0)
		return CLI_FAIL;
	same_root(&j, &st, before);
	return r < 0 || status < 0 ? CLI_FAIL : status;
}
