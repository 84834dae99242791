/* The root under the upper (rootid.c) on the fake: the identity and its record, each
 * rootrwonchange= policy, every failure point of the move aside and every state a power cut
 * can leave it in, a hostile rw partition, and that nothing is ever deleted or written to the
 * lower. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "fake_sys.h"
#include "fixture.h"
#include "overroot/log.h"
#include "overroot/rootid.h"
#include "overroot/stages.h"
#include "suites.h"

#define STAMP "/overlay/" ROOTID_STAMP_NAME
#define ASIDE "/overlay/" ROOTID_ASIDE_NAME
#define HEAD ROOTID_STAMP_HEAD
#define THIS "uuid=1111"	/* the fixture's root: no os-release */
#define OLD "uuid=9999 ID=poky VERSION_ID=4.0"
#define DEFAULT_MOUNT "mount overlay /rootfs overlay 0x0 " \
	"\"lowerdir=/overlay/rofs,upperdir=/overlay/upper,workdir=/overlay/work\""


/* A machine whose rw partition has an upper (with persist.txt) made on the root stamp says
 * (none: NULL). */
static void setup(const char *cmdline, const char *stamp)
{
	boot_setup(cmdline);
	boot_capture_log();
	fake_dir("/overlay/upper");
	fake_dir("/overlay/work");
	fake_file("/overlay/upper/persist.txt", "old", 0644);
	if (stamp) {
		char text[512];
		snprintf(text, sizeof(text), HEAD "%s\n", stamp);
		fake_file(STAMP, text, 0644);
	}
}


static const char *status(void)
{
	const char *s = fake_content("/run/overroot/status");

	ck_assert_ptr_nonnull(s);
	return s;
}

static void assert_has(const char *text, const char *want)
{
	ck_assert_msg(strstr(text, want) != NULL, "\"%s\" not in:\n%s", want, text);
}

static void assert_stamp(const char *dir, const char *id)
{
	char path[256], want[512];

	snprintf(path, sizeof(path), "%s/" ROOTID_STAMP_NAME, dir);
	snprintf(want, sizeof(want), HEAD "%s\n", id);
	ck_assert_ptr_nonnull(fake_content(path));
	ck_assert_str_eq(fake_content(path), want);
}

/* Never deleted, never written on the lower: whatever happened, the old upper's file is in
 * exactly one place. */
static void assert_nothing_lost(const char *aside_dir)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/upper/persist.txt", aside_dir);
	ck_assert_msg(fake_exists("/overlay/upper/persist.txt") != fake_exists(path),
		      "persist.txt in place %d, in %s %d\n%s", fake_exists("/overlay/upper/persist.txt"),
		      aside_dir, fake_exists(path), fake_log());
	assert_absent("remove_tree /overlay");
	assert_absent("unlink /overlay");
	assert_absent("write_file /rootfs");
	assert_absent("rename /rootfs");
}

/* Nothing moved or written on the rw partition: the upper is used as it is. */
static void assert_upper_untouched(void)
{
	assert_absent("rename");
	assert_absent("write_file /overlay");
	ck_assert(fake_exists("/overlay/upper/persist.txt"));
}

START_TEST(test_first_boot_records_the_root)
{
	const struct stage *failed;

	setup("root=/dev/vda2 rootrw=/dev/vda3", NULL);
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = { "mount /dev/vda3 /overlay", "probe /dev/vda2 1",
					    "write_file " STAMP ".tmp", "fsync " STAMP ".tmp",
					    "rename " STAMP ".tmp " STAMP, "fsync /overlay",
					    DEFAULT_MOUNT, NULL };
	assert_in_order(want);
	assert_stamp("/overlay", THIS);
	ck_assert(fake_exists("/overlay/upper/persist.txt"));	/* an older upper is adopted */
	assert_has(status(), "\nupper=/overlay/upper\nroot_id=" THIS "\nroot_id_state=first\n");
	assert_has(boot_kmsg(), "the upper belongs to root " THIS);
}
END_TEST

