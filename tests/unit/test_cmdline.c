/* cmdline: the kernel's word rules, last-wins lookups, and hostile or broken input. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "overroot/cmdline.h"
#include "suites.h"

static struct cmdline c;
static char last_warning[256];
static unsigned warn_calls;

static void record_warning(const char *msg)
{
	snprintf(last_warning, sizeof(last_warning), "%s", msg);
	warn_calls++;
}

static void parse_n(const char *text, size_t len)
{
	last_warning[0] = '\0';
	warn_calls = 0;
	cmdline_parse(&c, text, len, record_warning);
	ck_assert_uint_eq(warn_calls, c.warnings);
	ck_assert_uint_le(c.count, CMDLINE_MAX_PARAMS);
}

static void parse(const char *text)
{
	parse_n(text, strlen(text));
}

START_TEST(test_simple_words)
{
	parse("root=/dev/vda2 rootfstype=ext4\tro\n");
	ck_assert_uint_eq(c.count, 3);
	ck_assert_uint_eq(c.warnings, 0);
	ck_assert_str_eq(c.params[0].name, "root");
	ck_assert_str_eq(c.params[0].value, "/dev/vda2");
	ck_assert_str_eq(cmdline_get(&c, "rootfstype"), "ext4");
	ck_assert_int_eq(cmdline_has(&c, "ro"), true);
	ck_assert_ptr_null(cmdline_get(&c, "ro"));
	ck_assert_int_eq(cmdline_has(&c, "rw"), false);
	ck_assert_ptr_null(cmdline_get(&c, "rw"));
}
END_TEST

START_TEST(test_empty_value_and_equals_in_value)
{
	parse("init= rootflags=data=ordered,x=y root=PARTUUID=abcd-02");
	ck_assert_uint_eq(c.count, 3);
	ck_assert_int_eq(cmdline_has(&c, "init"), true);
	ck_assert_str_eq(cmdline_get(&c, "init"), "");
	ck_assert_str_eq(cmdline_get(&c, "rootflags"), "data=ordered,x=y");
	ck_assert_str_eq(cmdline_get(&c, "root"), "PARTUUID=abcd-02");
}
END_TEST

START_TEST(test_quotes)
{
	parse("a=\"b c\" \"d=e f\"\tg=\"tab\there\nnl\" h=\"\" i=x\"y z\"w");
	ck_assert_uint_eq(c.count, 5);
	ck_assert_uint_eq(c.warnings, 0);
	ck_assert_str_eq(cmdline_get(&c, "a"), "b c");
	ck_assert_str_eq(cmdline_get(&c, "d"), "e f");
	ck_assert_str_eq(cmdline_get(&c, "g"), "tab\there\nnl");
	ck_assert_str_eq(cmdline_get(&c, "h"), "");
	/* a quote inside a word is removed as well (the kernel would keep it) */
	ck_assert_str_eq(cmdline_get(&c, "i"), "xy zw");
}
END_TEST

START_TEST(test_equals_inside_quotes_ends_name)
{
	parse("\"a=b\"=c \"\" \"flag\"");
	ck_assert_uint_eq(c.count, 2);
	ck_assert_str_eq(cmdline_get(&c, "a"), "b=c");
	ck_assert_int_eq(cmdline_has(&c, "flag"), true);
	ck_assert_uint_eq(c.warnings, 0);
}
END_TEST

START_TEST(test_unterminated_quote)
{
	parse("x=1 foo=\"bar baz");
	ck_assert_uint_eq(c.count, 2);
	ck_assert_str_eq(cmdline_get(&c, "foo"), "bar baz");
	ck_assert_uint_eq(c.warnings, 1);
	ck_assert_str_eq(last_warning, "unterminated quote in \"foo=\\\"bar baz\" (kept as foo)");
}
END_TEST

START_TEST(test_warning_is_sanitised)
{
	char text[128] = "x=\"\x01\xff";

	memset(text + 5, 'a', 60);
	parse(text);
	ck_assert_uint_eq(c.count, 1);
	ck_assert_uint_eq(c.warnings, 1);
	ck_assert_ptr_nonnull(strstr(last_warning, "\"x=\\\"??aaa"));
	ck_assert_ptr_nonnull(strstr(last_warning, "a...\" (kept as x)"));
	ck_assert_uint_lt(strlen(last_warning), 120);

	parse("\x1b[2J\"");	/* a name with a terminal escape in it */
	ck_assert_str_eq(last_warning, "unterminated quote in \"?[2J\\\"\" (kept as ?[2J)");
}
END_TEST

