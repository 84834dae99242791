/* Boot counting and the set-aside uppers at boot (bootcount.c, aside.c) on the fake: the
 * count, the set-aside after rootrwtries= unconfirmed boots or a boot-bad, confirmed boots,
 * tmpfs, slots, reset, a restore, rootrwkeep=, a full data partition with its reserve, and
 * every failure point of each followed by the next boot: nothing lost, the device boots. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "fake_sys.h"
#include "fixture.h"
#include "overroot/aside.h"
#include "overroot/bootcount.h"
#include "overroot/stages.h"
#include "suites.h"

#define TRIES "/overlay/" BOOTCOUNT_NAME
#define A1 ASIDE_DIR "/1"
#define A2 ASIDE_DIR "/2"
#define KEEP "/upper/persist.txt"
#define CMD "root=/dev/vda2 rootrw=/dev/vda3 rootrwtries=3"

static void assert_has(const char *text, const char *want)
{
	ck_assert_msg(text && strstr(text, want), "\"%s\" not in:\n%s", want, text);
}

static const char *status(void)
{
	return fake_content("/run/overroot/status");
}

/* A data partition with an upper (persist.txt) and, when count is not NULL, that count. */
static void machine(const char *cmdline, const char *count)
{
	boot_teardown();
	boot_setup(cmdline);
	boot_capture_log();
	fake_dir("/overlay/upper");
	fake_dir("/overlay/work");
	fake_file("/overlay" KEEP, "old", 0644);
	if (count)
		fake_file(TRIES, count, 0644);
}

/* The next boot on the same data partition, with the same command line. */
static int reboot_same(const char *cmdline)
{
	const struct stage *failed;

	fake_save("/overlay/");
	boot_teardown();
	boot_setup(cmdline);
	boot_capture_log();
	fake_restore();
	return boot(&failed);
}

START_TEST(test_each_boot_counts_itself)
{
	const struct stage *failed;

	machine(CMD, NULL);
	ck_assert_int_eq(boot(&failed), 0);
	assert_in_order((const char *const[]){ "write_file " TRIES ".tmp", "fsync " TRIES ".tmp",
					       "rename " TRIES ".tmp " TRIES, "fsync /overlay",
					       "mount overlay /rootfs", NULL });
	ck_assert_str_eq(fake_content(TRIES), "overroot boot 1, unconfirmed 1\n");
	assert_has(status(), "\ntries=1/3\nboot_seq=1\nset_aside=\nset_aside_reason=\n");
	ck_assert_int_eq(reboot_same(CMD), 0);
	ck_assert_int_eq(reboot_same(CMD), 0);
	ck_assert_str_eq(fake_content(TRIES), "overroot boot 3, unconfirmed 3\n");
	assert_has(status(), "\ntries=3/3\n");
	ck_assert(fake_exists("/overlay" KEEP));
}
END_TEST

START_TEST(test_unconfirmed_boots_set_the_upper_aside)
{
	const struct stage *failed;

	machine(CMD, "overroot boot 7, unconfirmed 3\n");
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert_int_eq(ctx.mode, MODE_OVERLAY);
	ck_assert(fake_exists(A1 KEEP));
	ck_assert(!fake_exists("/overlay" KEEP));
	ck_assert(fake_exists("/overlay/upper") && fake_exists("/overlay/work"));
	ck_assert(!fake_exists(A1 "/" ASIDE_INFO_NAME ".tmp"));
	ck_assert_str_eq(fake_content(A1 "/" ASIDE_INFO_NAME), "reason=3 unconfirmed boots "
			 "(rootrwtries=3)\ntime=1764763200\nboot=8\nfrom=/overlay\n");
	ck_assert_str_eq(fake_content(TRIES), "overroot boot 8, unconfirmed 1\n");
	assert_has(boot_kmsg(), "<4>overroot: [overlayroot] upper set aside after 3 unconfirmed "
		   "boots (rootrwtries=3): kept, whole, in " A1 "; this boot starts a fresh upper");
	assert_has(status(), "\ntries=1/3\nboot_seq=8\nset_aside=" A1 "\nset_aside_reason=3 "
		   "unconfirmed boots (rootrwtries=3)\n");
	/* the record of the root moved with it, this root's in its place */
	ck_assert(fake_exists(A1 "/.overroot-root") && fake_exists("/overlay/.overroot-root"));
	assert_absent("remove_tree /overlay");
	assert_absent("unlink /overlay");
}
END_TEST

