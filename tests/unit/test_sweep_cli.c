/* Every failure tried, after the boot: the shutdown mode systemd hands back to, and the
 * booted system's overroot command, each case run once to count its calls, then again with
 * call k failing, for every k, with each error that call can return (sweep.c). Shutdown:
 * reboot(2) is always reached, and the rw filesystem is unmounted, read-only or sealed, or
 * the log says why not. The command: `overroot chroot` leaves the root read-only and locked
 * whatever failed, or says that it is not; `overroot reset` leaves a whole mark or none;
 * `overroot status` writes nothing; a failure that changes the exit status is named. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include "fake_sys.h"
#include "fixture.h"
#include "overroot/cli.h"
#include "overroot/resetmark.h"
#include "overroot/shutdown.h"
#include "suites.h"
#include "sweep.h"
#include "overroot/aside.h"
#include "overroot/bootcount.h"

#define MARK "/overlay/" RESETMARK_NAME

/* --- the shutdown mode ------------------------------------------------------------------ */

struct down_row {
	const char *name;
	bool rw_mount;		/* systemd left /oldroot/overlay mounted */
	const char *status;	/* the boot's /run/overroot/status */
	const char *busy;	/* a mount that refuses to go (EBUSY), or NULL */
	const char *verb;
};

static const struct down_row down_rows[] = {
	{ "all-unmount", true, STATUS_OVERLAY, NULL, "poweroff" },
	{ "busy-overlay", false, STATUS_OVERLAY, "/oldroot", "reboot" },
	{ "busy-child", true, STATUS_OVERLAY, "/oldroot/var/volatile", "halt" },
	{ "no-status", true, NULL, "/oldroot", "kexec" },
	{ "tmpfs", false, "mode=tmpfs\nrw_device=tmpfs\nrw_type=tmpfs\n", "/oldroot", "reboot" },
};

static int down_ret;
static bool sealed;	/* the rw device's superblock remounted read-only */

static int seal_mount(const char *src, const char *target, const char *type,
		      unsigned long flags, const char *data)
{
	int r = fake_sys.mount(src, target, type, flags, data);

	if (r == 0 && !strcmp(target, "/overroot-rw") && (flags & MS_REMOUNT) &&
	    (flags & MS_RDONLY))
		sealed = true;
	return r;
}

static struct sys_ops down_ops;

static void down_setup(const void *p, bool fresh)
{
	const struct down_row *row = p;

	if (ctx.kmsg_fd > 2)
		close(ctx.kmsg_fd);
	oldroot(row->rw_mount, row->status);
	if (row->busy)
		fake_fail_path("umount", row->busy, EBUSY);
	down_ops = fake_sys;
	down_ops.mount = seal_mount;
	ctx.sys = &down_ops;
	ctx.kmsg_fd = sweep_capture();
	sealed = false;
}

/* Mounts below /oldroot still writable at the end; ret gets the last one. */
static int writable_left(char *ret, size_t size)
{
	static char info[8192];
	int n = 0;

	fake_mountinfo(info, sizeof(info));
	for (char *l = strtok(info, "\n"); l; l = strtok(NULL, "\n")) {
		char target[256], opts[8];
		if (sscanf(l, "%*s %*s %*s %*s %255s %7s", target, opts) == 2 &&
		    !strncmp(target, "/oldroot", 8) && !strcmp(opts, "rw")) {
			snprintf(ret, size, "%s", target);
			n++;
		}
	}
	return n;
}

static int down_run(const void *p)
{
	const struct down_row *row = p;
	char last[256];

	down_ret = shutdown_run(ctx.sys, row->verb);
	if (down_ret < 0) {	/* what main() does then */
		char why[128];
		snprintf(why, sizeof(why), "shutdown: reboot(2) failed: %s", strerror(-down_ret));
		boot_fatal_once(&ctx, why);
	}
	return writable_left(last, sizeof(last)) << 2 | sealed << 1 | (down_ret < 0);
}