START_TEST(test_double_dash_ends_kernel_part)
{
	parse("a=1 -- b=2 a=3");
	ck_assert_uint_eq(c.count, 1);
	ck_assert_str_eq(cmdline_get(&c, "a"), "1");
	ck_assert_int_eq(cmdline_has(&c, "b"), false);
	parse("a=1 \"--\" a=3");
	ck_assert_str_eq(cmdline_get(&c, "a"), "1");
	parse("--x --=1 a=3");
	ck_assert_uint_eq(c.count, 3);
	ck_assert_int_eq(cmdline_has(&c, "__x"), true);
	ck_assert_str_eq(cmdline_get(&c, "__"), "1");
}
END_TEST

START_TEST(test_last_wins)
{
	parse("a=1 a=2 b a");
	ck_assert_int_eq(cmdline_has(&c, "a"), true);
	ck_assert_ptr_null(cmdline_get(&c, "a"));
	parse("a a=1 a=2");
	ck_assert_str_eq(cmdline_get(&c, "a"), "2");
}
END_TEST

START_TEST(test_index)
{
	parse("ro quiet rw x ro");
	ck_assert_int_eq(cmdline_index(&c, "ro"), 4);
	ck_assert_int_eq(cmdline_index(&c, "rw"), 2);
	ck_assert_int_eq(cmdline_index(&c, "debug"), -1);
	parse("");
	ck_assert_int_eq(cmdline_index(&c, "ro"), -1);
}
END_TEST

START_TEST(test_normalisation)
{
	parse("rd.modules-load=a-b.c overlayroot.fs-type=ext4");
	ck_assert_str_eq(c.params[0].name, "rd_modules_load");
	ck_assert_str_eq(cmdline_get(&c, "rd_modules_load"), "a-b.c");
	ck_assert_str_eq(cmdline_get(&c, "rd.modules-load"), "a-b.c");
	ck_assert_str_eq(cmdline_get(&c, "overlayroot_fs_type"), "ext4");
	ck_assert_int_eq(cmdline_has(&c, "rd_modules"), false);

	char name[] = "a.b-c_d";
	cmdline_normalise(name);
	ck_assert_str_eq(name, "a_b_c_d");
}
END_TEST

START_TEST(test_empty_name)
{
	parse("=foo a=1 \"=bar\"");
	ck_assert_uint_eq(c.count, 1);
	ck_assert_str_eq(cmdline_get(&c, "a"), "1");
	ck_assert_uint_eq(c.warnings, 2);
	ck_assert_str_eq(last_warning, "empty name in \"\\\"=bar\\\"\" (skipped)");
}
END_TEST

START_TEST(test_nul_bytes)
{
	static const char text[] = "a=1\0b=2\0\0\"c=x\0y\" d";

	parse_n(text, sizeof(text) - 1);
	ck_assert_uint_eq(c.count, 4);
	ck_assert_str_eq(cmdline_get(&c, "a"), "1");
	ck_assert_str_eq(cmdline_get(&c, "b"), "2");
	ck_assert_str_eq(cmdline_get(&c, "c"), "x");
	/* y" opens a quote that swallows " d" */
	ck_assert_str_eq(c.params[3].name, "y d");
	ck_assert_uint_eq(c.warnings, 2);
}
END_TEST

START_TEST(test_empty_and_null_input)
{
	parse(" \t\n");
	ck_assert_uint_eq(c.count, 0);
	ck_assert_uint_eq(c.warnings, 0);
	parse_n(NULL, 10);
	ck_assert_uint_eq(c.count, 0);
	cmdline_parse(&c, "\" a", 3, NULL);	/* no callback: still counted */
	ck_assert_uint_eq(c.warnings, 1);
	ck_assert_str_eq(c.params[0].name, " a");
}
END_TEST

START_TEST(test_too_long)
{
	static char text[CMDLINE_MAX + 100];

	memset(text, 'x', sizeof(text));
	memcpy(text, "a=1 ", 4);
	memcpy(text + CMDLINE_MAX - 3, " b=2 c=3", 8);
	parse_n(text, sizeof(text));
	ck_assert_uint_eq(c.warnings, 1);
	ck_assert_ptr_nonnull(strstr(last_warning, "longer than 4096"));
	ck_assert_str_eq(cmdline_get(&c, "a"), "1");
	ck_assert_str_eq(cmdline_get(&c, "b"), "");	/* cut just after the '=' */
	ck_assert_int_eq(cmdline_has(&c, "c"), false);
}
END_TEST

START_TEST(test_exactly_max_is_kept)
{
	static char text[CMDLINE_MAX];

	memset(text, 'v', sizeof(text));
	memcpy(text, "k=", 2);
	parse_n(text, sizeof(text));
	ck_assert_uint_eq(c.warnings, 0);
	ck_assert_uint_eq(c.count, 1);
	ck_assert_uint_eq(strlen(cmdline_get(&c, "k")), CMDLINE_MAX - 2);
}
END_TEST

