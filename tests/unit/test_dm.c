/* The device-mapper client (dm.c) on the fake's device-mapper: the requests as the kernel
 * reads them, and answers it must refuse. */
#include <check.h>
#include <errno.h>
#include <linux/dm-ioctl.h>
#include <string.h>
#include <sys/ioctl.h>
#include "fake_sys.h"
#include "overroot/dm.h"
#include "suites.h"

#define TABLE "1 /dev/vda2 /dev/vda3 4096 4096 256 1 sha256 " \
	"aa00000000000000000000000000000000000000000000000000000000000000 -"

static void setup(void)
{
	fake_reset();
	fake_initramfs();
}

START_TEST(test_dm_sequence)
{
	struct dm_dev d;
	char type[16], line[1024];

	ck_assert_int_eq(dm_create(&fake_sys, "root", &d), 0);
	ck_assert_uint_eq(d.major, 253);
	ck_assert_uint_eq(d.minor, 0);
	ck_assert(fake_exists("/dev/dm-0"));
	ck_assert_int_eq(dm_create(&fake_sys, "root", &d), -EBUSY);
	ck_assert_int_eq(dm_load(&fake_sys, "root", 2048, "verity", TABLE), 0);
	ck_assert_str_eq(fake_dm_table("root"), "");	/* loaded, not live */
	ck_assert_int_eq(dm_resume(&fake_sys, "root"), 0);
	ck_assert_str_eq(fake_dm_table("root"), TABLE);
	ck_assert_int_eq(dm_status(&fake_sys, &d, false, type, line, sizeof(line)), 0);
	ck_assert_str_eq(type, "verity");
	ck_assert_str_eq(line, "V");
	struct dm_dev by_number = { .major = 253, .minor = 0 };
	ck_assert_int_eq(dm_status(&fake_sys, &by_number, true, type, line, sizeof(line)), 0);
	ck_assert_str_eq(line, TABLE);
	ck_assert_int_eq(dm_status(&fake_sys, &by_number, true, type, line, 10), -ENOSPC);
	ck_assert(strstr(fake_log(), "dm load root ro 2048 verity " TABLE));
	ck_assert_int_eq(dm_remove(&fake_sys, "root"), 0);
	ck_assert(!fake_exists("/dev/dm-0"));
	ck_assert_int_eq(dm_status(&fake_sys, &d, false, type, line, sizeof(line)), -ENXIO);
}
END_TEST

START_TEST(test_dm_wrong_hash_reads_eio_and_says_c)
{
	struct dm_dev d;
	char type[16], line[16], block[4096];

	fake_dm_good_hash("bb00000000000000000000000000000000000000000000000000000000000000");
	ck_assert_int_eq(dm_create(&fake_sys, "root", &d), 0);
	ck_assert_int_eq(dm_load(&fake_sys, "root", 2048, "verity", TABLE), 0);
	ck_assert_int_eq(dm_resume(&fake_sys, "root"), 0);
	ck_assert_int_eq(dm_status(&fake_sys, &d, false, type, line, sizeof(line)), 0);
	ck_assert_str_eq(line, "V");	/* nothing read yet */
	ck_assert_int_eq(fake_sys.read_at("/dev/dm-0", 0, block, sizeof(block)), -EIO);
	ck_assert_int_eq(dm_status(&fake_sys, &d, false, type, line, sizeof(line)), 0);
	ck_assert_str_eq(line, "C");
}
END_TEST

START_TEST(test_dm_failures_passed_up)
{
	struct dm_dev d;

	fake_fail("dm_ioctl", 1, ENOMEM);
	ck_assert_int_eq(dm_create(&fake_sys, "root", &d), -ENOMEM);
	ck_assert_int_eq(dm_load(&fake_sys, "nosuch", 8, "verity", TABLE), -ENXIO);
	ck_assert_int_eq(dm_resume(&fake_sys, "nosuch"), -ENXIO);
	char name[200];
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ck_assert_int_eq(dm_create(&fake_sys, name, &d), -ENAMETOOLONG);
	static char big[8192];
	memset(big, '1', sizeof(big) - 1);
	ck_assert_int_eq(dm_load(&fake_sys, "root", 8, "verity", big), -E2BIG);
}
END_TEST

/* A kernel that answers in another interface version, or with its buffer full. */
static int answer;
static int odd_ioctl(unsigned long cmd, struct dm_ioctl *io)
{
	int r = fake_dm_ioctl(cmd, io);

	if (answer == 1)
		io->version[0] = 5;
	if (answer == 2)
		io->flags |= DM_BUFFER_FULL_FLAG;
	if (answer == 3)
		io->target_count = 2;
	return r;
}

START_TEST(test_dm_odd_answers_refused)
{
	struct sys_ops ops = fake_sys;
	struct dm_dev d;
	char type[16], line[64];

	ops.dm_ioctl = odd_ioctl;
	answer = 1;
	ck_assert_int_eq(dm_create(&ops, "root", &d), -EPROTO);
	answer = 2;
	ck_assert_int_eq(dm_load(&ops, "root", 8, "verity", TABLE), -ENOSPC);
	answer = 0;
	ck_assert_int_eq(dm_load(&ops, "root", 8, "verity", TABLE), 0);
	ck_assert_int_eq(dm_resume(&ops, "root"), 0);
	answer = 3;
	d = (struct dm_dev){ .name = "root" };
	ck_assert_int_eq(dm_status(&ops, &d, false, type, line, sizeof(line)), -EPROTO);
}
END_TEST

Suite *dm_suite(void)
{
	Suite *s = suite_create("dm");
	TCase *t = tcase_create("dm");

	tcase_add_checked_fixture(t, setup, NULL);
	tcase_add_test(t, test_dm_sequence);
	tcase_add_test(t, test_dm_wrong_hash_reads_eio_and_says_c);
	tcase_add_test(t, test_dm_failures_passed_up);
	tcase_add_test(t, test_dm_odd_answers_refused);
	suite_add_tcase(s, t);
	return s;
}