START_TEST(test_same_root_changes_nothing)
{
	const struct stage *failed;

	setup("root=/dev/vda2 rootrw=/dev/vda3", THIS);
	ck_assert_int_eq(boot(&failed), 0);
	assert_upper_untouched();
	assert_has(status(), "root_id_state=same\nroot_id_was=\nroot_id_action=\n");
	assert_in_order((const char *const[]){ DEFAULT_MOUNT, NULL });
}
END_TEST

START_TEST(test_identity_from_os_release)
{
	struct blkinfo info = root_info;
	char id[ROOTID_MAX], why[256];

	/* Debian: /etc/os-release -> ../usr/lib/os-release, not followed: /usr/lib's is read */
	boot_setup("");
	fake_blk("vda2", 254, 2, &info);
	fake_dir("/rootfs/etc");
	fake_dir("/rootfs/usr");
	fake_dir("/rootfs/usr/lib");
	fake_link("/rootfs/etc/os-release", "../usr/lib/os-release");
	fake_file("/rootfs/usr/lib/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12\"\nNAME=x\n"
		  "VERSION_ID=\"12\"\nID=debian\nBUILD_ID='2026-12-01'\nIMAGE_VERSION=7\n", 0644);
	ck_assert_int_eq(rootid_read(&fake_sys, "/dev/vda2", "/rootfs", id, sizeof(id), why,
				     sizeof(why)), 0);
	ck_assert_str_eq(id, "uuid=1111 ID=debian VERSION_ID=12 BUILD_ID=2026-12-01 "
			 "IMAGE_VERSION=7");
	/* /etc's own file wins; a squashfs has no UUID: os-release alone */
	fake_file("/rootfs/etc/os-release", "ID=poky\nVERSION_ID=4.0\n", 0644);
	memset(info.uuid, 0, sizeof(info.uuid));
	fake_blk("vda2", 254, 2, &info);
	ck_assert_int_eq(rootid_read(&fake_sys, "/dev/vda2", "/rootfs", id, sizeof(id), why,
				     sizeof(why)), 0);
	ck_assert_str_eq(id, "ID=poky VERSION_ID=4.0");
	/* nothing at all: nothing to compare */
	fake_remove("/rootfs/etc/os-release");
	fake_remove("/rootfs/usr/lib/os-release");
	ck_assert_int_eq(rootid_read(&fake_sys, "/dev/vda2", "/rootfs", id, sizeof(id), why,
				     sizeof(why)), -ENODATA);
	assert_has(why, "nothing tells one root from another");
}
END_TEST

START_TEST(test_changed_root_sets_upper_aside)
{
	const struct stage *failed;

	setup("root=/dev/vda2 rootrw=/dev/vda3", OLD);
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = {
		"mkdir " ASIDE " 0755", "mkdir " ASIDE "/1 0755", "mkdir /overlay/upper.new 0755",
		"mkdir /overlay/work.new 0755", "write_file " STAMP ".tmp", "fsync " STAMP ".tmp",
		"rename /overlay/work " ASIDE "/1/work", "rename /overlay/upper " ASIDE "/1/upper",
		"fsync " ASIDE "/1", "fsync /overlay",
		"rename " STAMP " " ASIDE "/1/" ROOTID_STAMP_NAME,
		"rename /overlay/upper.new /overlay/upper", "rename /overlay/work.new /overlay/work",
		"rename " STAMP ".tmp " STAMP, "fsync /overlay", DEFAULT_MOUNT, NULL };
	assert_in_order(want);
	ck_assert_int_eq(ctx.mode, MODE_OVERLAY);
	ck_assert(fake_exists(ASIDE "/1/upper/persist.txt"));
	ck_assert(!fake_exists("/overlay/upper/persist.txt"));
	assert_stamp(ASIDE "/1", OLD);
	assert_stamp("/overlay", THIS);
	assert_nothing_lost(ASIDE "/1");
	assert_absent("spawn_remove_tree");	/* kept: nothing goes to the trash */
	assert_has(status(), "root_id_state=changed\nroot_id_was=" OLD "\nroot_id_action=set "
		   "aside: the old upper is kept in " ASIDE "/1, a fresh upper started");
	assert_has(boot_kmsg(), "<4>overroot: [overlayroot] root changed: the upper was made on " OLD
		   ", this root is " THIS ": the old upper is set aside, whole, in " ASIDE "/1");
}
END_TEST

