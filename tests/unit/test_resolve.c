/* init as the new root sees it: the shapes real roots have (Debian's absolute link,
 * OpenEmbedded's alternatives, merged-/usr), and every way a link can be wrong. Then the
 * switchroot stage with them: the hand-over goes on, or stops before anything is deleted. */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "fake_sys.h"
#include "fixture.h"
#include "overroot/resolve.h"
#include "overroot/stages.h"
#include "suites.h"

#define R "/rootfs"

/* A merged-/usr root: /sbin -> usr/sbin, /lib -> usr/lib. */
static void merged_usr(void)
{
	fake_reset();
	static const char *const dirs[] = { R, R "/usr", R "/usr/sbin", R "/usr/lib",
					    R "/usr/lib/systemd", R "/usr/bin", R "/etc" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		fake_dir(dirs[i]);
	fake_link(R "/sbin", "usr/sbin");
	fake_link(R "/lib", "usr/lib");
	fake_link(R "/bin", "usr/bin");
	fake_file(R "/usr/lib/systemd/systemd", "", 0755);
	fake_file(R "/usr/bin/busybox", "", 0755);
}

static int res(const char *path, char *ret, unsigned *links)
{
	return resolve_in_root(&fake_sys, R, path, ret, PATH_MAX, links);
}

START_TEST(test_debian_systemd_link)
{
	char out[PATH_MAX];
	unsigned links;

	merged_usr();
	fake_link(R "/usr/sbin/init", "/lib/systemd/systemd");	/* absolute, as Debian's */
	ck_assert_int_eq(res("/sbin/init", out, &links), 0);
	ck_assert_str_eq(out, "/usr/lib/systemd/systemd");
	ck_assert_uint_eq(links, 3);	/* /sbin, init, /lib */
}
END_TEST

START_TEST(test_oe_alternatives_chain)
{
	char out[PATH_MAX];
	unsigned links;

	merged_usr();
	/* update-alternatives: /sbin/init -> /sbin/init.sysvinit, the real file */
	fake_link(R "/usr/sbin/init", "/sbin/init.sysvinit");
	fake_file(R "/usr/sbin/init.sysvinit", "", 0755);
	ck_assert_int_eq(res("/sbin/init", out, &links), 0);
	ck_assert_str_eq(out, "/usr/sbin/init.sysvinit");
	/* busybox: /sbin/init -> ../bin/busybox, relative, through the /sbin link */
	fake_link(R "/usr/sbin/init", "../bin/busybox");
	ck_assert_int_eq(res("/sbin/init", out, &links), 0);
	ck_assert_str_eq(out, "/usr/bin/busybox");
}
END_TEST

START_TEST(test_dotdot_stays_in_root)
{
	char out[PATH_MAX];

	merged_usr();
	/* ../../../ climbs to the new root's / and no further: never into the initramfs */
	fake_link(R "/usr/sbin/init", "../../../../../usr/lib/systemd/systemd");
	ck_assert_int_eq(res("/sbin/init", out, NULL), 0);
	ck_assert_str_eq(out, "/usr/lib/systemd/systemd");
	ck_assert_int_eq(res("/../../usr/./bin//busybox", out, NULL), 0);
	ck_assert_str_eq(out, "/usr/bin/busybox");
	ck_assert_int_eq(res("usr/bin/busybox", out, NULL), 0);	/* relative to / */
	ck_assert_str_eq(out, "/usr/bin/busybox");
}
END_TEST

START_TEST(test_bad_links)
{
	char out[PATH_MAX];
	unsigned links;

	merged_usr();
	fake_link(R "/usr/sbin/init", "/lib/systemd/gone");	/* dangling */
	ck_assert_int_eq(res("/sbin/init", out, &links), -ENOENT);
	ck_assert_uint_gt(links, 0);
	fake_link(R "/usr/sbin/init", "init");			/* itself */
	ck_assert_int_eq(res("/sbin/init", out, NULL), -ELOOP);
	fake_link(R "/usr/sbin/a", "/sbin/b");			/* a two-link loop */
	fake_link(R "/usr/sbin/b", "a");
	ck_assert_int_eq(res("/sbin/a", out, NULL), -ELOOP);
	fake_link(R "/usr/sbin/init", "");			/* empty */
	ck_assert_int_eq(res("/sbin/init", out, NULL), -ENOENT);
	/* a file used as a directory */
	ck_assert_int_eq(res("/usr/bin/busybox/init", out, NULL), -ENOTDIR);
	fake_fail_path("readlink", R "/usr/sbin/init", EIO);
	ck_assert_int_eq(res("/sbin/init", out, NULL), -EIO);
}
END_TEST

START_TEST(test_forty_links_is_the_limit)
{
	char out[PATH_MAX], path[64], target[64];

	merged_usr();
	/* l0 -> l1 -> ... -> l39 -> busybox: 40 links resolve, 41 do not */
	for (int i = 0; i < 40; i++) {
		snprintf(path, sizeof(path), R "/usr/bin/l%d", i);
		snprintf(target, sizeof(target), i < 39 ? "l%d" : "busybox", i + 1);
		fake_link(path, target);
	}
	ck_assert_int_eq(res("/usr/bin/l0", out, NULL), 0);
	ck_assert_str_eq(out, "/usr/bin/busybox");
	ck_assert_int_eq(res("/bin/l0", out, NULL), -ELOOP);	/* /bin is the 41st */
}
END_TEST

/* The hand-over on a Debian-like root: /sbin/init is accepted, exec'd by its own name. */
START_TEST(test_switchroot_follows_absolute_link)
{
	const struct stage *failed;

	boot_setup("root=/dev/vda2 rootrw=/dev/vda3");
	fake_remove("/rootfs/sbin/init");
	fake_dir("/rootfs/lib");
	fake_dir("/rootfs/lib/systemd");
	fake_file("/rootfs/lib/systemd/systemd", "", 0755);
	fake_link("/rootfs/sbin/init", "/lib/systemd/systemd");
	/* the same path from the initramfs: the old check looked here and found nothing */
	ck_assert_int_eq(boot(&failed), 0);
	static const char *const want[] = { "remove_tree /",
					    "execv /sbin/init [/sbin/init] [one] [two words]", NULL };
	assert_in_order(want);
	boot_teardown();
}
END_TEST

START_TEST(test_switchroot_bad_link_keeps_initramfs)
{
	static const char *const targets[] = { "/lib/systemd/systemd", "init", "/sbin" };
	static const int want[] = { -ENOENT, -ELOOP, -EISDIR };
	const struct stage *failed;

	for (size_t i = 0; i < 3; i++) {
		boot_setup("root=/dev/vda2");
		fake_remove("/rootfs/sbin/init");
		fake_link("/rootfs/sbin/init", targets[i]);
		/* an initramfs that has the target must not make it look fine */
		fake_dir("/lib/systemd");
		fake_file("/lib/systemd/systemd", "", 0755);
		ck_assert_int_eq(boot(&failed), want[i]);
		ck_assert_str_eq(failed->name, "switchroot");
		assert_absent("remove_tree");
		assert_absent("execv");
		boot_teardown();
	}
}
END_TEST

Suite *resolve_suite(void)
{
	Suite *s = suite_create("resolve");
	TCase *t = tcase_create("resolve");

	tcase_add_test(t, test_debian_systemd_link);
	tcase_add_test(t, test_oe_alternatives_chain);
	tcase_add_test(t, test_dotdot_stays_in_root);
	tcase_add_test(t, test_bad_links);
	tcase_add_test(t, test_forty_links_is_the_limit);
	tcase_add_test(t, test_switchroot_follows_absolute_link);
	tcase_add_test(t, test_switchroot_bad_link_keeps_initramfs);
	suite_add_tcase(s, t);
	return s;
}