START_TEST(test_tries_one_sets_aside_after_one_boot)
{
	machine("root=/dev/vda2 rootrw=/dev/vda3 rootrwtries=1", NULL);
	ck_assert_int_eq(reboot_same("root=/dev/vda2 rootrw=/dev/vda3 rootrwtries=1"), 0);
	ck_assert(fake_exists("/overlay" KEEP));
	ck_assert_int_eq(reboot_same("root=/dev/vda2 rootrw=/dev/vda3 rootrwtries=1"), 0);
	ck_assert(fake_exists(A1 KEEP));
}
END_TEST

START_TEST(test_confirmed_boots_are_never_set_aside)
{
	machine(CMD, NULL);
	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(reboot_same(CMD), 0);
		ck_assert(fake_exists("/overlay" KEEP));
		/* what overroot boot-ok writes */
		struct bootcount bc;
		char why[128];
		ck_assert_int_eq(bootcount_read(&fake_sys, "/overlay", &bc, why, sizeof(why)), 1);
		bc.count = 0;
		ck_assert_int_eq(bootcount_write(&fake_sys, "/overlay", &bc), 0);
	}
	ck_assert_str_eq(fake_content(TRIES), "overroot boot 6, unconfirmed 0\n");
	ck_assert(!fake_exists(ASIDE_DIR));
}
END_TEST

START_TEST(test_boot_bad_sets_aside_at_once)
{
	const struct stage *failed;

	machine(CMD, "overroot boot 2, unconfirmed 1 bad\n");
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert(fake_exists(A1 KEEP));
	assert_has(boot_kmsg(), "upper set aside after declared bad (overroot boot-bad)");
	assert_has(status(), "set_aside_reason=declared bad (overroot boot-bad)\n");
}
END_TEST

START_TEST(test_without_tries_nothing_is_counted)
{
	const struct stage *failed;

	machine("root=/dev/vda2 rootrw=/dev/vda3", "overroot boot 2, unconfirmed 9\n");
	ck_assert_int_eq(boot(&failed), 0);
	assert_absent(TRIES);
	assert_absent("fallocate");
	ck_assert(fake_exists("/overlay" KEEP));
	assert_has(status(), "\ntries=off\nboot_seq=0\n");
}
END_TEST

START_TEST(test_tmpfs_has_nothing_to_count)
{
	const struct stage *failed;

	machine("root=/dev/vda2 rootrw=tmpfs rootrwtries=2", NULL);
	ck_assert_int_eq(boot(&failed), 0);
	assert_has(boot_kmsg(), "<6>overroot: [overlayroot] rootrwtries=2: a tmpfs upper is new "
		   "at every boot: nothing to count");
	assert_has(status(), "\ntries=tmpfs\n");
	assert_absent("write_file /overlay/" BOOTCOUNT_NAME);
}
END_TEST

START_TEST(test_reset_restarts_the_count)
{
	const struct stage *failed;

	machine(CMD " rootrwreset=yes", "overroot boot 4, unconfirmed 3\n");
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert(!fake_exists(ASIDE_DIR));	/* reset, not set aside */
	ck_assert_str_eq(fake_content(TRIES), "overroot boot 5, unconfirmed 1\n");
}
END_TEST