START_TEST(test_aside_numbers_and_keeps_them_all)
{
	const struct stage *failed;

	setup("root=/dev/vda2 rootrw=/dev/vda3", OLD);
	fake_dir(ASIDE);
	fake_dir(ASIDE "/1");
	fake_dir(ASIDE "/1/upper");
	fake_file(ASIDE "/1/" ROOTID_STAMP_NAME, HEAD "uuid=8888\n", 0644);
	fake_dir(ASIDE "/7");	/* a gap, and a name that is not a number */
	fake_file(ASIDE "/7/" ROOTID_STAMP_NAME, HEAD "uuid=7777\n", 0644);
	fake_dir(ASIDE "/notes");
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert(fake_exists(ASIDE "/8/upper/persist.txt"));
	ck_assert(fake_exists(ASIDE "/1/upper"));
	ck_assert(fake_exists(ASIDE "/7"));
	assert_nothing_lost(ASIDE "/8");
}
END_TEST

START_TEST(test_keep_says_it)
{
	const struct stage *failed;

	setup("root=/dev/vda2 rootrw=/dev/vda3 rootrwonchange=keep", OLD);
	ck_assert_int_eq(boot(&failed), 0);
	assert_upper_untouched();
	assert_stamp("/overlay", OLD);	/* not adopted: said again at every boot */
	assert_has(status(), "root_id_state=changed\nroot_id_was=" OLD "\nroot_id_action=kept");
	assert_has(boot_kmsg(), "<4>overroot: [overlayroot] root changed: the upper was made on " OLD
		   ", this root is " THIS ": rootrwonchange=keep");
	assert_in_order((const char *const[]){ DEFAULT_MOUNT, NULL });
}
END_TEST

START_TEST(test_slot_gives_each_root_its_upper)
{
	const struct stage *failed;
	char slot[128], mount[320];

	setup("root=/dev/vda2 rootrw=/dev/vda3 rootrwonchange=slot", OLD);
	ck_assert_int_eq(boot(&failed), 0);
	snprintf(slot, sizeof(slot), "%s", ctx.rootid.upper);
	ck_assert_msg(!strncmp(slot, "/overlay/" ROOTID_SLOTS_NAME "/", 25) && strlen(slot) == 47,
		      "slot upper %s", slot);
	*strrchr(slot, '/') = '\0';
	snprintf(mount, sizeof(mount), "mount overlay /rootfs overlay 0x0 \"lowerdir=/overlay/rofs,"
		 "upperdir=%s/upper,workdir=%s/work\"", slot, slot);
	assert_in_order((const char *const[]){ mount, NULL });
	assert_stamp(slot, THIS);
	assert_stamp("/overlay", OLD);	/* the other root's upper: untouched */
	ck_assert(fake_exists("/overlay/upper/persist.txt"));
	assert_absent("rename /overlay/upper");
	assert_has(status(), "root_id_state=first\n");
	boot_teardown();

	/* the slot's second boot: the same upper, nothing written */
	setup("root=/dev/vda2 rootrw=/dev/vda3 rootrwonchange=slot", OLD);
	fake_dir("/overlay/" ROOTID_SLOTS_NAME);
	fake_dir(slot);
	snprintf(mount, sizeof(mount), "%s/" ROOTID_STAMP_NAME, slot);
	fake_file(mount, HEAD THIS "\n", 0644);
	ck_assert_int_eq(boot(&failed), 0);
	assert_absent("write_file /overlay");
	assert_has(status(), "root_id_state=same\n");
	boot_teardown();

	/* a slot that says it belongs to another root is not used */
	setup("root=/dev/vda2 rootrw=/dev/vda3 rootrwonchange=slot", OLD);
	fake_dir("/overlay/" ROOTID_SLOTS_NAME);
	fake_dir(slot);
	fake_file(mount, HEAD "uuid=5555\n", 0644);
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert_int_eq(ctx.mode, MODE_READONLY);
	assert_has(status(), "belongs to another root (uuid=5555)");
}
END_TEST

