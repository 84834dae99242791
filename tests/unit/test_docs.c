/* The documentation and the code must not drift: README.md's parameter table and
 * overroot(8)'s parameter list are exactly what params_table says. On failure the expected
 * text is printed, ready to paste. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "overroot/params.h"
#include "suites.h"

#define BEGIN "<!-- params:begin -->\n"
#define END "<!-- params:end -->"

static size_t table_md(char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "| parameter | default | meaning | also read by |\n"
					       "|---|---|---|---|\n");

	for (size_t i = 0; i < params_count && n < size; i++) {
		const struct param_def *d = &params_table[i];
		n += (size_t)snprintf(buf + n, size - n, "| `%s` | %s | %s | %s |\n", d->name,
				      d->def, d->meaning, d->also);
	}
	return n;
}

static size_t table_man(char *buf, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < params_count && n < size; i++) {
		const struct param_def *d = &params_table[i];
		n += (size_t)snprintf(buf + n, size - n,
				      ".TP\n.B %s\n%s.\nDefault: %s. Also read by: %s.\n",
				      d->name, d->meaning, d->def, d->also);
	}
	return n;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char text[1 << 16];

	if (!f)
		return NULL;
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* The text between the lines begin and end of path must be what generate writes. */
static void check_block(const char *path, const char *begin, const char *end,
			size_t (*generate)(char *, size_t))
{
	static char want[16384];
	char *text = slurp(path);

	ck_assert_msg(text != NULL, "%s not found (run from the top directory)", path);
	char *b = strstr(text, begin), *e = b ? strstr(b, end) : NULL;
	ck_assert_msg(b && e, "%s has no %s ... %s block", path, begin, end);
	b += strlen(begin);
	*e = '\0';
	generate(want, sizeof(want));
	bool same = !strcmp(b, want);
	if (!same)
		fprintf(stderr, "%s's parameters should read:\n%s", path, want);
	ck_assert_msg(same, "%s's parameters differ from params_table (see above)", path);
}

START_TEST(test_readme_table)
{
	check_block("README.md", BEGIN, END, table_md);
}
END_TEST

START_TEST(test_man_page_parameters)
{
	check_block("docs/overroot.8", ".\\\" params:begin\n", ".\\\" params:end", table_man);
}
END_TEST

Suite *docs_suite(void)
{
	Suite *s = suite_create("docs");
	TCase *t = tcase_create("docs");

	tcase_add_test(t, test_readme_table);
	tcase_add_test(t, test_man_page_parameters);
	suite_add_tcase(s, t);
	return s;
}
