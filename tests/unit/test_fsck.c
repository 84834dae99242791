/* The rw device's check (fsck.c) on the fake: every exit status of e2fsck by its contract,
 * the time limit, a child killed, no e2fsck, the parameters, the reboot-once rule and the
 * fallback; the root is never checked. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "fake_sys.h"
#include "fixture.h"
#include "overroot/stages.h"
#include "suites.h"

#define SPAWN "spawn /sbin/e2fsck [-p] [/dev/vda3] >/run/overroot/fsck.log"
#define RW_MOUNT "mount /dev/vda3 /overlay ext4 0x400"

static const char *status(void)
{
	const char *s = fake_content("/run/overroot/status");

	ck_assert_ptr_nonnull(s);
	return s;
}

static void has(const char *text, const char *s)
{
	ck_assert_msg(strstr(text, s) != NULL, "no \"%s\" in:\n%s", s, text);
}

/* An overlay boot with e2fsck in the initramfs, ending as how/value say. */
static int fsck_boot(const char *cmdline, const char *how, int value)
{
	const struct stage *failed;

	boot_setup(cmdline);
	boot_capture_log();
	fake_file("/sbin/e2fsck", "ELF", 0755);
	fake_file("/etc/e2fsck.conf", "[options]\n", 0644);
	fake_child(how, value, 20);
	return boot(&failed);
}

START_TEST(test_clean_is_mounted)
{
	ck_assert_int_eq(fsck_boot("root=/dev/vda2 rootrw=/dev/vda3", "exit", 0), 0);
	static const char *const want[] = { SPAWN, "wait_child 4242 300000", RW_MOUNT,
					    "write_file /run/overroot/status", NULL };
	assert_in_order(want);
	ck_assert_int_eq(ctx.mode, MODE_OVERLAY);
	has(status(), "fsck=clean\nfsck_exit=0\nfsck_ms=20\n");
	has(boot_kmsg(), "e2fsck -p /dev/vda3: clean (20 ms)");
	ck_assert_ptr_nonnull(fake_content("/run/overroot/fsck.log"));
	assert_absent("kill");
	/* the root is never checked, not even with -n */
	assert_absent("spawn /sbin/e2fsck [-p] [/dev/vda2]");
	ck_assert_uint_eq(fake_count("spawn"), 1);
}
END_TEST

START_TEST(test_fixed_is_mounted)
{
	ck_assert_int_eq(fsck_boot("root=/dev/vda2 rootrw=/dev/vda3", "exit", 1), 0);
	ck_assert_int_eq(ctx.mode, MODE_OVERLAY);
	has(status(), "fsck=fixed\nfsck_exit=1\n");
	has(boot_kmsg(), "e2fsck -p /dev/vda3: errors fixed");
	assert_absent("reboot 0x");
}
END_TEST

/* 2 and 3: reboot once; the next boot that is asked again does not reboot, and the mark
 * goes with the trash once the overlay is up. */
static void reboot_once(int code)
{
	ck_assert_int_eq(fsck_boot("root=/dev/vda2 rootrw=/dev/vda3", "exit", code), 0);
	static const char *const want[] = { SPAWN, "mount /dev/vda3 /overlay ext4 0x0",
					    "write_file " FSCK_REBOOTED " 0",
					    "fsync " FSCK_REBOOTED, "umount /overlay 0x0",
					    "reboot 0x1234567", NULL };
	assert_in_order(want);
	has(boot_kmsg(), "asks for a reboot");
	has(boot_kmsg(), "rebooting once");
	ck_assert(fake_exists(FSCK_REBOOTED));
	fake_save("/overlay/");
	boot_teardown();
	/* the next boot: asked again, it does not reboot again and uses the device */
	const struct stage *failed;
	boot_setup("root=/dev/vda2 rootrw=/dev/vda3");
	boot_capture_log();
	fake_restore();
	fake_file("/sbin/e2fsck", "ELF", 0755);
	fake_child("exit", code, 20);
	ck_assert_int_eq(boot(&failed), 0);
	assert_absent("reboot 0x");
	has(boot_kmsg(), "not rebooting twice");
	ck_assert_int_eq(ctx.mode, MODE_OVERLAY);
	has(status(), "fsck=fixed\n");
	has(fake_log(), "spawn_remove_tree /overlay/.overroot-trash");
}

