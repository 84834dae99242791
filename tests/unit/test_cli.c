/* The overroot command on the fake: status (parse, human, JSON, exit codes), reset and
 * --cancel (the mark and its crash safety), the boot honouring or loudly ignoring a mark,
 * and chroot (its exact sequence, its undo, its refusals). */
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fake_sys.h"
#include "fixture.h"
#include "overroot/cli.h"
#include "overroot/log.h"
#include "overroot/resetmark.h"
#include "overroot/rootid.h"
#include "suites.h"

#define MARK "/overlay/" RESETMARK_NAME
#define DIR CHROOT_DIR

static void assert_has(const char *text, const char *s)
{
	ck_assert_msg(strstr(text, s) != NULL, "\"%s\" missing from:\n%s", s, text);
}

START_TEST(test_version_and_usage)
{
	booted(status_overlay);
	ck_assert_int_eq(run_cli("--version", NULL), CLI_OK);
	assert_has(out_text, "overroot ");
	ck_assert_int_eq(run_cli(NULL), CLI_USAGE);
	assert_has(err_text, "usage: overroot status");
	ck_assert_int_eq(run_cli("frobnicate", NULL), CLI_USAGE);
	assert_has(err_text, "unknown command 'frobnicate'");
	ck_assert_int_eq(run_cli("status", "--yaml", NULL), CLI_USAGE);
}
END_TEST

START_TEST(test_status_human)
{
	booted(status_overlay);
	ck_assert_int_eq(run_cli("status", NULL), CLI_OK);
	assert_has(out_text, "mode:     overlay (persistent: changes survive a reboot)\n");
	assert_has(out_text, "root:     /dev/vda2 (ext4), read-only on /rofs\n");
	assert_has(out_text, "locked:   yes");
	assert_has(out_text, "rw:       /dev/vda3 (ext4) on /overlay, upper /overlay/upper\n");
	/* 5 MiB used of 20, 14 MiB free for users: 5 / (5 + 14) = 27% (rounded up, as df) */
	assert_has(out_text, "upper:    5.0 MiB used of 20.0 MiB (27%), 14.0 MiB free\n");
	assert_has(out_text, "stages:   early 3 ms rootfs 120 ms total 130 ms\n");
	ck_assert_ptr_null(strstr(out_text, "why:"));
	ck_assert_ptr_null(strstr(out_text, "reset:"));
}
END_TEST

START_TEST(test_status_json)
{
	booted(status_overlay);
	ck_assert_int_eq(run_cli("status", "--json", NULL), CLI_OK);
	ck_assert_str_eq(out_text,
		"{\"persistent\":true,\"version\":\"0.1.0\",\"mode\":\"overlay\",\"root\":\"/dev/vda2\","
		"\"root_device\":\"/dev/vda2\",\"root_type\":\"ext4\",\"root_locked\":\"yes\","
		"\"rootrw\":\"/dev/vda3\",\"rw_device\":\"/dev/vda3\",\"rw_type\":\"ext4\","
		"\"lower\":\"/rofs\",\"rw_mount\":\"/overlay\",\"upper\":\"/overlay/upper\","
		"\"fallback_reason\":\"\",\"time_ms\":{\"early\":3,\"rootfs\":120,\"total\":130},"
		"\"upper_size_bytes\":20971520,\"upper_used_bytes\":5242880,"
		"\"upper_avail_bytes\":14680064,\"data_low\":false,\"set_aside\":[],"
		"\"restore\":\"none\",\"restore_id\":0,\"reset\":\"none\"}\n");
}
END_TEST

START_TEST(test_status_json_escapes)
{
	booted("mode=read-only\nfallback_reason=rootrw=\"x\\y\" not found\n");
	ck_assert_int_eq(run_cli("status", "--json", NULL), CLI_FAIL);
	assert_has(out_text, "\"persistent\":false,\"mode\":\"read-only\","
		   "\"fallback_reason\":\"rootrw=\\\"x\\\\y\\\" not found\"");
	ck_assert_ptr_null(strstr(out_text, "upper_size_bytes"));
}
END_TEST

