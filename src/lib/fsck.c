/* The rw device checked before it is mounted (issue 25): e2fsck runs as a child, its output
 * in /run/overroot/fsck.log, with a time limit, and PID 1 reads its exit status as e2fsck(8)
 * documents it (0 clean, 1 errors fixed, 2 fixed but reboot, 4 errors left uncorrected,
 * 8 operational error, 16 usage, 32 cancelled, 128 library error). Whatever the child does
 * (hangs, crashes, exits with anything), PID 1 goes on. The root is never checked at all: it
 * is never written, not even by e2fsck. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>
#include "overroot/boot.h"
#include "overroot/fsck.h"
#include "overroot/log.h"
#include "overroot/statusfile.h"

#define OVL "/overlay"
#define TAG "overlayroot"

/* e2fsck asks for a reboot (2, 3) when it changed a filesystem the kernel has mounted; here
 * the device is not mounted, so its fix is whole: reboot once all the same, as the contract
 * says, after a mark on the data partition that tells the next boot it already did. Anything
 * that stops the mark from being written stops the reboot too: never a loop. */
static void reboot_once(struct boot_ctx *ctx, const char *dev, const char *type, int code)
{
	const struct sys_ops *sys = ctx->sys;
	struct stat st;
	int r = sys->mount(dev, OVL, type, 0, NULL);

	if (r == 0) {
		if (sys->lstat(FSCK_REBOOTED, &st) == 0)
			r = -EEXIST;
		else if ((r = sys->mkdir(OVL "/.overroot-trash", 0755)) == 0 || r == -EEXIST)
			if ((r = sys->write_file(FSCK_REBOOTED, "", 0)) == 0)
				r = sys->fsync(FSCK_REBOOTED);
		sys->umount(OVL, 0);
	}
	if (r == -EEXIST) {
		log_warn(TAG, "e2fsck asks for a reboot again (exit %d) after the one made for it: "
			 "not rebooting twice, using %s", code, dev);
		return;
	}
	if (r < 0) {
		log_err(TAG, "e2fsck fixed %s and asks for a reboot (exit %d): cannot mark it "
			"(%s): not rebooting, using it", dev, code, strerror(-r));
		return;
	}
	log_warn(TAG, "e2fsck fixed %s and asks for a reboot (exit %d): rebooting once", dev,
		 code);
	r = sys->reboot(RB_AUTOBOOT);
	log_err(TAG, "reboot: %s: going on with %s, fixed", strerror(-r), dev);
}

/* The child, run and waited for; returns its wait status, or -errno when it had to be
 * killed (-ETIMEDOUT: the time limit). */
static int run_child(struct boot_ctx *ctx, char *const argv[])
{
	const struct sys_ops *sys = ctx->sys;
	unsigned limit = ctx->p.fsck_timeout_s;
	int st = 0, pid = sys->spawn(argv[0], argv, FSCK_LOG);

	if (pid < 0)
		return pid;
	int r = sys->wait_child(pid, limit ? (int)(limit * 1000) : -1, &st);
	if (r < 0) {
		/* a hang, or no way to know it ended: it must not go on writing under a mount */
		sys->kill(pid, SIGKILL);
		sys->wait_child(pid, 5000, &st);
		return r;
	}
	return st;
}

int fsck_rw(struct boot_ctx *ctx, const char *dev, const char *type, char *why, size_t size)
{
	static const char *const progs[] = { "/sbin/e2fsck", "/usr/sbin/e2fsck" };
	static const char opt[][3] = { "-p", "-y", "-n" };	/* fsck.repair= preen, yes, no */
	const struct sys_ops *sys = ctx->sys;
	const struct params *p = &ctx->p;
	struct fsck_state *f = &ctx->fsck;
	const char *prog = NULL;

	f->exit = -1;
	if (strncmp(type, "ext", 3) || !type[3] || !strchr("234", type[3]) || type[4])
		return 0;	/* e2fsck checks ext2, ext3 and ext4 only */
	f->result = "skipped";
	if (p->fsck_mode == FSCK_SKIP) {
		log_notice(TAG, "%s not checked (fsck.mode=skip or fastboot)", dev);
		return 0;
	}
	int e = -ENOENT;
	for (size_t i = 0; !prog && i < 2; i++) {
		int r = sys->access(progs[i], X_OK);
		if (r == 0)
			prog = progs[i];
		else if (r != -ENOENT)
			e = r;	/* the error that says most */
	}
	f->result = "missing";
	if (!prog) {
		log_warn(TAG, "no e2fsck in the initramfs (/sbin/e2fsck, /usr/sbin/e2fsck: %s): "
			 "%s mounted unchecked", strerror(-e), dev);
		return 0;
	}
	bool force = p->fsck_mode == FSCK_FORCE;
	char *argv[] = { (char *)prog, (char *)opt[p->fsck_repair], force ? "-f" : (char *)dev,
			 force ? (char *)dev : NULL, NULL };
	uint64_t t0 = sys->now_ms();
	sys->mkdir(STATUS_DIR, 0755);
	int st = run_child(ctx, argv);
	f->ms = (unsigned)(sys->now_ms() - t0);
	f->result = "error";
	if (st == -ENOMEM || st == -EAGAIN || st == -ENOENT || st == -EACCES || st == -ENOEXEC) {
		/* it never ran (fork or exec): as if there were none, said once */
		log_warn(TAG, "run %s: %s: %s mounted unchecked", prog, strerror(-st), dev);
		return 0;
	}
	const char *o = opt[p->fsck_repair];
	if (st < 0) {
		f->result = st == -ETIMEDOUT ? "timeout" : "error";
		snprintf(why, size, "e2fsck %s %s: %s after %u ms: killed, not mounted read-write",
			 o, dev, st == -ETIMEDOUT ? "no answer (rootrwfscktimeout)" : strerror(-st),
			 f->ms);
		return -EUCLEAN;
	}
	if (WIFSIGNALED(st) || !WIFEXITED(st)) {
		f->result = "killed";
		f->exit = 128 + WTERMSIG(st);
		snprintf(why, size, "e2fsck %s %s: killed by signal %d: not mounted read-write", o,
			 dev, WTERMSIG(st));
		return -EUCLEAN;
	}
	f->exit = WEXITSTATUS(st);
	if (f->exit >= 4) {
		f->result = "refused";
		snprintf(why, size, "e2fsck %s %s: exit %d (%s, see " FSCK_LOG "): not mounted "
			 "read-write, nothing formatted", o, dev, f->exit, f->exit & 4 ?
			 "errors left uncorrected" : "it could not check it");
		return -EUCLEAN;
	}
	f->result = f->exit ? "fixed" : "clean";
	if (f->exit & 2)
		reboot_once(ctx, dev, type, f->exit);
	else if (f->exit)
		log_notice(TAG, "e2fsck %s %s: errors fixed (%u ms, see " FSCK_LOG ")", o, dev,
			   f->ms);
	else
		log_info(TAG, "e2fsck %s %s: clean (%u ms)", o, dev, f->ms);
	return 0;
}
