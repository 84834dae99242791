/* No initramfs (init=/usr/sbin/overroot): the kernel mounted vda2 on / and runs overroot from
 * it. The staging tmpfs, the root made read-only and locked, the shared overlay, status and
 * hand-over stages, rootinit=, and every bad input: never a write to the root, never a
 * return from PID 1 but through the fatal policy. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "fake_sys.h"
#include "fixture.h"
#include "overroot/boot.h"
#include "overroot/stages.h"
#include "suites.h"

#define OVERLAY_MOUNT "mount overlay /rootfs overlay 0x0 \"lowerdir=/overlay/rofs," \
	"upperdir=/overlay/upper,workdir=/overlay/work\""

static const char *status(void)
{
	const char *s = fake_content("/run/overroot/status");

	ck_assert_ptr_nonnull(s);
	return s;
}

/* The root was never written: until the overlay is on /rootfs (the whole boot without it),
 * nothing made, written or renamed on /rootfs or on the root before the pivot, and no remount
 * of it but read-only. */
static void assert_root_untouched(void)
{
	static char log[65536];

	snprintf(log, sizeof(log), "%s", fake_log());
	char *end = strstr(log, OVERLAY_MOUNT);
	if (end)
		*end = '\0';
	static const char *const writes[] = { "mkdir /rootfs", "write_file /rootfs",
					      "rename /rootfs", "remove_tree /rootfs",
					      "copy_file /rootfs", "mount - /rootfs - 0x20 ", NULL };
	for (size_t i = 0; writes[i]; i++)
		ck_assert_msg(strstr(log, writes[i]) == NULL, "\"%s\" on the root:\n%s",
			      writes[i], log);
	/* before the pivot, / is the root: only the staging mount may happen */
	char *pivot = strstr(log, "pivot_root /");
	if (pivot)
		*pivot = '\0';
	static const char *const early[] = { "write_file", "rename", "copy_file", "symlink",
					     NULL };
	for (size_t i = 0; early[i]; i++)
		ck_assert_msg(strstr(log, early[i]) == NULL, "\"%s\" before the pivot:\n%s",
			      early[i], log);
	/* the one mkdir: put_old, in the staging tmpfs */
	for (const char *l = log; (l = strstr(l, "mkdir ")); l++)
		ck_assert_msg(!strncmp(strchr(l, '\n') - 12, "/rootfs 0755", 12),
			      "mkdir on the root:\n%s", log);
}

START_TEST(test_noinitramfs_overlay_sequence)
{
	const struct stage *failed;

	boot_setup_noinitramfs("root=/dev/vda2 rootrw=/dev/vda3 init=/usr/sbin/overroot", false);
	ck_assert(staging_needed(&fake_sys));
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = {
		"open /dev/kmsg",		/* logging to the kernel log from the first line */
		"mount tmpfs /run tmpfs 0x6 \"mode=0755\"",
		"mkdir /run/rootfs 0755",
		"pivot_root /run /run/rootfs",
		"chdir /",
		"umount /rootfs/dev 0x2",		/* the kernel's devtmpfs */
		"mount proc /proc proc 0xe \"\"",
		"mount devtmpfs /dev devtmpfs 0x2 \"mode=0755\"",
		"mount tmpfs /run tmpfs 0x1000006 \"mode=0755\"",
		"blk_set_ro /dev/vda2 1",
		"mount /dev/vda3 /overlay ext4 0x400 \"\"",
		"mount /rootfs /overlay/rofs - 0x1000 \"\"",
		"mount - /overlay/rofs - 0x1021 \"\"",
		"umount /rootfs 0x2",
		OVERLAY_MOUNT,
		"mount /overlay/rofs /rootfs/rofs - 0x2000 \"\"",
		"mount /overlay /rootfs/overlay - 0x2000 \"\"",
		"copy_file /proc/self/exe /run/initramfs/shutdown 0755",
		"write_file /run/overroot/status",
		"mount /dev /rootfs/dev - 0x2000 \"\"",
		"mount /proc /rootfs/proc - 0x2000 \"\"",
		"mount /sys /rootfs/sys - 0x2000 \"\"",
		"mount /run /rootfs/run - 0x2000 \"\"",
		"chdir /rootfs",
		"remove_tree /",		/* the staging tmpfs: it does not cross into the root */
		"pivot_root . .",
		"execv /sbin/init [/sbin/init] [one]",
		NULL };
	assert_in_order(want);
	assert_absent("mount - /rootfs - 0x21");	/* already read-only: no remount */
	assert_absent("finit_module");
	assert_root_untouched();
	ck_assert(ctx.no_initramfs);
	ck_assert_int_eq(ctx.mode, MODE_OVERLAY);
	ck_assert_str_eq(ctx.root_dev, "/dev/vda2");
	ck_assert_str_eq(ctx.root_type, "ext4");
	ck_assert_ptr_nonnull(strstr(status(), "mode=overlay\nboot=noinitramfs\n"));
	ck_assert_ptr_nonnull(strstr(status(), "root_device=/dev/vda2\n"));
	ck_assert_ptr_nonnull(strstr(status(), "root_locked=yes\n"));
	ck_assert_ptr_nonnull(strstr(status(), "time_staging_ms="));
	ck_assert_ptr_nonnull(strstr(status(), "time_kernelroot_ms="));
}
END_TEST