START_TEST(test_status_exit_codes)
{
	booted("mode=tmpfs\nfallback_reason=rootrw=/dev/vdz9 not found\n");
	ck_assert_int_eq(run_cli("status", NULL), CLI_FAIL);
	assert_has(out_text, "mode:     tmpfs (volatile: changes are lost at reboot)\n");
	assert_has(out_text, "why:      overlay NOT active: rootrw=/dev/vdz9 not found\n");
	booted("mode=read-only\nfallback_reason=/dev/vda3 has no filesystem\n");
	ck_assert_int_eq(run_cli("status", NULL), CLI_FAIL);
	assert_has(out_text, "mode:     read-only (no overlay: the root cannot be written)\n");
	booted("mode=read-write\n");
	ck_assert_int_eq(run_cli("status", NULL), CLI_FAIL);
	booted(NULL);
	ck_assert_int_eq(run_cli("status", NULL), CLI_USAGE);
	assert_has(err_text, "read /run/overroot/status: No such file or directory");
}
END_TEST

START_TEST(test_reset_writes_mark_atomically)
{
	booted(status_overlay);
	ck_assert_int_eq(run_cli("reset", NULL), CLI_OK);
	static const char *const want[] = { "write_file " MARK ".tmp",
					    "fsync " MARK ".tmp",
					    "rename " MARK ".tmp " MARK,
					    "fsync /overlay\n", NULL };
	assert_in_order(want);
	ck_assert_str_eq(fake_content(MARK), RESETMARK_TEXT);
	ck_assert(!fake_exists(MARK ".tmp"));
	assert_has(out_text, "the next boot starts from an empty upper");
	ck_assert_int_eq(run_cli("status", NULL), CLI_OK);
	assert_has(out_text, "reset:    pending");
	ck_assert_int_eq(run_cli("status", "--json", NULL), CLI_OK);
	assert_has(out_text, "\"reset\":\"pending\"}");
}
END_TEST

START_TEST(test_reset_crash_safety_of_the_mark)
{
	/* Fail each step in turn: the mark is whole or absent, never a partial file the boot
	 * would have to judge; the command says it failed unless the mark is durable. */
	static const struct { const char *kind; unsigned nth; } steps[] = {
		{ "write_file", 1 }, { "fsync", 1 }, { "rename", 1 }, { "fsync", 2 },
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		char why[320];
		booted(status_overlay);
		fake_fail(steps[i].kind, steps[i].nth, EIO);
		ck_assert_int_eq(run_cli("reset", NULL), CLI_FAIL);
		ck_assert_int_ge(resetmark_read(&fake_sys, "/overlay", why, sizeof(why)), 0);
		assert_has(err_text, "overroot reset: write " MARK ": Input/output error");
	}
}
END_TEST

START_TEST(test_reset_refusals)
{
	booted(status_overlay);
	fake_cli_set(1000, 1, 0);
	ck_assert_int_eq(run_cli("reset", NULL), CLI_FAIL);
	assert_has(err_text, "only root");
	booted("mode=tmpfs\n");
	ck_assert_int_eq(run_cli("reset", NULL), CLI_FAIL);
	assert_has(err_text, "the upper is in RAM");
	booted("mode=read-only\n");
	ck_assert_int_eq(run_cli("reset", NULL), CLI_FAIL);
	assert_absent("write_file");
	ck_assert_int_eq(run_cli("reset", "--now", NULL), CLI_USAGE);
}
END_TEST

START_TEST(test_reset_cancel)
{
	booted(status_overlay);
	ck_assert_int_eq(run_cli("reset", "--cancel", NULL), CLI_OK);
	assert_has(out_text, "no reset pending");
	ck_assert_int_eq(run_cli("reset", NULL), CLI_OK);
	ck_assert_int_eq(run_cli("reset", "--cancel", NULL), CLI_OK);
	static const char *const want[] = { "unlink " MARK, "fsync /overlay\n", NULL };
	assert_in_order(want);
	ck_assert(!fake_exists(MARK));
	/* a symlink is removed itself, never what it points to */
	fake_file("/etc/important", "keep", 0644);
	fake_link(MARK, "/etc/important");
	ck_assert_int_eq(run_cli("reset", "--cancel", NULL), CLI_OK);
	ck_assert(fake_exists("/etc/important"));
	fake_dir(MARK);
	ck_assert_int_eq(run_cli("reset", "--cancel", NULL), CLI_FAIL);
	assert_has(err_text, "is a directory");
}
END_TEST