START_TEST(test_exit_2_reboots_once)
{
	reboot_once(2);
}
END_TEST

START_TEST(test_exit_3_reboots_once)
{
	reboot_once(3);
}
END_TEST

START_TEST(test_no_mark_no_reboot)
{
	/* the mark cannot be written: no reboot at all (it could loop), the device is used */
	boot_setup("root=/dev/vda2 rootrw=/dev/vda3");
	boot_capture_log();
	fake_file("/sbin/e2fsck", "ELF", 0755);
	fake_child("exit", 2, 20);
	fake_fail_path("write_file", FSCK_REBOOTED, ENOSPC);
	const struct stage *failed;
	ck_assert_int_eq(boot(&failed), 0);
	assert_absent("reboot 0x");
	has(boot_kmsg(), "cannot mark it (No space left on device): not rebooting");
	ck_assert_int_eq(ctx.mode, MODE_OVERLAY);
}
END_TEST

/* 4 and more: not used read-write, the fallback says the check, the device and the status;
 * nothing on it is touched. */
static void refused(int code, const char *what)
{
	ck_assert_int_eq(fsck_boot("root=/dev/vda2 rootrw=/dev/vda3", "exit", code), 0);
	ck_assert_int_eq(ctx.mode, MODE_READONLY);
	assert_absent(RW_MOUNT);
	assert_absent("mount /dev/vda3");
	char want[160];
	snprintf(want, sizeof(want), "overlay NOT active: e2fsck -p /dev/vda3: exit %d (%s", code,
		 what);
	has(boot_kmsg(), want);
	has(boot_kmsg(), "nothing formatted: booting the root read-only");
	snprintf(want, sizeof(want), "fsck=refused\nfsck_exit=%d\n", code);
	has(status(), want);
	has(status(), "fallback_reason=e2fsck -p /dev/vda3: exit");
	static const char *const writes[] = { "write_file /overlay", "rename /overlay",
					      "remove_tree /overlay", "unlink /overlay", "mkfs",
					      NULL };
	for (size_t i = 0; writes[i]; i++)
		assert_absent(writes[i]);
	boot_teardown();
}

START_TEST(test_exit_4_refused)
{
	refused(4, "errors left uncorrected");
}
END_TEST

START_TEST(test_exit_8_refused)
{
	refused(8, "it could not check it");
	refused(12, "errors left uncorrected");
	refused(16, "it could not check it");
	refused(128, "it could not check it");
}
END_TEST

START_TEST(test_refused_follows_fallback)
{
	ck_assert_int_eq(fsck_boot("root=/dev/vda2 rootrw=/dev/vda3 rootrwfallback=tmpfs",
				   "exit", 4), 0);
	ck_assert_int_eq(ctx.mode, MODE_TMPFS);
	has(boot_kmsg(), "overlay on /dev/vda3 NOT active: e2fsck -p /dev/vda3: exit 4");
	boot_teardown();
	const struct stage *failed = NULL;
	ck_assert_int_lt(fsck_boot("root=/dev/vda2 rootrw=/dev/vda3 rootrwfallback=fatal",
				   "exit", 4), 0);
	assert_absent("execv");
	(void)failed;
}
END_TEST

START_TEST(test_hang_is_killed)
{
	ck_assert_int_eq(fsck_boot("root=/dev/vda2 rootrw=/dev/vda3 rootrwfscktimeout=7", "hang",
				   0), 0);
	static const char *const want[] = { SPAWN, "wait_child 4242 7000", "kill 4242 9",
					    "wait_child 4242 5000", NULL };
	assert_in_order(want);
	ck_assert_int_eq(ctx.mode, MODE_READONLY);
	has(status(), "fsck=timeout\nfsck_exit=-1\nfsck_ms=7000\n");
	has(boot_kmsg(), "e2fsck -p /dev/vda3: no answer (rootrwfscktimeout) after 7000 ms: "
	    "killed");
	assert_absent(RW_MOUNT);
}
END_TEST

