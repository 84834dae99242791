/* overlayroot on the fake: the exact mount sequence, every fallback, the reset's
 * crash-safety, and that no failure anywhere writes to the lower. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "fake_sys.h"
#include "fixture.h"
#include "overroot/stages.h"
#include "suites.h"

#define OVERLAY_MOUNT "mount overlay /rootfs overlay 0x0 " \
	"\"lowerdir=/overlay/rofs,upperdir=/overlay/upper,workdir=/overlay/work\""

static const char *status(void)
{
	const char *s = fake_content("/run/overroot/status");

	ck_assert_ptr_nonnull(s);
	return s;
}

/* Nothing but the read-only mount touched the root device or /rootfs while /rootfs was the
 * lower: up to the overlay mount when the overlay came up, the whole boot otherwise. */
static void assert_lower_untouched(void)
{
	static char log[65536];

	snprintf(log, sizeof(log), "%s", fake_log());
	if (ctx.mode == MODE_OVERLAY) {
		char *end = strstr(log, OVERLAY_MOUNT);
		ck_assert_ptr_nonnull(end);
		*end = '\0';
	}
	for (const char *l = log; (l = strstr(l, "/dev/vda2 /rootfs")); l++)
		ck_assert_msg(!strncmp(l, "/dev/vda2 /rootfs ext4 0x1 ", 27) ||
			      !strncmp(l, "/dev/vda2 /rootfs ext4 0x401 ", 29),
			      "root mounted writable:\n%s", log);
	static const char *const writes[] = { "mkdir /rootfs/", "write_file /rootfs",
					      "rename /rootfs", "remove_tree /rootfs", NULL };
	for (size_t i = 0; writes[i]; i++)
		ck_assert_msg(strstr(log, writes[i]) == NULL, "\"%s\" on the lower:\n%s",
			      writes[i], log);
}

START_TEST(test_overlay_sequence)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2 rootrw=/dev/vda3");
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = {
		"blk_set_ro /dev/vda2 1",
		"mount /dev/vda2 /rootfs ext4 0x1 \"\"",
		"mount /dev/vda3 /overlay ext4 0x400 \"\"",
		"mkdir /overlay/upper 0755",
		"mkdir /overlay/work 0755",
		"mkdir /overlay/rofs 0755",
		"mount /rootfs /overlay/rofs - 0x1000 \"\"",
		"mount - /overlay/rofs - 0x1021 \"\"",
		"umount /rootfs 0x2",
		OVERLAY_MOUNT,
		"mount /overlay/rofs /rootfs/rofs - 0x2000 \"\"",
		"mkdir /rootfs/overlay 0755",
		"mount /overlay /rootfs/overlay - 0x2000 \"\"",
		"write_file /run/overroot/status",
		"mount /dev /rootfs/dev - 0x2000",
		"remove_tree /",
		"execv /sbin/init",
		NULL };
	assert_in_order(want);
	ck_assert_ptr_nonnull(strstr(status(), "mode=overlay\n"));
	ck_assert_ptr_nonnull(strstr(status(), "rw_device=/dev/vda3\n"));
	ck_assert_ptr_nonnull(strstr(status(), "root_locked=yes\n"));
	ck_assert_ptr_nonnull(strstr(status(), "fallback_reason=\n"));
	ck_assert_ptr_nonnull(strstr(status(), "time_rootfs_ms="));
	assert_absent("spawn_remove_tree");
}
END_TEST

START_TEST(test_conventions_and_clash)
{
	const struct stage *failed;

	/* kirkstone: rootfstype/rootflags are the root's; the rw device is probed */
	boot_setup("root=/dev/vda2 rootfstype=ext4 rootflags=noatime rootrw=/dev/vda3");
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = { "mount /dev/vda2 /rootfs ext4 0x401 \"\"",
					    "mount /dev/vda3 /overlay ext4 0x400 \"\"",
					    OVERLAY_MOUNT, NULL };
	assert_in_order(want);
	boot_teardown();
	/* scarthgap names, by label */
	boot_setup("root=/dev/vda2 overlayrootrwdev=LABEL=data overlayrootfstype=ext4 "
		   "overlayrootfsflags=rw,sync");
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want2[] = { "mount /dev/vda3 /overlay ext4 0x10 \"\"",
					     OVERLAY_MOUNT, NULL };
	assert_in_order(want2);
}
END_TEST