static void down_check(const void *p, int base, int outcome, unsigned k, const char *kind,
		       int err)
{
	const struct down_row *row = p;
	const char *at = sweep_where(row->name, k, kind, err), *log = fake_log();
	char last[256] = "";
	const char *end = log + strlen(log);

	/* reboot(2) is the last call whatever failed; its own failure goes to main() */
	while (end > log && end[-1] == '\n')
		end--;
	while (end > log && end[-1] != '\n')
		end--;
	SWEEP_CHECK(!strncmp(end, "reboot ", 7), "%s: reboot not reached:\n%s", at, log);
	SWEEP_CHECK(down_ret == (!strcmp(kind, "reboot") ? -err : 0), "%s: returned %d", at,
		    down_ret);
	/* a persistent rw filesystem ends unmounted, read-only or sealed, or the log says so */
	bool persistent = row->status && strstr(row->status, "mode=overlay");
	if (persistent && writable_left(last, sizeof(last)) && !sealed)
		SWEEP_CHECK(sweep_kmsg_names(err), "%s: %s left writable, and the log does not "
			    "say %s:\n%s", at, last, strerror(err), sweep_kmsg());
	if (outcome != base)
		SWEEP_CHECK(sweep_kmsg_names(err), "%s changes the outcome (%#x, not %#x) and the "
			    "log does not say %s:\n%s", at, outcome, base, strerror(err),
			    sweep_kmsg());
}

static const struct sweep_case down_case = {
	.name = "shutdown", .rows = "cases",
	.setup = down_setup, .run = down_run, .check = down_check,
};

START_TEST(test_every_shutdown_failure)
{
	size_t n = sizeof(down_rows) / sizeof(down_rows[0]);

	sweep(&down_case, down_rows, n, sizeof(down_rows[0]));
	if (ctx.kmsg_fd > 2)
		close(ctx.kmsg_fd);
}
END_TEST

/* --- the overroot command --------------------------------------------------------------- */

struct cli_row {
	const char *name;
	const char *arg[4];	/* NULL-ended */
	int command_status;	/* what the chrooted command exits with */
	bool marked;		/* a reset mark is there before */
	bool heal;		/* counting (rootrwtries=3), an upper set aside (test_heal_cli.c) */
};

static const struct cli_row cli_rows[] = {
	{ "chroot", { "chroot", "--", "true" }, 0, false, false },
	{ "chroot-command-fails", { "chroot", "sh", "-c", "exit 3" }, 3, false, false },
	{ "reset", { "reset" }, 0, false, false },
	{ "reset-cancel", { "reset", "--cancel" }, 0, true, false },
	{ "status", { "status" }, 0, true, false },
	{ "status-json", { "status", "--json" }, 0, false, false },
	{ "boot-ok", { "boot-ok" }, 0, false, true },
	{ "boot-bad", { "boot-bad" }, 0, false, true },
	{ "restore", { "restore", "1" }, 0, false, true },
	{ "restore-cancel", { "restore", "--cancel" }, 0, true, true },
	{ "status-set-aside", { "status", "--json" }, 0, false, true },
};

static size_t setup_log;	/* what the set-up itself recorded */

static void cli_setup(const void *p, bool fresh)
{
	const struct cli_row *row = p;

	chroot_ready();
	if (row->heal)
		heal_booted("2/3");
	fake_cli_set(0, 1, row->command_status);
	if (row->marked)
		fake_file(row->heal ? ASIDE_RESTORE : MARK, row->heal ? ASIDE_RESTORE_HEAD "1\n" :
			  RESETMARK_TEXT, 0644);
	ctx.kmsg_fd = -1;
	setup_log = strlen(fake_log());
}

static int cli_run_row(const void *p)
{
	const struct cli_row *row = p;

	return run_cli(row->arg[0], row->arg[1], row->arg[2], row->arg[3], NULL);
}

/* The command speaks on stderr, not the kernel log. */
static bool says(int err)
{
	const char *path;

	fake_failed_kind(&path);
	return strstr(err_text, strerror(err)) || (err == ENOENT && path[0] &&
						   strstr(err_text, path));
}

/* Is anything mounted at path left writable? */
static bool rw_at(const char *path)
{
	static char info[8192];
	char want[300];

	snprintf(want, sizeof(want), " %s rw ", path);
	return strstr(fake_mountinfo(info, sizeof(info)), want) != NULL;
}