START_TEST(test_aside_every_failure_point)
{
	/* Fail each step of the move in turn: the boot falls back loudly or comes up with a
	 * fresh upper, and the old upper is whole in exactly one place. */
	static const struct { const char *kind; const char *path; } steps[] = {
		{ "mkdir", ASIDE }, { "mkdir", ASIDE "/1" },
		{ "rename", "/overlay/work" }, { "rename", "/overlay/upper" },
		{ "fsync", ASIDE "/1" }, { "fsync", "/overlay" }, { "rename", STAMP },
		{ "write_file", STAMP ".tmp" }, { "fsync", STAMP ".tmp" },
		{ "rename", STAMP ".tmp" }, { "mkdir", "/overlay/upper.new" },
		{ "mkdir", "/overlay/work.new" }, { "rename", "/overlay/upper.new" },
		{ "rename", "/overlay/work.new" },
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		const struct stage *failed;
		setup("root=/dev/vda2 rootrw=/dev/vda3", OLD);
		fake_fail_path(steps[i].kind, steps[i].path, ENOSPC);
		ck_assert_int_eq(boot(&failed), 0);
		ck_assert_msg(ctx.mode == MODE_READONLY, "step %zu (%s %s) did not fall back",
			      i, steps[i].kind, steps[i].path);
		assert_has(status(), "No space left on device");
		assert_has(boot_kmsg(), "overlay NOT active");
		assert_nothing_lost(ASIDE "/1");
		boot_teardown();
	}
}
END_TEST

/* A power cut leaves the move in one of these states; the next boot on the new root must
 * finish it in the same N (or, the record gone, just record the root). */
START_TEST(test_aside_interrupted_is_finished)
{
	enum { EMPTY_DIR, WORK_MOVED, BOTH_MOVED, RECORD_MOVED, NSTATES };
	for (int s = 0; s < NSTATES; s++) {
		const struct stage *failed;
		setup("root=/dev/vda2 rootrw=/dev/vda3", OLD);
		fake_dir(ASIDE);
		fake_dir(ASIDE "/1");
		if (s >= WORK_MOVED)
			fake_sys.rename("/overlay/work", ASIDE "/1/work");
		if (s >= BOTH_MOVED)
			fake_sys.rename("/overlay/upper", ASIDE "/1/upper");
		if (s >= RECORD_MOVED)
			fake_sys.rename(STAMP, ASIDE "/1/" ROOTID_STAMP_NAME);
		ck_assert_int_eq(boot(&failed), 0);
		ck_assert_int_eq(ctx.mode, MODE_OVERLAY);
		ck_assert_msg(fake_exists(ASIDE "/1/upper/persist.txt"), "state %d\n%s", s,
			      fake_log());
		ck_assert(!fake_exists(ASIDE "/2"));
		assert_stamp(ASIDE "/1", OLD);
		assert_stamp("/overlay", THIS);
		assert_has(status(), s == RECORD_MOVED ? "root_id_state=first" :
			   "root_id_state=changed");
		assert_nothing_lost(ASIDE "/1");
		boot_teardown();
	}
}
END_TEST

START_TEST(test_identity_unknown_uses_upper_as_is)
{
	/* the root's probe fails (rootfstype given: the rootfs stage does not probe), then
	 * its os-release cannot be read: never a guess that moves the upper */
	for (int i = 0; i < 2; i++) {
		const struct stage *failed;
		setup("root=/dev/vda2 rootfstype=ext4 rootrw=/dev/vda3", OLD);
		fake_dir("/rootfs/etc");
		fake_file("/rootfs/etc/os-release", "ID=debian\n", 0644);
		fake_fail_path(i ? "read_file" : "probe", i ? "/rootfs/etc/os-release" :
			       "/dev/vda2", EIO);
		ck_assert_int_eq(boot(&failed), 0);
		ck_assert_int_eq(ctx.mode, MODE_OVERLAY);
		assert_upper_untouched();
		assert_stamp("/overlay", OLD);
		assert_has(status(), "root_id_state=unknown\n");
		assert_has(boot_kmsg(), "root identity unknown: ");
		boot_teardown();
	}
}
END_TEST

