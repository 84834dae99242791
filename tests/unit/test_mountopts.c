/* mountopts: mount(8) words -> MS_* flags, the rest -> data, bounded; dropping options. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include "overroot/mountopts.h"
#include "suites.h"

static const struct {
	const char *set, *clear;
	unsigned long flag;
} words[] = {
	{ "ro", "rw", MS_RDONLY },		{ "noexec", "exec", MS_NOEXEC },
	{ "nosuid", "suid", MS_NOSUID },	{ "nodev", "dev", MS_NODEV },
	{ "sync", "async", MS_SYNCHRONOUS },	{ "dirsync", NULL, MS_DIRSYNC },
	{ "noatime", "atime", MS_NOATIME },	{ "nodiratime", "diratime", MS_NODIRATIME },
	{ "relatime", "norelatime", MS_RELATIME }, { "strictatime", NULL, MS_STRICTATIME },
	{ "lazytime", "nolazytime", MS_LAZYTIME }, { "mand", "nomand", MS_MANDLOCK },
	{ "silent", "loud", MS_SILENT },
};

START_TEST(test_each_word)
{
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		struct mountopts m = { 0 };

		ck_assert_int_eq(mountopts_parse(words[i].set, &m), 0);
		ck_assert_uint_eq(m.flags, words[i].flag);
		ck_assert_str_eq(m.data, "");
		if (!words[i].clear)
			continue;
		m.flags = ~0UL;
		ck_assert_int_eq(mountopts_parse(words[i].clear, &m), 0);
		ck_assert_uint_eq(m.flags, ~words[i].flag);
		ck_assert_str_eq(m.data, "");
	}
}
END_TEST

START_TEST(test_flags_are_ored)
{
	struct mountopts m = { .flags = MS_NODEV };

	ck_assert_int_eq(mountopts_parse("ro,noatime,defaults,nosuid", &m), 0);
	ck_assert_uint_eq(m.flags, MS_NODEV | MS_RDONLY | MS_NOATIME | MS_NOSUID);
	ck_assert_str_eq(m.data, "");
}
END_TEST

START_TEST(test_data_and_mixed)
{
	struct mountopts m = { 0 };

	ck_assert_int_eq(mountopts_parse("data=ordered,errors=remount-ro", &m), 0);
	ck_assert_uint_eq(m.flags, 0);
	ck_assert_str_eq(m.data, "data=ordered,errors=remount-ro");
	ck_assert_int_eq(mountopts_parse("ro,mode=0755,RO,noatime,noload", &m), 0);
	ck_assert_uint_eq(m.flags, MS_RDONLY | MS_NOATIME);
	ck_assert_str_eq(m.data, "data=ordered,errors=remount-ro,mode=0755,RO,noload");
}
END_TEST

START_TEST(test_ro_rw_order)
{
	struct mountopts m = { 0 };

	ck_assert_int_eq(mountopts_parse("ro,rw", &m), 0);
	ck_assert_uint_eq(m.flags, 0);
	ck_assert_int_eq(mountopts_parse("rw,ro", &m), 0);
	ck_assert_uint_eq(m.flags, MS_RDONLY);
	ck_assert_int_eq(mountopts_parse("rw", &m), 0);	/* a later string can undo ro */
	ck_assert_uint_eq(m.flags, 0);
}
END_TEST

START_TEST(test_empty_items)
{
	struct mountopts m = { 0 };

	ck_assert_int_eq(mountopts_parse(",,ro,,x,,", &m), 0);
	ck_assert_uint_eq(m.flags, MS_RDONLY);
	ck_assert_str_eq(m.data, "x");
	ck_assert_int_eq(mountopts_parse("", &m), 0);
	ck_assert_int_eq(mountopts_parse(",", &m), 0);
	ck_assert_int_eq(mountopts_parse(NULL, &m), 0);
	ck_assert_str_eq(m.data, "x");
}
END_TEST