/* A kernel with overlayfs as a module (the Pi's bcm2711_defconfig): the root's own module
 * index loads it before the overlay is mounted; nothing else of the root's modules. */
START_TEST(test_noinitramfs_overlay_module_from_the_root)
{
	const struct stage *failed;

	boot_setup_noinitramfs("root=/dev/vda2 rootrw=/dev/vda3", false);
	fake_file("/proc/filesystems", "nodev\tproc\n\text4\n", 0444);
	fake_dir("/lib");
	fake_dir("/lib/modules");
	fake_dir("/lib/modules/6.1.0-test");
	fake_file("/lib/modules/6.1.0-test/modules.dep", "kernel/fs/overlayfs/overlay.ko:\n",
		  0644);
	fake_file("/lib/modules/6.1.0-test/modules.alias", "alias fs-overlay overlay\n", 0644);
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = {
		"blk_set_ro /dev/vda2 1",
		"finit_module /rootfs/lib/modules/6.1.0-test/kernel/fs/overlayfs/overlay.ko",
		OVERLAY_MOUNT,
		NULL };
	assert_in_order(want);
	ck_assert_uint_eq(fake_count("finit_module"), 1);
	ck_assert_int_eq(ctx.mode, MODE_OVERLAY);
}
END_TEST

START_TEST(test_initramfs_boot_says_so)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2 rootrw=/dev/vda3");
	ck_assert(!staging_needed(&fake_sys));
	ck_assert_int_eq(boot(&failed), 0);
	assert_absent("pivot_root /");
	ck_assert(!ctx.no_initramfs);
	ck_assert_ptr_nonnull(strstr(status(), "boot=initramfs\n"));
}
END_TEST

START_TEST(test_noinitramfs_rw_root_made_readonly_first)
{
	const struct stage *failed;

	boot_setup_noinitramfs("root=/dev/vda2 rw rootrw=/dev/vda3 init=/usr/sbin/overroot", true);
	ck_assert_int_eq(boot(&failed), 0);
	/* remounted before the lock (the remount writes the superblock) and before any use */
	static const char *const want[] = { "pivot_root /run /run/rootfs",
					    "mount - /rootfs - 0x21 \"\"", "blk_set_ro /dev/vda2 1",
					    "mount /rootfs /overlay/rofs", OVERLAY_MOUNT,
					    "execv /sbin/init", NULL };
	assert_in_order(want);
	assert_root_untouched();
	ck_assert_int_eq(ctx.mode, MODE_OVERLAY);
}
END_TEST

START_TEST(test_noinitramfs_remount_fails_is_fatal)
{
	const struct stage *failed;

	boot_setup_noinitramfs("root=/dev/vda2 rw rootrw=/dev/vda3", true);
	fake_fail_path("mount", "/rootfs", EBUSY);
	ck_assert_int_eq(boot(&failed), -EBUSY);
	ck_assert_str_eq(failed->name, "kernelroot");
	assert_absent("blk_set_ro");
	assert_absent("/overlay");
	assert_absent("execv");
}
END_TEST

