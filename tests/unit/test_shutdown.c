/* systemd's way back at shutdown: the boot leaves /run/initramfs/shutdown only under a
 * persistent overlay, and the shutdown mode takes the old root apart in order, makes
 * read-only what refuses, reaches the rw filesystem's superblock even when its mount is gone,
 * and then does what it was asked. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include "fake_sys.h"
#include "fixture.h"
#include "overroot/log.h"
#include "overroot/shutdown.h"
#include "overroot/stages.h"
#include "suites.h"

START_TEST(test_overlay_boot_leaves_shutdown)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2 rootrw=/dev/vda3");
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = {
		"mount overlay /rootfs overlay",
		"mkdir /run/initramfs 0755",
		"copy_file /proc/self/exe /run/initramfs/shutdown 0755",
		"write_file /run/overroot/status",
		"mount /run /rootfs/run - 0x2000",
		NULL };
	assert_in_order(want);
	ck_assert(fake_exists("/run/initramfs/shutdown"));
	boot_teardown();
}
END_TEST

START_TEST(test_no_shutdown_without_persistent_overlay)
{
	static const char *const cmdlines[] = { "root=/dev/vda2", "root=/dev/vda2 rootrw=tmpfs",
						"root=/dev/vda2 rootrw=/dev/vdz9 rootrwtimeout=0" };
	const struct stage *failed;

	for (size_t i = 0; i < 3; i++) {
		boot_setup(cmdlines[i]);
		ck_assert_int_eq(boot(&failed), 0);
		assert_absent("/run/initramfs");
		boot_teardown();
	}
}
END_TEST

START_TEST(test_copy_failure_warns_and_boots)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2 rootrw=/dev/vda3");
	fake_fail("copy_file", 1, ENOSPC);
	ck_assert_int_eq(boot(&failed), 0);	/* a warning: the boot goes on */
	ck_assert_ptr_nonnull(strstr(fake_log(), "execv /sbin/init"));
	ck_assert(!fake_exists("/run/initramfs/shutdown"));
	boot_teardown();
}
END_TEST

START_TEST(test_takes_old_root_apart_deepest_first)
{
	oldroot(true, STATUS_OVERLAY);
	ck_assert_int_eq(shutdown_run(ctx.sys, "poweroff"), 0);
	/* /oldroot itself last: it refuses while anything is mounted below it */
	static const char *const want[] = {
		"mount - /oldroot - 0x44000 \"\"",	/* MS_REC|MS_PRIVATE */
		"umount /oldroot/var/volatile 0x0", "umount /oldroot 0x0",
		"reboot 0x4321fedc", NULL };
	assert_in_order(want);
	static const char *const before_root[] = { "umount /oldroot/rofs 0x0",
						   "umount /oldroot 0x0", NULL };
	assert_in_order(before_root);
	static const char *const before_root2[] = { "umount /oldroot/overlay 0x0",
						    "umount /oldroot 0x0", NULL };
	assert_in_order(before_root2);
	assert_absent("/overroot-rw");	/* nothing left: no need to reach the rw device */
	assert_absent("0x21");		/* nor to remount anything read-only */
}
END_TEST

START_TEST(test_busy_overlay_seals_the_rw_filesystem)
{
	/* systemd unmounted /overlay already; the overlay itself is busy */
	oldroot(false, STATUS_OVERLAY);
	fake_fail_path("umount", "/oldroot", EBUSY);
	ck_assert_int_eq(shutdown_run(ctx.sys, "reboot"), 0);
	static const char *const want[] = {
		"umount /oldroot/rofs 0x0",
		"mount - /oldroot - 0x21 \"\"",			/* MS_REMOUNT|MS_RDONLY */
		"mkdir /overroot-rw 0755",
		"mount /dev/vda3 /overroot-rw ext4 0x0 \"\"",	/* the same superblock */
		"mount - /overroot-rw - 0x21 \"\"",		/* read-only: journal clean */
		"umount /overroot-rw 0x2",
		"reboot 0x1234567", NULL };
	assert_in_order(want);
}
END_TEST