START_TEST(test_hostile_records_ignored_loudly)
{
	/* the rw partition is not trusted: a record that is a link, a directory, not what
	 * overroot writes, or too big is not believed, and nothing is moved on its word */
	static const char *const says[] = { "not a regular file", "not a regular file",
					     "not what overroot writes", "too big" };
	for (int i = 0; i < 4; i++) {
		const struct stage *failed;
		char big[600];
		setup("root=/dev/vda2 rootrw=/dev/vda3", NULL);
		fake_file("/overlay/elsewhere", HEAD OLD "\n", 0644);
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		if (i == 0)
			fake_link(STAMP, "elsewhere");
		else if (i == 1)
			fake_dir(STAMP);
		else
			fake_file(STAMP, i == 2 ? "uuid=9999\n" : big, 0644);
		ck_assert_int_eq(boot(&failed), 0);
		ck_assert_int_eq(ctx.mode, MODE_OVERLAY);
		assert_upper_untouched();
		assert_has(boot_kmsg(), "<3>overroot: [overlayroot] root record " STAMP ": ");
		assert_has(boot_kmsg(), says[i]);
		boot_teardown();
	}
	/* a set-aside directory that is a link: the move does not follow it */
	const struct stage *failed;
	setup("root=/dev/vda2 rootrw=/dev/vda3", OLD);
	fake_link(ASIDE, "/rootfs/etc");
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert_int_eq(ctx.mode, MODE_READONLY);
	assert_has(status(), ASIDE ": Not a directory");
	assert_nothing_lost(ASIDE "/1");
}
END_TEST

START_TEST(test_tmpfs_upper_has_no_record)
{
	const struct stage *failed;

	setup("root=/dev/vda2 rootrw=tmpfs", NULL);
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert_int_eq(ctx.mode, MODE_TMPFS);
	assert_absent(ROOTID_STAMP_NAME);
	ck_assert_ptr_null(strstr(status(), "root_id"));
}
END_TEST

START_TEST(test_reset_in_a_slot_resets_that_slot)
{
	const struct stage *failed;

	setup("root=/dev/vda2 rootrw=/dev/vda3 rootrwonchange=slot rootrwreset=yes", OLD);
	ck_assert_int_eq(boot(&failed), 0);
	ck_assert_int_eq(ctx.mode, MODE_OVERLAY);
	assert_in_order((const char *const[]){ "rename /overlay/" ROOTID_SLOTS_NAME "/",
					       "/upper /overlay/.overroot-trash/upper.", NULL });
	ck_assert(fake_exists("/overlay/upper/persist.txt"));	/* the other root's */
}
END_TEST

Suite *rootid_suite(void)
{
	Suite *s = suite_create("rootid");
	TCase *t = tcase_create("rootid");

	tcase_add_checked_fixture(t, NULL, boot_teardown);
	tcase_add_test(t, test_first_boot_records_the_root);
	tcase_add_test(t, test_same_root_changes_nothing);
	tcase_add_test(t, test_identity_from_os_release);
	tcase_add_test(t, test_changed_root_sets_upper_aside);
	tcase_add_test(t, test_aside_numbers_and_keeps_them_all);
	tcase_add_test(t, test_keep_says_it);
	tcase_add_test(t, test_slot_gives_each_root_its_upper);
	tcase_add_test(t, test_aside_every_failure_point);
	tcase_add_test(t, test_aside_interrupted_is_finished);
	tcase_add_test(t, test_identity_unknown_uses_upper_as_is);
	tcase_add_test(t, test_hostile_records_ignored_loudly);
	tcase_add_test(t, test_tmpfs_upper_has_no_record);
	tcase_add_test(t, test_reset_in_a_slot_resets_that_slot);
	suite_add_tcase(s, t);
	return s;
}