/* --- the boot side ------------------------------------------------------------------- */

static void boot_with_mark(void)
{
	boot_setup("root=/dev/vda2 rootrw=/dev/vda3");
	boot_capture_log();
	fake_dir("/overlay/upper");
	fake_dir("/overlay/work");
	fake_file("/overlay/upper/persist.txt", "old", 0644);
}

START_TEST(test_boot_honours_mark)
{
	const struct stage *failed;

	boot_with_mark();
	fake_file(MARK, RESETMARK_TEXT, 0644);
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = { "rename /overlay/upper /overlay/.overroot-trash/upper.",
					    "rename /overlay/work /overlay/.overroot-trash/work.",
					    "rename " MARK " /overlay/.overroot-trash/reset-mark.",
					    "mkdir /overlay/upper 0755",
					    "spawn_remove_tree /overlay/.overroot-trash", NULL };
	assert_in_order(want);
	ck_assert(!fake_exists(MARK));
	ck_assert(!fake_exists("/overlay/upper/persist.txt"));
	ck_assert_int_eq(ctx.mode, MODE_OVERLAY);
	assert_has(boot_kmsg(), "overroot reset: done, mark " MARK " removed");
}
END_TEST

START_TEST(test_boot_ignores_unsafe_marks_loudly)
{
	static const char *const cases[] = { "symlink", "directory", "content", "big" };
	static const char *const says[] = { "not a regular file", "not a regular file",
					    "not what overroot reset writes",
					    "not the size of a mark" };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct stage *failed;
		char wrong[sizeof(RESETMARK_TEXT)];
		boot_with_mark();
		fake_file("/overlay/elsewhere", RESETMARK_TEXT, 0644);
		snprintf(wrong, sizeof(wrong), "%s", RESETMARK_TEXT);
		wrong[0] = 'X';
		if (i == 0)
			fake_link(MARK, "elsewhere");
		else if (i == 1)
			fake_dir(MARK);
		else
			fake_file(MARK, i == 2 ? wrong : RESETMARK_TEXT "and more\n", 0644);
		ck_assert_int_eq(boot(&failed), 0);
		ck_assert_int_eq(ctx.mode, MODE_OVERLAY);
		ck_assert(fake_exists("/overlay/upper/persist.txt"));
		ck_assert(fake_exists(MARK));
		assert_absent("rename /overlay/upper");
		const char *log = boot_kmsg();
		ck_assert_msg(strstr(log, "<3>overroot: [overlayroot] reset mark " MARK ": ") &&
			      strstr(log, says[i]) && strstr(log, "ignored, the upper is kept"),
			      "case %s: not loud:\n%s", cases[i], log);
			boot_teardown();
	}
}
END_TEST

START_TEST(test_boot_mark_crash_safety)
{
	/* The mark goes only after the old upper is in the trash: fail the upper's rename and
	 * the mark stays (the next boot resets); fail the mark's and the boot does not come up
	 * writable on a partition that would be reset again next time. */
	const struct stage *failed;

	boot_with_mark();
	fake_file(MARK, RESETMARK_TEXT, 0644);
	fake_fail_path("rename", "/overlay/upper", EIO);
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert(fake_exists(MARK));
	ck_assert(fake_exists("/overlay/upper/persist.txt"));
	ck_assert_int_eq(ctx.mode, MODE_READONLY);
	boot_teardown();

	boot_with_mark();
	fake_file(MARK, RESETMARK_TEXT, 0644);
	fake_fail_path("rename", MARK, EIO);
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert(fake_exists(MARK));
	ck_assert(!fake_exists("/overlay/upper/persist.txt"));
	ck_assert_int_eq(ctx.mode, MODE_READONLY);
	assert_has(ctx.fallback_reason, "overroot reset: remove " MARK ": Input/output error");
}
END_TEST