START_TEST(test_tmpfs_only_options_dropped)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2 rootrw=UUID=2222 "
		   "rootrwoptions=rw,noatime,mode=755,data=journal");
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = { "mount /dev/vda3 /overlay ext4 0x400 \"data=journal\"",
					    OVERLAY_MOUNT, NULL };
	assert_in_order(want);
}
END_TEST

START_TEST(test_tmpfs_upper)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2 rootrw=tmpfs:size=64M");
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = { "mount tmpfs /overlay tmpfs 0x6 \"mode=0755,size=64M\"",
					    OVERLAY_MOUNT, NULL };
	assert_in_order(want);
	ck_assert_ptr_nonnull(strstr(status(), "mode=tmpfs\n"));
	assert_absent("mount /dev/vda3");
}
END_TEST

/* Boot with rootrw set up to fail; it must boot the plain root read-only, loudly. */
static void assert_readonly_fallback(const char *reason)
{
	ck_assert_ptr_nonnull(strstr(status(), "mode=read-only\n"));
	ck_assert_msg(strstr(status(), reason) != NULL, "reason \"%s\" not in:\n%s", reason,
		      status());
	assert_absent("mount overlay");
	assert_lower_untouched();
	ck_assert_ptr_nonnull(strstr(fake_log(), "execv /sbin/init"));
}

START_TEST(test_missing_device)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2 rootrw=/dev/vdz9 rootrwtimeout=1");
	ck_assert_int_eq(boot(&failed), 0);
	assert_readonly_fallback("rootrw=/dev/vdz9 not found");
}
END_TEST

START_TEST(test_blank_partition_not_formatted)
{
	const struct stage *failed;
	struct blkinfo blank = { 0 };

	boot_setup("root=/dev/vda2 rootrw=/dev/vda3");
	fake_blk("vda3", 254, 3, &blank);
	ck_assert_int_eq(boot(&failed), 0);
	assert_readonly_fallback("mkfs.ext4 -L data /dev/vda3");
	assert_absent("mount /dev/vda3");
}
END_TEST

START_TEST(test_unreadable_partition_gets_no_mkfs_advice)
{
	const struct stage *failed;

	/* libblkid's "two filesystem signatures": the partition may hold data */
	boot_setup("root=/dev/vda2 rootrw=/dev/vda3");
	fake_fail_path("probe", "/dev/vda3", EUCLEAN);
	ck_assert_int_eq(boot(&failed), 0);
	assert_readonly_fallback("probe /dev/vda3: ");
	ck_assert_ptr_null(strstr(status(), "mkfs"));
	assert_absent("mount /dev/vda3");
}
END_TEST

START_TEST(test_vfat_refused)
{
	const struct stage *failed;
	struct blkinfo vfat = {
		.type = "vfat", .label = "BOOT",
		.uuid = "AB12", .partuuid = "0badcafe-03"
	};

	boot_setup("root=/dev/vda2 rootrw=/dev/vda3");
	fake_blk("vda3", 254, 3, &vfat);
	ck_assert_int_eq(boot(&failed), 0);
	assert_readonly_fallback("vfat, which overlayfs cannot use");
	assert_absent("mount /dev/vda3");
}
END_TEST

START_TEST(test_rootrw_is_root)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2 rootrw=LABEL=root");
	ck_assert_int_eq(boot(&failed), 0);
	assert_readonly_fallback("is the root device itself");
}
END_TEST

START_TEST(test_rootrw_same_device_other_name)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2 rootrw=/dev/vda2x");
	fake_blk("vda2x", 254, 2, &root_info);	/* another node for 254:2 */
	ck_assert_int_eq(boot(&failed), 0);
	assert_readonly_fallback("is the root device itself");
}
END_TEST

START_TEST(test_whole_disk_never_gets_mkfs_advice)
{
	const struct stage *failed;
	struct blkinfo disk = { 0 };

	snprintf(disk.pttype, sizeof(disk.pttype), "dos");
	boot_setup("root=/dev/vda2 rootrw=/dev/vda");
	fake_blk("vda", 254, 0, &disk);
	ck_assert_int_eq(boot(&failed), 0);
	assert_readonly_fallback("/dev/vda is a whole disk with a dos partition table");
	ck_assert_ptr_null(strstr(status(), "mkfs"));
	assert_absent("mount /dev/vda ");
}
END_TEST

