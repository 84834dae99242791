/* The fake itself, and the real sys layer's parts that can run unprivileged on the host:
 * a test double that lies would make every other suite worthless. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include "fake_sys.h"
#include "overroot/log.h"
#include "overroot/sys.h"
#include "suites.h"

/* probe_blkid.c is not built for the host tests (no libblkid there). */
int sys_linux_probe(const char *devpath, unsigned what, struct blkinfo *ret)
{
	return -ENOSYS;
}

START_TEST(test_fake_readonly_mount)
{
	fake_reset();
	fake_initramfs();
	ck_assert_int_eq(fake_sys.mount("/dev/vda2", "/rootfs", "ext4", MS_RDONLY, NULL), 0);
	ck_assert_int_eq(fake_sys.mkdir("/rootfs/x", 0755), -EROFS);
	ck_assert_int_eq(fake_sys.write_file("/rootfs/f", "a", 1), -EROFS);
	ck_assert_int_eq(fake_sys.mkdir("/nope/x", 0755), -ENOENT);
	ck_assert_int_eq(fake_sys.mount("x", "/nowhere", "tmpfs", 0, NULL), -ENOENT);
	struct stat a, b;
	ck_assert_int_eq(fake_sys.stat("/", &a), 0);
	ck_assert_int_eq(fake_sys.stat("/rootfs", &b), 0);
	ck_assert_uint_ne(a.st_dev, b.st_dev);
}
END_TEST

START_TEST(test_fake_failure_injection)
{
	fake_reset();
	fake_initramfs();
	fake_fail("mkdir", 2, EIO);
	ck_assert_int_eq(fake_sys.mkdir("/a", 0755), 0);
	ck_assert_int_eq(fake_sys.mkdir("/b", 0755), -EIO);
	ck_assert_int_eq(fake_sys.mkdir("/c", 0755), 0);
	ck_assert_uint_eq(fake_count("mkdir"), 3);
	ck_assert_str_eq(fake_log(), "mkdir /a 0755\nmkdir /b 0755\nmkdir /c 0755\n");
}
END_TEST

static char tmp[64];

static void mk(const char *rel, bool dir)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	if (dir)
		ck_assert_int_eq(mkdir(p, 0755), 0);
	else
		ck_assert_int_eq(sys_linux.write_file(p, "x", 1), 0);
}

START_TEST(test_linux_remove_tree)
{
	char outside[128], p[128];

	snprintf(tmp, sizeof(tmp), "/tmp/overroot-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	snprintf(outside, sizeof(outside), "%s.keep", tmp);
	ck_assert_int_eq(sys_linux.write_file(outside, "keep", 4), 0);
	mk("a", true);
	mk("a/b", true);
	mk("a/b/f", false);
	mk("g", false);
	snprintf(p, sizeof(p), "%s/link", tmp);
	ck_assert_int_eq(symlink(outside, p), 0);	/* never followed */
	ck_assert_int_eq(sys_linux.remove_tree(tmp), 0);
	struct stat st;
	ck_assert_int_eq(stat(tmp, &st), 0);		/* the directory itself stays */
	snprintf(p, sizeof(p), "%s/a", tmp);
	ck_assert_int_eq(stat(p, &st), -1);
	char buf[16];
	ck_assert_int_eq(sys_linux.read_file(outside, buf, sizeof(buf)), 4);
	ck_assert_str_eq(buf, "keep");
	ck_assert_int_eq(rmdir(tmp), 0);
	ck_assert_int_eq(unlink(outside), 0);
	ck_assert_int_eq(sys_linux.remove_tree("/nonexistent-overroot"), -ENOENT);
}
END_TEST

START_TEST(test_linux_read_file_bounds)
{
	char buf[4];
	char path[64] = "/tmp/overroot-read-XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "abcdef", 6), 6);
	close(fd);
	ck_assert_int_eq(sys_linux.read_file(path, buf, sizeof(buf)), 3);
	ck_assert_str_eq(buf, "abc");
	unlink(path);
}
END_TEST

START_TEST(test_trace_logs_calls)
{
	int p[2];
	char buf[512];

	fake_reset();
	fake_initramfs();
	ck_assert_int_eq(pipe(p), 0);
	log_setup(p[1], LOG_LVL_DEBUG);
	const struct sys_ops *t = sys_trace(&fake_sys);
	ck_assert_int_eq(t->mount("/dev/vda3", "/overlay", "ext4", 0x400, NULL), 0);
	ck_assert_int_eq(t->mkdir("/nope/x", 0755), -ENOENT);
	ssize_t n = read(p[0], buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "<7>overroot: [sys] mount(/dev/vda3, /overlay, ext4, "
				      "0x400, \"NULL\") = 0 ("));
	ck_assert_ptr_nonnull(strstr(buf, "[sys] mkdir(/nope/x, 0755) = -2 ("));
	/* and the call reached the inner ops */
	ck_assert_ptr_nonnull(strstr(fake_log(), "mount /dev/vda3 /overlay ext4 0x400"));
	log_setup(open("/dev/null", O_WRONLY | O_CLOEXEC), LOG_LVL_DEBUG);
	close(p[0]);
	close(p[1]);
}
END_TEST

Suite *fake_suite(void)
{
	Suite *s = suite_create("sys");
	TCase *t = tcase_create("sys");

	tcase_add_test(t, test_fake_readonly_mount);
	tcase_add_test(t, test_fake_failure_injection);
	tcase_add_test(t, test_linux_remove_tree);
	tcase_add_test(t, test_linux_read_file_bounds);
	tcase_add_test(t, test_trace_logs_calls);
	suite_add_tcase(s, t);
	return s;
}