START_TEST(test_volatile_root_hint)
{
	/* systemd's blockdev_get_root() reads this link when / is an overlay */
	const struct stage *failed;

	boot_setup("root=/dev/vda2 rootrw=/dev/vda3");
	ck_assert_int_eq(boot(&failed), 0);
	assert_has(fake_log(), "symlink /dev/vda2 /run/systemd/volatile-root\n");
	boot_teardown();
	boot_setup("root=/dev/vda2");
	ck_assert_int_eq(boot(&failed), 0);
	assert_absent("volatile-root");
}
END_TEST

/* --- chroot -------------------------------------------------------------------------- */

START_TEST(test_chroot_sequence)
{
	chroot_ready();
	fake_cli_set(0, 1, 3);
	ck_assert_int_eq(run_cli("chroot", "touch", "/etc/x", NULL), 3);
	static const char *const want[] = {
		"unshare 0x20000",
		"mount - / - 0x44000",		/* MS_REC | MS_PRIVATE */
		"blk_set_ro /dev/vda2 0",
		"mount /rofs " DIR " - 0x1000",
		"mount - " DIR " - 0x20 ",	/* MS_REMOUNT: read-write */
		"mount /proc " DIR "/proc - 0x5000",
		"mount /sys " DIR "/sys - 0x5000",
		"mount /dev " DIR "/dev - 0x5000",
		"mount /run " DIR "/run - 0x1000",
		"run " DIR " [touch] [/etc/x]",
		"umount " DIR "/run 0x2",
		"umount " DIR "/proc 0x2",
		"mount - " DIR " - 0x21 ",	/* MS_REMOUNT | MS_RDONLY */
		"umount " DIR " 0x0",
		"blk_set_ro /dev/vda2 1",
		NULL };
	assert_in_order(want);
	assert_has(out_text, "overroot chroot: cleared the kernel's read-only flag on /dev/vda2\n");
	assert_has(out_text, "overroot chroot: /dev/vda2 read-write on " DIR "\n");
	assert_has(out_text, "overroot chroot: touch exited with status 3\n");
	assert_has(out_text, "overroot chroot: /dev/vda2 read-only again\n");
	assert_has(out_text, "the kernel's read-only flag is set on /dev/vda2 again\n");
}
END_TEST

/* What a user's chroot does to the root's os-release, while the command runs. */
static void new_build(void)
{
	fake_file("/rofs/etc/os-release", "ID=x\nBUILD_ID=2\n", 0644);
}

#define RECORD "/overlay/" ROOTID_STAMP_NAME

START_TEST(test_chroot_own_change_is_not_another_root)
{
	/* a change of the root's identity made through overroot chroot is the user's own: the
	 * record beside the upper follows it, so the next boot keeps the upper */
	for (int edit = 0; edit < 2; edit++) {
		chroot_ready();
		fake_dir("/rofs/etc");
		fake_file("/rofs/etc/os-release", "ID=x\nBUILD_ID=1\n", 0644);
		fake_file(RECORD, ROOTID_STAMP_HEAD "uuid=1111 ID=x BUILD_ID=1\n", 0644);
		fake_on_run(edit ? new_build : NULL);
		ck_assert_int_eq(run_cli("chroot", "true", NULL), 0);
		ck_assert_str_eq(fake_content(RECORD), edit ? ROOTID_STAMP_HEAD
				 "uuid=1111 ID=x BUILD_ID=2\n" : ROOTID_STAMP_HEAD
				 "uuid=1111 ID=x BUILD_ID=1\n");
		if (edit)
			assert_has(out_text, "the root is now uuid=1111 ID=x BUILD_ID=2: recorded "
				   "in " RECORD " (your change, not another root");
		else
			assert_absent("write_file /overlay");
	}
}
END_TEST