START_TEST(test_no_limit)
{
	ck_assert_int_eq(fsck_boot("root=/dev/vda2 rootrw=/dev/vda3 rootrwfscktimeout=0", "exit",
				   0), 0);
	has(fake_log(), "wait_child 4242 -1");
	ck_assert_int_eq(ctx.mode, MODE_OVERLAY);
}
END_TEST

START_TEST(test_killed_by_a_signal)
{
	ck_assert_int_eq(fsck_boot("root=/dev/vda2 rootrw=/dev/vda3", "signal", SIGSEGV), 0);
	ck_assert_int_eq(ctx.mode, MODE_READONLY);
	has(status(), "fsck=killed\nfsck_exit=139\n");
	has(boot_kmsg(), "e2fsck -p /dev/vda3: killed by signal 11: not mounted read-write");
}
END_TEST

START_TEST(test_wait_fails)
{
	/* no way to know how it ended: killed, not used */
	boot_setup("root=/dev/vda2 rootrw=/dev/vda3");
	boot_capture_log();
	fake_file("/sbin/e2fsck", "ELF", 0755);
	fake_fail("wait_child", 1, EINTR);
	const struct stage *failed;
	ck_assert_int_eq(boot(&failed), 0);
	has(fake_log(), "kill 4242 9");
	ck_assert_int_eq(ctx.mode, MODE_READONLY);
	has(boot_kmsg(), "Interrupted system call");
}
END_TEST

START_TEST(test_missing_e2fsck)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2 rootrw=/dev/vda3");
	boot_capture_log();
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert_int_eq(ctx.mode, MODE_OVERLAY);
	assert_absent("spawn");
	has(status(), "fsck=missing\nfsck_exit=-1\n");
	const char *k = boot_kmsg(), *w = strstr(k, "no e2fsck in the initramfs");
	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_null(strstr(w + 1, "no e2fsck in the initramfs"));	/* once */
	boot_teardown();
	/* /usr/sbin/e2fsck is the second place looked at */
	boot_setup("root=/dev/vda2 rootrw=/dev/vda3");
	fake_dir("/usr");
	fake_dir("/usr/sbin");
	fake_file("/usr/sbin/e2fsck", "ELF", 0755);
	ck_assert_int_eq(boot(&failed), 0);
	has(fake_log(), "spawn /usr/sbin/e2fsck [-p] [/dev/vda3]");
	has(status(), "fsck=clean\n");
}
END_TEST

START_TEST(test_cannot_run)
{
	/* a fork that fails, or an exec the kernel refuses: said once, mounted unchecked */
	static const int errs[] = { ENOMEM, EAGAIN, ENOEXEC };
	for (size_t i = 0; i < 3; i++) {
		boot_setup("root=/dev/vda2 rootrw=/dev/vda3");
		boot_capture_log();
		fake_file("/sbin/e2fsck", "ELF", 0755);
		fake_fail("spawn", 1, errs[i]);
		const struct stage *failed;
		ck_assert_int_eq(boot(&failed), 0);
		ck_assert_int_eq(ctx.mode, MODE_OVERLAY);
		has(boot_kmsg(), strerror(errs[i]));
		has(boot_kmsg(), "/dev/vda3 mounted unchecked");
		has(status(), "fsck=error\n");
		boot_teardown();
	}
}
END_TEST

/* The parameters: the e2fsck command line they make, or no check. */
static void made(const char *cmdline, const char *spawn)
{
	ck_assert_int_eq(fsck_boot(cmdline, "exit", 0), 0);
	if (spawn) {
		has(fake_log(), spawn);
	} else {
		assert_absent("spawn");
		has(status(), "fsck=skipped\n");
	}
	ck_assert_int_eq(ctx.mode, MODE_OVERLAY);
	boot_teardown();
}