START_TEST(test_noinitramfs_rootinit)
{
	const struct stage *failed;

	boot_setup_noinitramfs("root=/dev/vda2 rootrw=/dev/vda3 init=/usr/sbin/overroot "
			       "rootinit=/bin/sh", false);
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert_ptr_nonnull(strstr(fake_log(), "execv /bin/sh [/bin/sh] [one]"));
	boot_teardown();
	/* overroot itself, or a relative path: /sbin/init */
	static const char *const bad[] = { "rootinit=/usr/sbin/overroot", "rootinit=bin/sh",
					   "rootinit=/bin/../usr/sbin/overroot", NULL };
	for (size_t i = 0; bad[i]; i++) {
		char cmdline[256];
		snprintf(cmdline, sizeof(cmdline), "root=/dev/vda2 rootrw=/dev/vda3 %s", bad[i]);
		boot_setup_noinitramfs(cmdline, false);
		ck_assert_int_eq(boot(&failed), 0);
		ck_assert_msg(strstr(fake_log(), "execv /sbin/init [/sbin/init] [one]") != NULL,
			      "%s:\n%s", bad[i], fake_log());
		boot_teardown();
	}
}
END_TEST

START_TEST(test_noinitramfs_without_rootrw)
{
	const struct stage *failed;

	/* the root as the kernel mounted it, read-only or read-write, and no lock */
	for (int rw = 0; rw < 2; rw++) {
		boot_setup_noinitramfs(rw ? "root=/dev/vda2 rw" : "root=/dev/vda2", rw);
		ck_assert_int_eq(boot(&failed), 0);
		assert_absent("mount - /rootfs");
		assert_absent("blk_set_ro");
		assert_absent("/overlay");
		assert_absent("copy_file");	/* no handback */
		static const char *const want[] = { "pivot_root /run /run/rootfs",
						    "write_file /run/overroot/status",
						    "mount /dev /rootfs/dev - 0x2000 \"\"",
						    "remove_tree /", "execv /sbin/init", NULL };
		assert_in_order(want);
		ck_assert_int_eq(ctx.mode, MODE_READONLY);
		ck_assert_ptr_nonnull(strstr(status(), rw ? "mode=read-write\n" :
						      "mode=read-only\n"));
		ck_assert_ptr_nonnull(strstr(status(), "boot=noinitramfs\n"));
		boot_teardown();
	}
}
END_TEST

START_TEST(test_noinitramfs_rootrw_missing_falls_back)
{
	const struct stage *failed;

	boot_setup_noinitramfs("root=/dev/vda2 rootrw=/dev/vdz9 rootrwtimeout=1", false);
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert_int_eq(ctx.mode, MODE_READONLY);
	ck_assert_str_eq(ctx.fallback_reason, "rootrw=/dev/vdz9 not found");
	ck_assert_ptr_nonnull(strstr(status(), "mode=read-only\n"));
	assert_absent("mount overlay");
	assert_root_untouched();
	ck_assert_ptr_nonnull(strstr(fake_log(), "execv /sbin/init"));
	boot_teardown();

	boot_setup_noinitramfs("root=/dev/vda2 rootrw=/dev/vdz9 rootrwtimeout=1 "
			       "rootrwfallback=tmpfs", false);
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert_int_eq(ctx.mode, MODE_TMPFS);
	static const char *const want[] = { "mount tmpfs /overlay tmpfs 0x6 \"mode=0755\"",
					    OVERLAY_MOUNT, "execv /sbin/init", NULL };
	assert_in_order(want);
	assert_root_untouched();
	boot_teardown();

	boot_setup_noinitramfs("root=/dev/vda2 rootrw=/dev/vdz9 rootrwtimeout=1 "
			       "rootrwfallback=fatal", false);
	ck_assert_int_eq(boot(&failed), -ENODEV);
	ck_assert_str_eq(failed->name, "overlayroot");
	assert_absent("remove_tree");
	assert_absent("execv");
}
END_TEST

START_TEST(test_noinitramfs_rootrw_unmountable_falls_back)
{
	const struct stage *failed;

	boot_setup_noinitramfs("root=/dev/vda2 rootrw=/dev/vda3", false);
	fake_fail_path("mount", "/overlay", EIO);
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert_int_eq(ctx.mode, MODE_READONLY);
	ck_assert_ptr_nonnull(strstr(ctx.fallback_reason, "mount /dev/vda3 on /overlay"));
	ck_assert_ptr_nonnull(strstr(status(), "fallback_reason=mount /dev/vda3 on /overlay"));
	/* the read-only boot keeps the lock and starts the init on the root itself */
	ck_assert(ctx.root_locked);
	static const char *const want[] = { "mount /dev /rootfs/dev - 0x2000 \"\"",
					    "pivot_root . .", "execv /sbin/init", NULL };
	assert_in_order(want);
	assert_root_untouched();
}
END_TEST