START_TEST(test_each_slot_has_its_count)
{
	const struct stage *failed;
	char slot[128], path[160];

	/* the upper of /overlay is another root's: this one gets a slot */
	machine(CMD " rootrwonchange=slot", "overroot boot 9, unconfirmed 2\n");
	fake_file("/overlay/.overroot-root", "overroot upper made on root: uuid=9999\n", 0644);
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert_uint_eq(fake_find("/overlay/.overroot-slots/", "/" BOOTCOUNT_NAME, slot,
				    sizeof(slot)), 1);
	ck_assert_str_eq(fake_content(slot), "overroot boot 1, unconfirmed 1\n");
	ck_assert_str_eq(fake_content(TRIES), "overroot boot 9, unconfirmed 2\n");
	/* the slot's upper is set aside by its own count, /overlay's is left alone */
	fake_file(slot, "overroot boot 1, unconfirmed 3\n", 0644);
	snprintf(path, sizeof(path), "%.*s/upper/mine", (int)(strlen(slot) - 16), slot);
	fake_file(path, "slot", 0644);
	ck_assert_int_eq(reboot_same(CMD " rootrwonchange=slot"), 0);
	ck_assert(fake_exists(A1 "/upper/mine"));
	ck_assert(fake_exists("/overlay" KEEP));
	assert_has(fake_content(A1 "/" ASIDE_INFO_NAME), "from=/overlay/.overroot-slots/");
}
END_TEST

START_TEST(test_unsafe_count_is_ignored_loudly)
{
	const struct stage *failed;

	machine(CMD, "overroot boot x, unconfirmed 99\n");
	ck_assert_int_eq(boot(&failed), 0);
	assert_has(boot_kmsg(), "boot count " TRIES ": not what overroot writes: ignored, the "
		   "count starts again");
	ck_assert(fake_exists("/overlay" KEEP));
	ck_assert_str_eq(fake_content(TRIES), "overroot boot 1, unconfirmed 1\n");
}
END_TEST

/* Every call of a set-aside boot failing in turn, then the next boot: it comes up with the
 * overlay, and the old upper's file is in exactly one place (in use, or set aside whole). */
static void every_failure(const char *cmdline, void (*prepare)(void), void (*verify)(void))
{
	const struct stage *failed;

	machine(cmdline, NULL);
	prepare();
	boot(&failed);
	unsigned n = fake_calls();
	for (unsigned k = 1; k <= n; k++) {
		machine(cmdline, NULL);
		prepare();
		fake_fail_call(k, EIO);
		boot(&failed);
		ck_assert_int_eq(reboot_same(cmdline), 0);
		ck_assert_msg(ctx.mode == MODE_OVERLAY, "call %u (%s): the next boot has no "
			      "overlay:\n%s", k, fake_call_kind(k), boot_kmsg());
		verify();
	}
}

static void count_at_limit(void)
{
	fake_file(TRIES, "overroot boot 3, unconfirmed 3\n", 0644);
}

static void one_place(void)
{
	char path[160];

	ck_assert_uint_eq(fake_find("/overlay/", KEEP, path, sizeof(path)), 1);
	ck_assert(!strcmp(path, "/overlay" KEEP) || !strcmp(path, A1 KEEP));
	assert_absent("remove_tree /overlay");
}

START_TEST(test_set_aside_every_failure_point)
{
	every_failure(CMD, count_at_limit, one_place);
}
END_TEST

/* overroot restore 1: aside 1 holds an upper with back.txt. */
static void restore_marked(void)
{
	fake_dir(ASIDE_DIR);
	fake_dir(A1);
	fake_dir(A1 "/upper");
	fake_dir(A1 "/work");
	fake_file(A1 "/upper/back.txt", "back", 0644);
	fake_file(A1 "/" ASIDE_INFO_NAME, "reason=root changed\n", 0644);
	fake_file(ASIDE_RESTORE, ASIDE_RESTORE_HEAD "1\n", 0644);
}

START_TEST(test_restore_brings_one_back)
{
	const struct stage *failed;

	machine(CMD, NULL);
	restore_marked();
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert(fake_exists("/overlay/upper/back.txt"));
	ck_assert(fake_exists(A2 KEEP));
	ck_assert(!fake_exists(A1));
	ck_assert(!fake_exists(ASIDE_RESTORE));
	assert_has(fake_content(A2 "/" ASIDE_INFO_NAME), "reason=restore of 1\n");
	assert_has(status(), "set_aside=" A2 "\nset_aside_reason=restore of 1\n");
	assert_has(boot_kmsg(), "overroot restore: the upper of " A1 " is back in use in "
		   "/overlay; the upper it replaces is set aside in " A2);
	ck_assert_str_eq(fake_content(TRIES), "overroot boot 1, unconfirmed 1\n");
	ck_assert_str_eq(fake_content("/overlay/.overroot-root"),
			 "overroot upper made on root: uuid=1111\n");
}
END_TEST

