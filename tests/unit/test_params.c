#include <check.h>
#include <string.h>
#include "overroot/cmdline.h"
#include "overroot/config.h"
#include "overroot/params.h"
#include "suites.h"

static struct cmdline c;
static struct params p;
static char warned[1024];
static unsigned nwarn;

static void warn(const char *msg)
{
	nwarn++;
	strncat(warned, msg, sizeof(warned) - strlen(warned) - 2);
	strcat(warned, "|");
}

static void parse(const char *line)
{
	warned[0] = '\0';
	nwarn = 0;
	cmdline_parse(&c, line, strlen(line), NULL);
	params_from_cmdline(&p, &c, warn);
}

START_TEST(test_defaults)
{
	parse("console=ttyAMA0 8250.nr_uarts=1");
	ck_assert_ptr_null(p.root);
	ck_assert_ptr_null(p.rootrw);
	ck_assert_str_eq(p.init, "/sbin/init");
	ck_assert(!p.rw);
	ck_assert_uint_eq(p.root_timeout_s, CONFIG_ROOT_TIMEOUT_S);
	ck_assert_uint_eq(p.rootrw_timeout_s, CONFIG_ROOT_TIMEOUT_S);
	ck_assert_int_eq(p.rootrwfallback, RW_FALLBACK_RO);
	ck_assert(p.rootro_lock);
	ck_assert(!p.rootrwreset);
	ck_assert_uint_eq(nwarn, 0);
}
END_TEST

START_TEST(test_ro_rw_last_wins)
{
	parse("rw ro");
	ck_assert(!p.rw);
	parse("ro rw");
	ck_assert(p.rw);
	parse("rw");
	ck_assert(p.rw);
}
END_TEST

START_TEST(test_rootwait)
{
	parse("rootwait");
	ck_assert_uint_eq(p.root_timeout_s, PARAM_FOREVER);
	/* a bare rootwait must not make a missing data partition hang the boot */
	ck_assert_uint_eq(p.rootrw_timeout_s, CONFIG_ROOT_TIMEOUT_S);
	parse("rootwait=7");
	ck_assert_uint_eq(p.root_timeout_s, 7);
	ck_assert_uint_eq(p.rootrw_timeout_s, 7);
	parse("rootwait roottimeout=3");
	ck_assert_uint_eq(p.root_timeout_s, 3);
	parse("roottimeout=3 rootwait");
	ck_assert_uint_eq(p.root_timeout_s, PARAM_FOREVER);
	parse("roottimeout=3 rootrwtimeout=9");
	ck_assert_uint_eq(p.rootrw_timeout_s, 9);
}
END_TEST

START_TEST(test_bad_numbers_warn)
{
	parse("roottimeout=5s rootdelay=-1 rootrwtimeout=x");
	ck_assert_uint_eq(nwarn, 3);
	ck_assert_ptr_nonnull(strstr(warned, "roottimeout=5s is not a number"));
	ck_assert_ptr_nonnull(strstr(warned, "rootdelay=-1"));
	ck_assert_uint_eq(p.rootdelay_s, 0);
	ck_assert_uint_eq(p.root_timeout_s, CONFIG_ROOT_TIMEOUT_S);
	/* a bad word that a later one overrides is not worth a warning */
	parse("rootwait=x roottimeout=4");
	ck_assert_uint_eq(p.root_timeout_s, 4);
	ck_assert_uint_eq(nwarn, 0);
	parse("rootwait=x");
	ck_assert_uint_eq(p.root_timeout_s, PARAM_FOREVER);
	ck_assert_uint_eq(nwarn, 1);
}
END_TEST

START_TEST(test_conventions)
{
	parse("overlayrootrwdev=/dev/vda3 overlayrootfstype=ext4 overlayrootfsflags=noatime");
	ck_assert_str_eq(p.rootrw, "/dev/vda3");
	ck_assert_str_eq(p.rootrwfstype, "ext4");
	ck_assert_str_eq(p.rootrwoptions, "noatime");
	parse("overlayrootrwdev=/dev/vda4 rootrw=/dev/vda3");
	ck_assert_str_eq(p.rootrw, "/dev/vda3");
	ck_assert_uint_eq(nwarn, 1);
	ck_assert_ptr_nonnull(strstr(warned, "overlayrootrwdev=/dev/vda4 ignored: rootrw=/dev/vda3 "
				      "names the same setting and wins"));
	parse("rootrw=/dev/vda3 overlayrootrwdev=/dev/vda3");
	ck_assert_uint_eq(nwarn, 0);
}
END_TEST

