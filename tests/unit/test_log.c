#include <check.h>
#include <string.h>
#include <unistd.h>
#include "overroot/log.h"
#include "suites.h"

START_TEST(test_format)
{
	char buf[128];
	size_t n = log_format(buf, sizeof(buf), LOG_LVL_ERR, "rootfs", "mount %s: %d", "x", 5);

	ck_assert_str_eq(buf, "<3>overroot: [rootfs] mount x: 5\n");
	ck_assert_uint_eq(n, strlen(buf));
}
END_TEST

START_TEST(test_format_one_line)
{
	char buf[128];

	log_format(buf, sizeof(buf), LOG_LVL_INFO, "s", "a\nb\rc");
	ck_assert_str_eq(buf, "<6>overroot: [s] a b c\n");
}
END_TEST

START_TEST(test_format_truncates)
{
	char buf[40], big[200];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	size_t n = log_format(buf, sizeof(buf), LOG_LVL_WARN, "kmod", "%s", big);
	ck_assert_uint_eq(n, sizeof(buf) - 2 + 1);
	ck_assert_int_eq(buf[n - 1], '\n');
	ck_assert_int_eq(buf[n], '\0');
	ck_assert_int_eq(strncmp(buf, "<4>overroot: [kmod] xxx", 23), 0);
}
END_TEST

static size_t drain(int fd, char *buf, size_t size)
{
	ssize_t n = read(fd, buf, size - 1);

	buf[n > 0 ? n : 0] = '\0';
	return n > 0 ? (size_t)n : 0;
}

START_TEST(test_threshold_and_records)
{
	int p[2];
	char buf[512];

	ck_assert_int_eq(pipe(p), 0);
	log_setup(p[1], LOG_LVL_INFO);
	log_debug("x", "hidden");
	log_info("x", "shown %d", 1);
	log_err("y", "bad");
	drain(p[0], buf, sizeof(buf));
	ck_assert_str_eq(buf, "<6>overroot: [x] shown 1\n<3>overroot: [y] bad\n");
	log_setup(p[1], LOG_LVL_DEBUG);
	ck_assert_int_eq(log_max_level(), LOG_LVL_DEBUG);
	log_debug("x", "now shown");
	drain(p[0], buf, sizeof(buf));
	ck_assert_str_eq(buf, "<7>overroot: [x] now shown\n");
	log_setup(p[1], LOG_LVL_WARN);
	log_info("x", "quiet hides this");
	log_warn("x", "but not this");
	drain(p[0], buf, sizeof(buf));
	ck_assert_str_eq(buf, "<4>overroot: [x] but not this\n");
	log_setup(2, LOG_LVL_INFO);
	close(p[0]);
	close(p[1]);
}
END_TEST

Suite *log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *t = tcase_create("log");

	tcase_add_test(t, test_format);
	tcase_add_test(t, test_format_one_line);
	tcase_add_test(t, test_format_truncates);
	tcase_add_test(t, test_threshold_and_records);
	suite_add_tcase(s, t);
	return s;
}