START_TEST(test_upper_not_a_directory)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2 rootrw=/dev/vda3");
	fake_dir("/overlay");
	fake_file("/overlay/upper", "symlink to /etc", 0777);	/* what a hostile card holds */
	ck_assert_int_eq(boot(&failed), 0);
	assert_readonly_fallback("/overlay/upper: Not a directory");
	ck_assert_ptr_nonnull(strstr(fake_log(), "umount /overlay 0x2"));
}
END_TEST

/* The mounts of an overlay boot, in order: proc sys dev run, root, rw, bind, remount. */
#define MOUNT_OVERLAY_NTH 9

START_TEST(test_overlay_mount_fails_restores_root)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2 rootrw=/dev/vda3");
	fake_fail("mount", MOUNT_OVERLAY_NTH, EINVAL);
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = { "umount /rootfs 0x2", OVERLAY_MOUNT,
					    "mount /overlay/rofs /rootfs - 0x1000",
					    "mount - /rootfs - 0x1021", "umount /overlay/rofs 0x2",
					    "umount /overlay 0x2", "execv /sbin/init", NULL };
	assert_in_order(want);
	ck_assert_ptr_nonnull(strstr(status(), "mode=read-only\n"));
	assert_lower_untouched();
}
END_TEST

START_TEST(test_fallback_tmpfs)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2 rootrw=/dev/vdz9 rootrwtimeout=0 rootrwfallback=tmpfs");
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = { "mount tmpfs /overlay tmpfs 0x6 \"mode=0755\"",
					    OVERLAY_MOUNT, "execv /sbin/init", NULL };
	assert_in_order(want);
	ck_assert_ptr_nonnull(strstr(status(), "mode=tmpfs\n"));
	ck_assert_ptr_nonnull(strstr(status(), "fallback_reason=rootrw=/dev/vdz9 not found"));
}
END_TEST

START_TEST(test_fallback_fatal)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2 rootrw=/dev/vdz9 rootrwtimeout=0 rootrwfallback=fatal");
	ck_assert_int_eq(boot(&failed), -ENODEV);
	ck_assert_str_eq(failed->name, "overlayroot");
	assert_absent("remove_tree");
	assert_absent("execv");
}
END_TEST

START_TEST(test_status_lines_cannot_be_forged)
{
	const struct stage *failed;

	/* found by tests/fuzz/fuzz_boot.c: a quoted newline in a value added a line */
	boot_setup("root=/dev/vda2 rootrw=\"x\nmode=overlay\"");
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert_ptr_nonnull(strstr(status(), "mode=read-only\n"));
	ck_assert_ptr_null(strstr(status(), "\nmode=overlay"));
	ck_assert_ptr_nonnull(strstr(status(), "rootrw=x?mode=overlay\n"));
}
END_TEST

START_TEST(test_rootlock_opt_out)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2 rootrw=/dev/vda3 rootlock=no");
	ck_assert_int_eq(boot(&failed), 0);
	assert_absent("blk_set_ro");
	ck_assert_ptr_nonnull(strstr(status(), "root_locked=no\n"));
}
END_TEST

START_TEST(test_reset_moves_upper_aside)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2 rootrw=/dev/vda3 rootrwreset=yes");
	fake_dir("/overlay/upper");
	fake_dir("/overlay/work");
	fake_file("/overlay/upper/persist.txt", "old", 0644);
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = { "mount /dev/vda3 /overlay",
					    "mkdir /overlay/.overroot-trash 0755",
					    "rename /overlay/upper /overlay/.overroot-trash/upper.",
					    "rename /overlay/work /overlay/.overroot-trash/work.",
					    "mkdir /overlay/upper 0755", "mkdir /overlay/work 0755",
					    "spawn_remove_tree /overlay/.overroot-trash",
					    OVERLAY_MOUNT, NULL };
	assert_in_order(want);
	ck_assert(!fake_exists("/overlay/upper/persist.txt"));
	assert_absent("remove_tree /overlay/upper");	/* never deleted in place */
}
END_TEST