START_TEST(test_overflow)
{
	char s[2048] = "";
	struct mountopts m = { 0 };
	size_t len = 0;

	for (int i = 0; i < 150; i++)
		len += (size_t)snprintf(s + len, sizeof(s) - len, "opt%03d,", i);
	snprintf(s + len, sizeof(s) - len, "ro");
	ck_assert_int_eq(mountopts_parse(s, &m), -E2BIG);
	ck_assert_uint_eq(m.flags, MS_RDONLY);	/* flags after the overflow still apply */
	ck_assert_uint_lt(strlen(m.data), sizeof(m.data));
	ck_assert_int_eq(strncmp(m.data, s, strlen(m.data)), 0);
	ck_assert_int_eq(s[strlen(m.data)], ',');	/* whole options only */
}
END_TEST

START_TEST(test_exact_fit)
{
	char s[sizeof(((struct mountopts *)0)->data) + 1];
	struct mountopts m = { 0 };

	memset(s, 'a', sizeof(s) - 2);
	s[sizeof(s) - 2] = '\0';		/* 511 bytes: fits with its NUL */
	ck_assert_int_eq(mountopts_parse(s, &m), 0);
	ck_assert_str_eq(m.data, s);
	ck_assert_int_eq(mountopts_parse("b", &m), -E2BIG);
	ck_assert_str_eq(m.data, s);

	struct mountopts m2 = { 0 };
	s[sizeof(s) - 2] = 'a';			/* 512 bytes: does not */
	s[sizeof(s) - 1] = '\0';
	ck_assert_int_eq(mountopts_parse(s, &m2), -E2BIG);
	ck_assert_str_eq(m2.data, "");
}
END_TEST

START_TEST(test_drop)
{
	static const char *const tmpfs_only[] = { "mode", "size", NULL };
	struct mountopts m = { 0 };
	char removed[64];

	ck_assert_int_eq(mountopts_parse("mode=0755,uid=0,size=10%,modex=1,mode,nr_inodes=5",
					 &m), 0);
	mountopts_drop(&m, tmpfs_only, removed, sizeof(removed));
	ck_assert_str_eq(m.data, "uid=0,modex=1,nr_inodes=5");
	ck_assert_str_eq(removed, "mode=0755,size=10%,mode");

	mountopts_drop(&m, tmpfs_only, removed, sizeof(removed));
	ck_assert_str_eq(m.data, "uid=0,modex=1,nr_inodes=5");
	ck_assert_str_eq(removed, "");
	mountopts_drop(&m, NULL, removed, sizeof(removed));
	ck_assert_str_eq(m.data, "uid=0,modex=1,nr_inodes=5");
}
END_TEST

START_TEST(test_drop_all_and_small_removed)
{
	static const char *const drop[] = { "mode", "size", "uid", NULL };
	struct mountopts m = { 0 };
	char removed[10];

	ck_assert_int_eq(mountopts_parse("mode=0755,size=1G,uid=0", &m), 0);
	mountopts_drop(&m, drop, removed, sizeof(removed));
	ck_assert_str_eq(m.data, "");
	ck_assert_str_eq(removed, "mode=0755");	/* what did not fit is left out */

	ck_assert_int_eq(mountopts_parse("size=1G,a", &m), 0);
	mountopts_drop(&m, drop, NULL, 0);
	ck_assert_str_eq(m.data, "a");
}
END_TEST

Suite *mountopts_suite(void)
{
	Suite *s = suite_create("mountopts");
	TCase *t = tcase_create("core");

	tcase_add_test(t, test_each_word);
	tcase_add_test(t, test_flags_are_ored);
	tcase_add_test(t, test_data_and_mixed);
	tcase_add_test(t, test_ro_rw_order);
	tcase_add_test(t, test_empty_items);
	tcase_add_test(t, test_overflow);
	tcase_add_test(t, test_exact_fit);
	tcase_add_test(t, test_drop);
	tcase_add_test(t, test_drop_all_and_small_removed);
	suite_add_tcase(s, t);
	return s;
}