START_TEST(test_chroot_shell_and_rootlock_off)
{
	chroot_ready();
	fake_cli_set(0, 0, 0);	/* booted with rootlock=no: the flag is left as it was */
	setenv("SHELL", "/bin/ash", 1);
	ck_assert_int_eq(run_cli("chroot", NULL), 0);
	assert_has(fake_log(), "run " DIR " [/bin/ash]\n");
	assert_absent("blk_set_ro");
	unsetenv("SHELL");
	chroot_ready();
	ck_assert_int_eq(run_cli("chroot", "--", NULL), 0);
	assert_has(fake_log(), "run " DIR " [/bin/sh]\n");
}
END_TEST

START_TEST(test_chroot_refusals)
{
	for (int i = 0; i < 6; i++) {
		chroot_ready();
		switch (i) {
		case 0:
			fake_cli_set(1000, 1, 0);
			break;
		case 1:
			fake_file("/run/overroot/status", "mode=read-only\n", 0644);
			break;
		case 2:	/* the lower is not on a block device (an image file, say) */
			fake_remove("/dev/vda2");
			fake_file("/dev/vda2", "", 0644);
			break;
		case 3:	/* /rofs is on another device than the status says */
			fake_blk("vda2", 0, 9, &root_info);
			break;
		case 4:	/* BLKROGET fails: it could not be locked again */
			fake_fail("blk_get_ro", 1, ENOTTY);
			break;
		case 5:
			fake_remove("/run/overroot/status");
			break;
		}
		ck_assert_int_eq(run_cli("chroot", "true", NULL), CLI_FAIL);
		assert_has(err_text, "overroot chroot: refused: ");
		assert_absent("unshare");
		assert_absent("blk_set_ro");
		assert_absent("mount - /");
	}
}
END_TEST

START_TEST(test_chroot_undoes_a_failed_setup)
{
	chroot_ready();
	fake_fail("mount", 4, EIO);	/* the remount read-write */
	ck_assert_int_eq(run_cli("chroot", "true", NULL), CLI_FAIL);
	assert_absent("run ");
	static const char *const want[] = { "blk_set_ro /dev/vda2 0", "mount - " DIR " - 0x20 ",
					    "mount - " DIR " - 0x21 ", "blk_set_ro /dev/vda2 1",
					    NULL };
	assert_in_order(want);
}
END_TEST

START_TEST(test_chroot_says_when_still_writable)
{
	chroot_ready();
	fake_fail("mount", 9, EBUSY);	/* the remount read-only */
	ck_assert_int_eq(run_cli("chroot", "true", NULL), CLI_FAIL);
	assert_has(err_text, "remount /dev/vda2 read-only: Device or resource busy: it is STILL "
		   "WRITABLE");
	ck_assert_ptr_null(strstr(fake_log(), "blk_set_ro /dev/vda2 1"));
}
END_TEST

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *t = tcase_create("cli");

	tcase_add_test(t, test_version_and_usage);
	tcase_add_test(t, test_status_human);
	tcase_add_test(t, test_status_json);
	tcase_add_test(t, test_status_json_escapes);
	tcase_add_test(t, test_status_exit_codes);
	tcase_add_test(t, test_reset_writes_mark_atomically);
	tcase_add_test(t, test_reset_crash_safety_of_the_mark);
	tcase_add_test(t, test_reset_refusals);
	tcase_add_test(t, test_reset_cancel);
	tcase_add_test(t, test_boot_honours_mark);
	tcase_add_test(t, test_boot_ignores_unsafe_marks_loudly);
	tcase_add_test(t, test_boot_mark_crash_safety);
	tcase_add_test(t, test_volatile_root_hint);
	tcase_add_test(t, test_chroot_sequence);
	tcase_add_test(t, test_chroot_own_change_is_not_another_root);
	tcase_add_test(t, test_chroot_shell_and_rootlock_off);
	tcase_add_test(t, test_chroot_refusals);
	tcase_add_test(t, test_chroot_undoes_a_failed_setup);
	tcase_add_test(t, test_chroot_says_when_still_writable);
	suite_add_tcase(s, t);
	return s;
}