START_TEST(test_noinitramfs_reset)
{
	const struct stage *failed;

	boot_setup_noinitramfs("root=/dev/vda2 rootrw=/dev/vda3 rootrwreset=yes", false);
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = { "mount /dev/vda3 /overlay ext4",
					    "mkdir /overlay/.overroot-trash 0755",
					    "rename /overlay/upper /overlay/.overroot-trash/upper.",
					    "mkdir /overlay/upper 0755",
					    "spawn_remove_tree /overlay/.overroot-trash", OVERLAY_MOUNT,
					    NULL };
	assert_in_order(want);
	ck_assert_int_eq(ctx.mode, MODE_OVERLAY);
}
END_TEST

START_TEST(test_noinitramfs_no_staging_point_is_fatal)
{
	const struct stage *failed;
	static const char *const points[] = { "/run", "/mnt", "/tmp", "/media", "/dev" };

	boot_setup_noinitramfs("root=/dev/vda2 rootrw=/dev/vda3", false);
	for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++)
		fake_remove(points[i]);
	fake_link("/run", "/var/run");	/* a link is never mounted on */
	ck_assert_int_eq(boot(&failed), -ENOENT);
	ck_assert_str_eq(failed->name, "staging");
	assert_absent("mkdir");
	assert_absent("pivot_root");
	ck_assert_uint_eq(fake_count("mount"), 1);	/* the kernel's devtmpfs only */
}
END_TEST

START_TEST(test_noinitramfs_staging_falls_to_next_point)
{
	const struct stage *failed;

	boot_setup_noinitramfs("root=/dev/vda2 rootrw=/dev/vda3", false);
	fake_fail_path("mount", "/run", ENOMEM);
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = { "mount tmpfs /run tmpfs", "mount tmpfs /tmp tmpfs",
					    "pivot_root /tmp /tmp/rootfs", OVERLAY_MOUNT,
					    "execv /sbin/init", NULL };
	assert_in_order(want);
}
END_TEST

START_TEST(test_noinitramfs_pivot_fails_is_fatal)
{
	const struct stage *failed;

	boot_setup_noinitramfs("root=/dev/vda2 rootrw=/dev/vda3", false);
	fake_fail("pivot_root", 1, EINVAL);
	ck_assert_int_eq(boot(&failed), -EINVAL);
	ck_assert_str_eq(failed->name, "staging");
	static const char *const want[] = { "pivot_root /run /run/rootfs", "umount /run 0x2",
					    NULL };
	assert_in_order(want);
	assert_absent("execv");
	assert_absent("remove_tree");
}
END_TEST

START_TEST(test_noinitramfs_overlay_as_root_is_fatal)
{
	const struct stage *failed;

	/* overroot as the real init of its own overlay (rootinit=/sbin/init -> overroot) */
	boot_setup_noinitramfs("root=/dev/vda2 rootrw=/dev/vda3", false);
	fake_set_root_magic(0x794c7630);	/* OVERLAYFS_SUPER_MAGIC */
	ck_assert_int_eq(boot(&failed), -ELOOP);
	ck_assert_str_eq(failed->name, "kernelroot");
	assert_absent("blk_set_ro");
	assert_absent("execv");
}
END_TEST

START_TEST(test_noinitramfs_missing_init_is_fatal)
{
	const struct stage *failed;

	boot_setup_noinitramfs("root=/dev/vda2 rootrw=/dev/vda3 rootinit=/sbin/nope", false);
	ck_assert_int_eq(boot(&failed), -ENOENT);
	ck_assert_str_eq(failed->name, "switchroot");
	assert_absent("remove_tree");
	assert_absent("execv");
}
END_TEST