static void restored_once(void)
{
	char path[160];

	ck_assert_uint_eq(fake_find("/overlay/", "/upper/back.txt", path, sizeof(path)), 1);
	ck_assert_uint_eq(fake_find("/overlay/", KEEP, path, sizeof(path)), 1);
	ck_assert(fake_exists("/overlay/upper/back.txt"));
	ck_assert(!fake_exists(ASIDE_RESTORE));
}

START_TEST(test_restore_every_failure_point)
{
	every_failure("root=/dev/vda2 rootrw=/dev/vda3", restore_marked, restored_once);
}
END_TEST

START_TEST(test_unsafe_restore_mark_ignored)
{
	const struct stage *failed;

	machine(CMD, NULL);
	restore_marked();
	fake_file(ASIDE_RESTORE, ASIDE_RESTORE_HEAD "../../x\n", 0644);
	ck_assert_int_eq(boot(&failed), 0);
	assert_has(boot_kmsg(), "restore mark " ASIDE_RESTORE ": not what overroot writes: "
		   "ignored, the upper is kept");
	ck_assert(fake_exists("/overlay" KEEP) && fake_exists(A1 "/upper/back.txt"));
}
END_TEST

START_TEST(test_rootrwkeep_keeps_the_newest)
{
	const struct stage *failed;
	char path[64];

	machine(CMD " rootrwkeep=2", "overroot boot 3, unconfirmed 3\n");
	fake_dir(ASIDE_DIR);
	for (int i = 1; i <= 3; i++) {
		snprintf(path, sizeof(path), ASIDE_DIR "/%d", i);
		fake_dir(path);
		snprintf(path, sizeof(path), ASIDE_DIR "/%d/" ASIDE_INFO_NAME, i);
		fake_file(path, "reason=x\n", 0644);
	}
	ck_assert_int_eq(boot(&failed), 0);
	/* this boot set 4 aside: 3 and 4 are kept, 1 and 2 go */
	ck_assert(fake_exists(ASIDE_DIR "/4" KEEP) && fake_exists(ASIDE_DIR "/3"));
	ck_assert(!fake_exists(A1) && !fake_exists(A2));
	assert_has(boot_kmsg(), "rootrwkeep=2: set-aside upper " A1 " deleted (in the background)");
	assert_has(fake_log(), "spawn_remove_tree /overlay/.overroot-trash");
}
END_TEST

START_TEST(test_without_keep_nothing_is_deleted)
{
	const struct stage *failed;

	machine(CMD, "overroot boot 3, unconfirmed 3\n");
	fake_dir(ASIDE_DIR);
	fake_dir(A1);
	fake_file(A1 "/" ASIDE_INFO_NAME, "reason=x\n", 0644);
	fake_set_usage(20 << 20, 1 << 20, 0);
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert(fake_exists(A1) && fake_exists(A2 KEEP));
	assert_has(boot_kmsg(), "the data partition is low: 1024 KiB free of 20480 KiB; 2 "
		   "set-aside uppers in " ASIDE_DIR " hold part of it");
	assert_has(status(), "\ndata_size_bytes=20971520\ndata_free_bytes=1048576\ndata_low=yes\n");
}
END_TEST

/* --- a full data partition: the space the fake's calls take, 1 KiB a directory or file --- */

static struct sys_ops space_ops;
static uint64_t space;

static int take(const char *path, uint64_t n)
{
	if (strncmp(path, "/overlay/", 9) || n <= space)
		return space -= strncmp(path, "/overlay/", 9) ? 0 : n, 0;
	return -ENOSPC;
}

static int s_mkdir(const char *path, mode_t mode)
{
	int r = take(path, 1024);
	return r ? r : fake_sys.mkdir(path, mode);
}