START_TEST(test_parameters)
{
	const char *r = "root=/dev/vda2 rootrw=/dev/vda3 ";
	char c[256];
	static const char *const rows[][2] = {
		{ "fsck.mode=auto", SPAWN },
		{ "fsck.mode=force", "spawn /sbin/e2fsck [-p] [-f] [/dev/vda3]" },
		{ "forcefsck", "spawn /sbin/e2fsck [-p] [-f] [/dev/vda3]" },
		{ "fsck.mode=skip", NULL },
		{ "fastboot", NULL },
		{ "fsck.repair=preen", SPAWN },
		{ "fsck.repair=yes", "spawn /sbin/e2fsck [-y] [/dev/vda3]" },
		{ "fsckfix", "spawn /sbin/e2fsck [-y] [/dev/vda3]" },
		{ "fsck.repair=no", "spawn /sbin/e2fsck [-n] [/dev/vda3]" },
		{ "fsck.repair=no forcefsck", "spawn /sbin/e2fsck [-n] [-f] [/dev/vda3]" },
		/* the last of fsck.mode, fastboot and forcefsck wins; fsck.repair and fsckfix */
		{ "forcefsck fsck.mode=skip", NULL },
		{ "fsck.mode=skip forcefsck", "spawn /sbin/e2fsck [-p] [-f] [/dev/vda3]" },
		{ "fastboot fsck.mode=force", "spawn /sbin/e2fsck [-p] [-f] [/dev/vda3]" },
		{ "fsck.mode=force fastboot", NULL },
		{ "fsckfix fsck.repair=no", "spawn /sbin/e2fsck [-n] [/dev/vda3]" },
		{ "fsck.repair=no fsckfix", "spawn /sbin/e2fsck [-y] [/dev/vda3]" },
		/* a bad value: the default, with a warning */
		{ "fsck.mode=always", SPAWN },
		{ "fsck.repair=maybe", SPAWN },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(c, sizeof(c), "%s%s", r, rows[i][0]);
		made(c, rows[i][1]);
	}
	ck_assert_int_eq(fsck_boot("root=/dev/vda2 rootrw=/dev/vda3 fsck.mode=always", "exit", 0),
			 0);
	has(boot_kmsg(), "fsck.mode=always is not auto, force or skip: using auto");
}
END_TEST

START_TEST(test_only_ext)
{
	/* e2fsck is for ext2/3/4: another filesystem, or a tmpfs upper, gets no check */
	ck_assert_int_eq(fsck_boot("root=/dev/vda2 rootrw=/dev/vda3 rootrwfstype=btrfs", "exit",
				   4), 0);
	assert_absent("spawn");
	ck_assert_ptr_null(strstr(status(), "fsck="));
	boot_teardown();
	ck_assert_int_eq(fsck_boot("root=/dev/vda2 rootrw=tmpfs", "exit", 4), 0);
	assert_absent("spawn");
	ck_assert_int_eq(ctx.mode, MODE_TMPFS);
	boot_teardown();
	ck_assert_int_eq(fsck_boot("root=/dev/vda2 rootrw=/dev/vda3 rootrwfstype=ext2", "exit",
				   0), 0);
	has(fake_log(), SPAWN);
}
END_TEST

START_TEST(test_read_only_boot_checks_nothing)
{
	ck_assert_int_eq(fsck_boot("root=/dev/vda2", "exit", 4), 0);
	assert_absent("spawn");
	ck_assert_ptr_null(strstr(status(), "fsck="));
}
END_TEST

Suite *fsck_suite(void)
{
	Suite *s = suite_create("fsck");
	TCase *t = tcase_create("fsck");

	tcase_add_checked_fixture(t, NULL, boot_teardown);
	tcase_add_test(t, test_clean_is_mounted);
	tcase_add_test(t, test_fixed_is_mounted);
	tcase_add_test(t, test_exit_2_reboots_once);
	tcase_add_test(t, test_exit_3_reboots_once);
	tcase_add_test(t, test_no_mark_no_reboot);
	tcase_add_test(t, test_exit_4_refused);
	tcase_add_test(t, test_exit_8_refused);
	tcase_add_test(t, test_refused_follows_fallback);
	tcase_add_test(t, test_hang_is_killed);
	tcase_add_test(t, test_no_limit);
	tcase_add_test(t, test_killed_by_a_signal);
	tcase_add_test(t, test_wait_fails);
	tcase_add_test(t, test_missing_e2fsck);
	tcase_add_test(t, test_cannot_run);
	tcase_add_test(t, test_parameters);
	tcase_add_test(t, test_only_ext);
	tcase_add_test(t, test_read_only_boot_checks_nothing);
	suite_add_tcase(s, t);
	return s;
}