START_TEST(test_too_many_params)
{
	static char text[CMDLINE_MAX];
	size_t len = 0;

	for (int i = 0; i < 300; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "a=%d p%d ", i, i);
	parse_n(text, len);
	ck_assert_uint_eq(c.count, CMDLINE_MAX_PARAMS);
	ck_assert_uint_eq(c.warnings, 1);
	ck_assert_str_eq(last_warning,
			 "more than 256 parameters: \"a=128\" and the rest are ignored");
	ck_assert_str_eq(cmdline_get(&c, "a"), "127");
	ck_assert_int_eq(cmdline_has(&c, "p127"), true);
	ck_assert_int_eq(cmdline_has(&c, "p128"), false);
}
END_TEST

START_TEST(test_hostile_framework_examples)
{
	parse("foo=$(id) bar=`reboot` baz=';rm -rf /' \"");
	ck_assert_uint_eq(c.count, 5);
	ck_assert_str_eq(cmdline_get(&c, "foo"), "$(id)");
	ck_assert_str_eq(cmdline_get(&c, "bar"), "`reboot`");
	ck_assert_str_eq(cmdline_get(&c, "baz"), "';rm");
	ck_assert_int_eq(cmdline_has(&c, "_rf"), true);
	ck_assert_uint_eq(c.warnings, 1);
	ck_assert_str_eq(last_warning, "unterminated quote in \"\\\"\" (skipped)");
	/* A stray quote first swallows the line, as in the kernel. */
	parse("\" root=/dev/vda2 ro");
	ck_assert_uint_eq(c.count, 1);
	ck_assert_str_eq(c.params[0].name, " root");
	ck_assert_str_eq(c.params[0].value, "/dev/vda2 ro");
}
END_TEST

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Random bytes, and random picks from the bytes that matter to the parser: no crash, no
 * read or write out of bounds (ASan), every parameter a sane string inside buf. */
START_TEST(test_random_bytes)
{
	static const char special[] = " \t\n\"=-.\0a";
	static char text[4096];
	uint32_t seed = 0x0badc0de;

	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < sizeof(text); i++) {
			uint32_t r = xorshift(&seed);
			text[i] = (round & 1) ? (char)r : special[r % (sizeof(special) - 1)];
		}
		parse_n(text, sizeof(text));
		for (size_t i = 0; i < c.count; i++) {
			const char *n = c.params[i].name;

			ck_assert_uint_ge((uintptr_t)n, (uintptr_t)c.buf);
			ck_assert_uint_lt((uintptr_t)(n + strlen(n)),
					  (uintptr_t)(c.buf + sizeof(c.buf)));
			ck_assert_uint_gt(strlen(n), 0);
		}
	}
}
END_TEST

START_TEST(test_parse_uint)
{
	unsigned v = 42;

	ck_assert_int_eq(cmdline_parse_uint("0", 10, &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(cmdline_parse_uint("007", 10, &v), 0);
	ck_assert_uint_eq(v, 7);
	ck_assert_int_eq(cmdline_parse_uint("10", 10, &v), 0);
	ck_assert_uint_eq(v, 10);
	ck_assert_int_eq(cmdline_parse_uint("4294967295", UINT_MAX, &v), 0);
	ck_assert_uint_eq(v, UINT_MAX);
	v = 42;
	static const char *const bad[] = {
		"", "-1", "+1", " 1", "1 ", "1a", "0x10", "1.5", "11", "4294967296",
		"99999999999999999999999",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(cmdline_parse_uint(bad[i], i < 9 ? 10 : UINT_MAX, &v), -EINVAL);
	ck_assert_int_eq(cmdline_parse_uint(NULL, 10, &v), -EINVAL);
	ck_assert_int_eq(cmdline_parse_uint("1", 0, &v), -EINVAL);
	ck_assert_uint_eq(v, 42);	/* untouched on error */
}
END_TEST

Suite *cmdline_suite(void)
{
	Suite *s = suite_create("cmdline");
	TCase *t = tcase_create("core");

	tcase_add_test(t, test_simple_words);
	tcase_add_test(t, test_empty_value_and_equals_in_value);
	tcase_add_test(t, test_quotes);
	tcase_add_test(t, test_equals_inside_quotes_ends_name);
	tcase_add_test(t, test_unterminated_quote);
	tcase_add_test(t, test_warning_is_sanitised);
	tcase_add_test(t, test_double_dash_ends_kernel_part);
	tcase_add_test(t, test_last_wins);
	tcase_add_test(t, test_index);
	tcase_add_test(t, test_normalisation);
	tcase_add_test(t, test_empty_name);
	tcase_add_test(t, test_nul_bytes);
	tcase_add_test(t, test_empty_and_null_input);
	tcase_add_test(t, test_too_long);
	tcase_add_test(t, test_exactly_max_is_kept);
	tcase_add_test(t, test_too_many_params);
	tcase_add_test(t, test_hostile_framework_examples);
	tcase_add_test(t, test_random_bytes);
	tcase_add_test(t, test_parse_uint);
	suite_add_tcase(s, t);
	return s;
}