START_TEST(test_kirkstone_clash)
{
	/* rootfstype/rootflags are the root's only: the rw device's type is probed */
	parse("root=/dev/vda2 rootfstype=ext4 rootflags=noatime rootrw=/dev/vda3");
	ck_assert_str_eq(p.rootfstype, "ext4");
	ck_assert_str_eq(p.rootflags, "noatime");
	ck_assert_ptr_null(p.rootrwfstype);
	ck_assert_ptr_null(p.rootrwoptions);
}
END_TEST

START_TEST(test_fallback_and_yesno)
{
	parse("rootrwfallback=tmpfs rootrwreset=yes rootlock=no");
	ck_assert_int_eq(p.rootrwfallback, RW_FALLBACK_TMPFS);
	ck_assert(p.rootrwreset);
	ck_assert(!p.rootro_lock);
	parse("rootrwfallback=fatal rootrwreset");
	ck_assert_int_eq(p.rootrwfallback, RW_FALLBACK_FATAL);
	ck_assert(p.rootrwreset);
	parse("rootrwfallback=sometimes rootrwreset=maybe");
	ck_assert_int_eq(p.rootrwfallback, RW_FALLBACK_RO);
	ck_assert(!p.rootrwreset);
	ck_assert_uint_eq(nwarn, 2);
	ck_assert_ptr_nonnull(strstr(warned, "rootrwfallback=sometimes is not ro, tmpfs or fatal"));
}
END_TEST

START_TEST(test_flags_and_names)
{
	parse("debug quiet init_fatal_reboot init_fatal_sh shell rd.modules-load=a,b init=/bin/sh");
	ck_assert(p.debug && p.quiet && p.fatal_reboot && p.fatal_sh && p.shell);
	ck_assert_str_eq(p.modules_load, "a,b");
	ck_assert_str_eq(p.init, "/bin/sh");
	parse("rd_modules_load=c init= root= rootrw=");
	ck_assert_str_eq(p.modules_load, "c");
	ck_assert_str_eq(p.init, CONFIG_DEFAULT_INIT);
	ck_assert_ptr_null(p.root);
	ck_assert_ptr_null(p.rootrw);
	parse("root");	/* a bare word where a value is needed */
	ck_assert_ptr_null(p.root);
	ck_assert_uint_eq(nwarn, 1);
}
END_TEST

START_TEST(test_init_must_be_absolute)
{
	static const char *const bad[] = { "init=sbin/init", "init=/../../init", "init=/sbin/..",
					   "init=/a/../b" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		parse(bad[i]);
		ck_assert_str_eq(p.init, CONFIG_DEFAULT_INIT);
		ck_assert_uint_eq(nwarn, 1);
	}
	parse("init=/usr/lib/systemd/systemd");
	ck_assert_str_eq(p.init, "/usr/lib/systemd/systemd");
	parse("init=/a..b/x");
	ck_assert_str_eq(p.init, "/a..b/x");
	ck_assert_uint_eq(nwarn, 0);
}
END_TEST

START_TEST(test_table_complete)
{
	for (size_t i = 0; i < params_count; i++) {
		const struct param_def *d = &params_table[i];
		ck_assert_ptr_nonnull(d->def);
		ck_assert_uint_gt(strlen(d->meaning), 10);
		ck_assert_ptr_nonnull(d->also);
		for (size_t j = i + 1; j < params_count; j++)
			ck_assert_str_ne(d->name, params_table[j].name);
	}
}
END_TEST

Suite *params_suite(void)
{
	Suite *s = suite_create("params");
	TCase *t = tcase_create("params");

	tcase_add_test(t, test_defaults);
	tcase_add_test(t, test_ro_rw_last_wins);
	tcase_add_test(t, test_rootwait);
	tcase_add_test(t, test_bad_numbers_warn);
	tcase_add_test(t, test_conventions);
	tcase_add_test(t, test_kirkstone_clash);
	tcase_add_test(t, test_fallback_and_yesno);
	tcase_add_test(t, test_flags_and_names);
	tcase_add_test(t, test_init_must_be_absolute);
	tcase_add_test(t, test_table_complete);
	suite_add_tcase(s, t);
	return s;
}