START_TEST(test_refusing_child_made_read_only)
{
	oldroot(true, STATUS_OVERLAY);
	fake_fail_path("umount", "/oldroot/var/volatile", EBUSY);
	ck_assert_int_eq(shutdown_run(ctx.sys, "halt"), 0);
	/* the child stays, so the overlay stays: both read-only, and the rw device sealed */
	static const char *const want[] = {
		"mount - /oldroot/var/volatile - 0x21 \"\"", "mount - /oldroot - 0x21 \"\"",
		"mount /dev/vda3 /overroot-rw ext4", "reboot 0xcdef0123", NULL };
	assert_in_order(want);
	ck_assert_ptr_nonnull(strstr(fake_log(), "umount /oldroot/overlay 0x0"));
}
END_TEST

START_TEST(test_tmpfs_or_unknown_rw_is_not_sealed)
{
	static const char *const statuses[] = { "mode=tmpfs\nrw_device=tmpfs\nrw_type=tmpfs\n",
						NULL };

	for (size_t i = 0; i < 2; i++) {
		oldroot(false, statuses[i]);
		fake_fail_path("umount", "/oldroot", EBUSY);
		ck_assert_int_eq(shutdown_run(ctx.sys, "poweroff"), 0);
		assert_absent("/overroot-rw");
		ck_assert_ptr_nonnull(strstr(fake_log(), "reboot 0x4321fedc"));
	}
}
END_TEST

START_TEST(test_verbs)
{
	static const struct { const char *verb; const char *line; } v[] = {
		{ "reboot", "reboot 0x1234567" }, { "poweroff", "reboot 0x4321fedc" },
		{ "halt", "reboot 0xcdef0123" }, { "kexec", "reboot 0x45584543" },
		{ "bogus", "reboot 0x1234567" }, { "", "reboot 0x1234567" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		oldroot(true, STATUS_OVERLAY);
		shutdown_run(ctx.sys, v[i].verb);
		ck_assert_ptr_nonnull(strstr(fake_log(), v[i].line));
	}
}
END_TEST

START_TEST(test_failed_reboot_is_returned)
{
	oldroot(true, STATUS_OVERLAY);
	fake_fail("reboot", 1, EPERM);
	ck_assert_int_eq(shutdown_run(ctx.sys, "poweroff"), -EPERM);
}
END_TEST

START_TEST(test_argv0)
{
	ck_assert(shutdown_is_argv0("/shutdown"));
	ck_assert(shutdown_is_argv0("shutdown"));
	ck_assert(shutdown_is_argv0("/run/initramfs/shutdown"));
	ck_assert(!shutdown_is_argv0("/init"));
	ck_assert(!shutdown_is_argv0("/sbin/shutdownx"));
	ck_assert(!shutdown_is_argv0(""));
}
END_TEST

Suite *shutdown_suite(void)
{
	Suite *s = suite_create("shutdown");
	TCase *t = tcase_create("shutdown");

	tcase_add_test(t, test_overlay_boot_leaves_shutdown);
	tcase_add_test(t, test_no_shutdown_without_persistent_overlay);
	tcase_add_test(t, test_copy_failure_warns_and_boots);
	tcase_add_test(t, test_takes_old_root_apart_deepest_first);
	tcase_add_test(t, test_busy_overlay_seals_the_rw_filesystem);
	tcase_add_test(t, test_refusing_child_made_read_only);
	tcase_add_test(t, test_tmpfs_or_unknown_rw_is_not_sealed);
	tcase_add_test(t, test_verbs);
	tcase_add_test(t, test_failed_reboot_is_returned);
	tcase_add_test(t, test_argv0);
	suite_add_tcase(s, t);
	return s;
}