/* init_fatal_sh and the shell break-point: the staging tmpfs has no shell, the root has. */
START_TEST(test_noinitramfs_fatal_shell_is_the_roots)
{
	const struct stage *failed;

	boot_setup_noinitramfs("root=/dev/vda2 rootrw=/dev/vda3 rootinit=/sbin/nope "
			       "init_fatal_sh", false);
	boot_capture_log();
	ck_assert_int_eq(boot(&failed), -ENOENT);
	boot_fatal_once(&ctx, "test");
	ck_assert_ptr_nonnull(strstr(fake_log(), "run_shell /bin/sh in /rootfs\n"));
	ck_assert_ptr_null(strstr(fake_log(), "run_shell /bin/sh\n"));
	ck_assert_ptr_nonnull(strstr(boot_kmsg(), "init_fatal_sh: starting the root's /bin/sh, "
				     "chrooted to /rootfs"));
	boot_teardown();

	/* a root without a shell: said, and nothing runs */
	boot_setup_noinitramfs("root=/dev/vda2 rootrw=/dev/vda3 rootinit=/sbin/nope "
			       "init_fatal_sh", false);
	boot_capture_log();
	fake_fail_path("access", "/rootfs/bin/sh", ENOENT);
	ck_assert_int_eq(boot(&failed), -ENOENT);
	boot_fatal_once(&ctx, "test");
	assert_absent("run_shell");
	ck_assert_ptr_nonnull(strstr(boot_kmsg(), "init_fatal_sh: the root has no /bin/sh"));
}
END_TEST

START_TEST(test_noinitramfs_shell_breakpoint)
{
	const struct stage *failed;

	boot_setup_noinitramfs("root=/dev/vda2 rootrw=/dev/vda3 shell", false);
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = { "pivot_root /run /run/rootfs",
					    "run_shell /bin/sh in /rootfs", "remove_tree /",
					    "execv /sbin/init", NULL };
	assert_in_order(want);
}
END_TEST

static void noinitramfs_rw_boot(void)
{
	boot_setup_noinitramfs("root=/dev/vda2 rw rootrw=/dev/vda3", true);
}

START_TEST(test_noinitramfs_every_failure_point)
{
	/* Fail the Nth call of each kind with each error the sweep tries, one at a time, the
	 * staging and the pivot too. */
	static const char *const kinds[] = { "mount", "mkdir", "lstat", "umount", "probe",
					     "pivot_root", "blk_set_ro", "stat" };
	unsigned n = assert_every_failure_point(noinitramfs_rw_boot, kinds,
						sizeof(kinds) / sizeof(kinds[0]), 24,
						assert_root_untouched);
	printf("every failure point: init= boot: %u failure points (call x error)\n", n);
}
END_TEST

Suite *noinitramfs_suite(void)
{
	Suite *s = suite_create("noinitramfs");
	TCase *t = tcase_create("noinitramfs");

	tcase_add_checked_fixture(t, NULL, boot_teardown);
	tcase_add_test(t, test_noinitramfs_overlay_sequence);
	tcase_add_test(t, test_initramfs_boot_says_so);
	tcase_add_test(t, test_noinitramfs_rw_root_made_readonly_first);
	tcase_add_test(t, test_noinitramfs_remount_fails_is_fatal);
	tcase_add_test(t, test_noinitramfs_rootinit);
	tcase_add_test(t, test_noinitramfs_without_rootrw);
	tcase_add_test(t, test_noinitramfs_rootrw_missing_falls_back);
	tcase_add_test(t, test_noinitramfs_rootrw_unmountable_falls_back);
	tcase_add_test(t, test_noinitramfs_reset);
	tcase_add_test(t, test_noinitramfs_no_staging_point_is_fatal);
	tcase_add_test(t, test_noinitramfs_staging_falls_to_next_point);
	tcase_add_test(t, test_noinitramfs_pivot_fails_is_fatal);
	tcase_add_test(t, test_noinitramfs_overlay_as_root_is_fatal);
	tcase_add_test(t, test_noinitramfs_missing_init_is_fatal);
	tcase_add_test(t, test_noinitramfs_every_failure_point);
	tcase_add_test(t, test_noinitramfs_fatal_shell_is_the_roots);
	tcase_add_test(t, test_noinitramfs_shell_breakpoint);
	tcase_add_test(t, test_noinitramfs_overlay_module_from_the_root);
	suite_add_tcase(s, t);
	return s;
}