static int s_write_file(const char *path, const void *data, size_t len)
{
	int r = take(path, 1024);
	return r ? r : fake_sys.write_file(path, data, len);
}

static int s_fallocate(const char *path, uint64_t len)
{
	int r = take(path, len);
	return r ? r : fake_sys.fallocate(path, len);
}

static int s_unlink(const char *path)
{
	int r = fake_sys.unlink(path);
	if (r == 0 && !strcmp(path, BOOTCOUNT_RESERVE))
		space += CONFIG_RESERVE_BYTES;
	return r;
}

static int s_fs_usage(const char *path, uint64_t *size, uint64_t *free_bytes, uint64_t *avail)
{
	/* as ext4 says it (ext4_statfs): free counts the clusters it keeps for itself (2%,
	 * s_resv_clusters), which root cannot use either; avail leaves out the 5% kept for root */
	*size = 20 << 20;
	*free_bytes = space + *size / 50;
	*avail = space > *size / 20 ? space - *size / 20 : 0;
	return 0;
}

START_TEST(test_full_partition_still_counts_and_sets_aside)
{
	space_ops = fake_sys;
	space_ops.mkdir = s_mkdir;
	space_ops.write_file = s_write_file;
	space_ops.fallocate = s_fallocate;
	space_ops.unlink = s_unlink;
	space_ops.fs_usage = s_fs_usage;
	machine(CMD, NULL);
	ctx.sys = &space_ops;
	space = 128 << 10;
	const struct stage *failed;
	ck_assert_int_eq(boot(&failed), 0);	/* the reserve is made */
	ck_assert_str_eq(fake_content(BOOTCOUNT_RESERVE), "reserve 65536");
	for (int i = 0; i < 3; i++) {
		space = 0;	/* full, for root too: only the reserve can help */
		fake_save("/overlay/");
		boot_teardown();
		boot_setup(CMD);
		boot_capture_log();
		fake_restore();
		ctx.sys = &space_ops;
		ck_assert_int_eq(boot(&failed), 0);
		ck_assert_msg(ctx.mode == MODE_OVERLAY, "boot %d: %s", i, boot_kmsg());
		assert_has(boot_kmsg(), "reserve " BOOTCOUNT_RESERVE " given back");
		ck_assert(fake_exists(BOOTCOUNT_RESERVE));
	}
	/* the third full boot is the first after 3 unconfirmed: it set the upper aside */
	ck_assert(fake_exists(A1 KEEP));
	assert_has(status(), "set_aside=" A1 "\n");
}
END_TEST

Suite *heal_suite(void)
{
	Suite *s = suite_create("heal");
	TCase *t = tcase_create("heal");

	tcase_add_checked_fixture(t, NULL, boot_teardown);

	tcase_add_test(t, test_each_boot_counts_itself);
	tcase_add_test(t, test_unconfirmed_boots_set_the_upper_aside);
	tcase_add_test(t, test_tries_one_sets_aside_after_one_boot);
	tcase_add_test(t, test_confirmed_boots_are_never_set_aside);
	tcase_add_test(t, test_boot_bad_sets_aside_at_once);
	tcase_add_test(t, test_without_tries_nothing_is_counted);
	tcase_add_test(t, test_tmpfs_has_nothing_to_count);
	tcase_add_test(t, test_reset_restarts_the_count);
	tcase_add_test(t, test_each_slot_has_its_count);
	tcase_add_test(t, test_unsafe_count_is_ignored_loudly);
	tcase_add_test(t, test_set_aside_every_failure_point);
	tcase_add_test(t, test_restore_brings_one_back);
	tcase_add_test(t, test_restore_every_failure_point);
	tcase_add_test(t, test_unsafe_restore_mark_ignored);
	tcase_add_test(t, test_rootrwkeep_keeps_the_newest);
	tcase_add_test(t, test_without_keep_nothing_is_deleted);
	tcase_add_test(t, test_full_partition_still_counts_and_sets_aside);
	suite_add_tcase(s, t);
	return s;
}
