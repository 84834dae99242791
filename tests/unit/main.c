/* The unit test runner: every module's check suite. */
#include <check.h>
#include <stdlib.h>
#include "suites.h"

int main(void)
{
	Suite *const all[] = { SUITES };
	SRunner *sr = srunner_create(all[0]);

	for (size_t i = 1; i < sizeof(all) / sizeof(all[0]); i++)
		srunner_add_suite(sr, all[i]);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