static void cli_check(const void *p, int base, int outcome, unsigned k, const char *kind,
		      int err)
{
	const struct cli_row *row = p;
	const char *at = sweep_where(row->name, k, kind, err);
	const char *cmd = row->arg[0];

	if (!strcmp(cmd, "chroot")) {
		/* locked again and read-only again, or the command says it is not (a root left
		 * writable is not locked again: BLKROSET under a writable mount would fail its
		 * writes; the command says STILL WRITABLE and to reboot) */
		SWEEP_CHECK(fake_blk_ro_flag("/dev/vda2") != 0 ||
			    (outcome == CLI_FAIL && (strstr(err_text, "read-only flag") ||
						     strstr(err_text, "STILL WRITABLE"))),
			    "%s: the root stays unlocked, silently:\n%s", at, fake_log());
		SWEEP_CHECK(!rw_at(CHROOT_DIR) || (outcome == CLI_FAIL &&
						   strstr(err_text, "STILL WRITABLE")),
			    "%s: the root stays writable, silently:\n%s", at, fake_log());
		SWEEP_CHECK(!rw_at("/rofs"), "%s: /rofs writable", at);
	} else if (!strncmp(cmd, "boot-", 5) || !strcmp(cmd, "restore")) {
		/* the count and the mark: the old or the new, whole, and exit 0 only when done */
		const char *count = fake_content("/overlay/" BOOTCOUNT_NAME);
		const char *mark = fake_content(ASIDE_RESTORE);
		const char *want = cmd[5] == 'b' ? "overroot boot 5, unconfirmed 2 bad\n" :
				   cmd[5] == 'o' ? "overroot boot 5, unconfirmed 0\n" : NULL;
		/* (lstat's or read_file's ENOENT says there is no count: a count of 0, as the boot
		 * reads it) */
		if (want && err == ENOENT && (!strcmp(kind, "lstat") || !strcmp(kind, "read_file")))
			return;
		SWEEP_CHECK(count && (!strcmp(count, "overroot boot 5, unconfirmed 2\n") ||
				      (want && !strcmp(count, want))), "%s: count %s", at, count);
		SWEEP_CHECK(!mark || !strcmp(mark, ASIDE_RESTORE_HEAD "1\n"), "%s: a torn mark",
			    at);
		if (outcome == CLI_OK && want)
			SWEEP_CHECK(!strcmp(count, want), "%s: exit 0, count %s", at, count);
		if (outcome == CLI_OK && !want && !(err == ENOENT && !strcmp(kind, "unlink")))
			SWEEP_CHECK(!mark == (row->arg[1][0] == '-'), "%s: exit 0, mark %s", at,
				    mark ? "there" : "absent");
	} else if (!strcmp(cmd, "reset")) {
		const char *mark = fake_content(MARK);
		SWEEP_CHECK(!mark || !strcmp(mark, RESETMARK_TEXT), "%s: a torn mark", at);
		/* (lstat's ENOENT says there is no mark: --cancel has nothing to do) */
		if (outcome == CLI_OK && !(err == ENOENT && !strcmp(kind, "lstat")))
			SWEEP_CHECK(!mark == (row->arg[1] != NULL), "%s: exit 0, mark %s", at,
				    mark ? "there" : "absent");
	} else {
		static const char *const writes[] = { "write_file", "mkdir", "rename", "unlink",
						      "symlink", "mount", NULL };
		for (size_t i = 0; writes[i]; i++)
			SWEEP_CHECK(!strstr(fake_log() + setup_log, writes[i]), "%s: status did %s",
				    at, writes[i]);
		SWEEP_CHECK(outcome >= 0 && outcome <= 2, "%s: exit %d", at, outcome);
	}
	if (outcome != base)
		SWEEP_CHECK(says(err), "%s changes the exit status (%d, not %d) and does not say "
			    "%s:\n%s%s", at, outcome, base, strerror(err), out_text, err_text);
}

static const struct sweep_case cli_case = {
	.name = "overroot command", .rows = "command lines",
	.setup = cli_setup, .run = cli_run_row, .check = cli_check,
};

START_TEST(test_every_command_failure)
{
	sweep(&cli_case, cli_rows, sizeof(cli_rows) / sizeof(cli_rows[0]), sizeof(cli_rows[0]));
}
END_TEST

/* Part of the sweep suite (test_sweep.c). */
void sweep_cli_tests(TCase *t)
{
	tcase_add_test(t, test_every_shutdown_failure);
	tcase_add_test(t, test_every_command_failure);
}
