/* The documentation and the code must not drift: README.md's parameter table and
 * overroot(8)'s parameter list are exactly what params_table says. On failure the expected table is printed, ready to paste. */
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
		n += (size_t)snprintf(buf + n, size - n, ".TP\n.B %s\n%s.\nDefault: %s. Also read by: "
				      "%s.\n", d->name, d->meaning, d->def, d->also);
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

START_TEST(test_readme_table)
{
	static char want[16384];
	char *readme = slurp("README.md");

	ck_assert_msg(readme != NULL, "README.md not found (run from the top directory)");
	char *b = strstr(readme, BEGIN), *e = b ? strstr(b, END) : NULL;
	ck_assert_msg(b && e, "README.md has no " BEGIN " ... " END " block");
	b += strlen(BEGIN);
	*e = '\0';
	table_md(want, sizeof(want));
	bool same = !strcmp(b, want);
	if (!same)
		fprintf(stderr, "README.md's parameter table should read:\n%s", want);
	ck_assert_msg(same, "README.md's parameter table differs from params_table (see above)");
}
END_TEST

START_TEST(test_man_page_parameters)
{
	static char want[16384];
	char *man = slurp("docs/overroot.8");

	ck_assert_msg(man != NULL, "docs/overroot.8 not found (run from the top directory)");
	char *b = strstr(man, ".\\\" params:begin\n");
	char *e = b ? strstr(b, ".\\\" params:end") : NULL;
	ck_assert_msg(b && e, "docs/overroot.8 has no params:begin ... params:end block");
	b = strchr(b, '\n') + 1;
	*e = '\0';
	table_man(want, sizeof(want));
	bool same = !strcmp(b, want);
	if (!same)
		fprintf(stderr, "docs/overroot.8's parameter list should read:\n%s", want);
	ck_assert_msg(same, "overroot(8)'s parameters differ from params_table (see above)");
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