/* Where the reset moved the old upper, from the rename in the log; "" when it did not. */
static void trashed_upper(char *ret, size_t size)
{
	const char *l = strstr(fake_log(), "rename /overlay/upper ");

	ret[0] = '\0';
	if (l)
		snprintf(ret, size, "%.*s/persist.txt", (int)strcspn(l + 22, "\n"), l + 22);
}

START_TEST(test_reset_crash_safety)
{
	/* Fail each step of the reset in turn (the trash mkdir, the two renames, the new
	 * upper's mkdir): the old upper is whole either where it was or in the trash. */
	static const struct { const char *kind; unsigned nth; const char *path; } steps[] = {
		{ "mkdir", 0, "/overlay/.overroot-trash" },
		{ "rename", 0, "/overlay/upper" }, { "rename", 0, "/overlay/work" },
		{ "mkdir", 0, "/overlay/upper" }, { "mkdir", 0, "/overlay/work" },
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		const struct stage *failed;
		char trash[256];
		boot_setup("root=/dev/vda2 rootrw=/dev/vda3 rootrwreset=yes");
		fake_dir("/overlay/upper");
		fake_dir("/overlay/work");
		fake_file("/overlay/upper/persist.txt", "old", 0644);
		if (steps[i].path)
			fake_fail_path(steps[i].kind, steps[i].path, EIO);
		else
			fake_fail(steps[i].kind, steps[i].nth, EIO);
		ck_assert_int_eq(boot(&failed), 0);
		trashed_upper(trash, sizeof(trash));
		bool whole = fake_exists("/overlay/upper/persist.txt");
		bool trashed = trash[0] && fake_exists(trash);
		ck_assert_msg(whole != trashed, "step %zu (%s): in place %d, in trash %d\n%s", i,
			      steps[i].kind, whole, trashed, fake_log());
		ck_assert_ptr_nonnull(strstr(status(), "mode=read-only\n"));
		assert_absent("remove_tree /overlay/upper");
		assert_lower_untouched();
		boot_teardown();
	}
}
END_TEST

static void overlay_boot(void)
{
	boot_setup("root=/dev/vda2 rootrw=/dev/vda3");
}

START_TEST(test_every_failure_point)
{
	/* Fail the Nth mount, mkdir, lstat, umount and probe of an overlay boot, one at a time
	 * (the failure sweep, test_sweep.c, then fails every call with every error). */
	static const char *const kinds[] = { "mount", "mkdir", "lstat", "umount", "probe" };
	assert_every_failure_point(overlay_boot, kinds, sizeof(kinds) / sizeof(kinds[0]), 16,
				   assert_lower_untouched);
}
END_TEST

Suite *overlayroot_suite(void)
{
	Suite *s = suite_create("overlayroot");
	TCase *t = tcase_create("overlayroot");

	tcase_add_checked_fixture(t, NULL, boot_teardown);
	tcase_add_test(t, test_overlay_sequence);
	tcase_add_test(t, test_conventions_and_clash);
	tcase_add_test(t, test_tmpfs_only_options_dropped);
	tcase_add_test(t, test_tmpfs_upper);
	tcase_add_test(t, test_missing_device);
	tcase_add_test(t, test_blank_partition_not_formatted);
	tcase_add_test(t, test_vfat_refused);
	tcase_add_test(t, test_unreadable_partition_gets_no_mkfs_advice);
	tcase_add_test(t, test_rootrw_is_root);
	tcase_add_test(t, test_upper_not_a_directory);
	tcase_add_test(t, test_rootrw_same_device_other_name);
	tcase_add_test(t, test_whole_disk_never_gets_mkfs_advice);
	tcase_add_test(t, test_overlay_mount_fails_restores_root);
	tcase_add_test(t, test_fallback_tmpfs);
	tcase_add_test(t, test_fallback_fatal);
	tcase_add_test(t, test_rootlock_opt_out);
	tcase_add_test(t, test_status_lines_cannot_be_forged);
	tcase_add_test(t, test_reset_moves_upper_aside);
	tcase_add_test(t, test_reset_crash_safety);
	tcase_add_test(t, test_every_failure_point);
	suite_add_tcase(s, t);
	return s;
}
