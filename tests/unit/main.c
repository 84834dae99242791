/* The unit test runner: every module's check suite. Logs go to /dev/null at debug level,
 * so every message is formatted (and checked by the sanitizers) without the noise. */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include "overroot/log.h"
#include "suites.h"

int main(void)
{
	/* check kills a test after 4 s by default: on a busy machine, under the sanitizers, a
	 * verdict that hangs on the clock. Nothing here waits on real time (the fake has its
	 * own clock), so only a hang can take this long. Read when the suites are made. */
	setenv("CK_DEFAULT_TIMEOUT", "300", 0);
	Suite *const all[] = { SUITES };
	SRunner *sr = srunner_create(all[0]);

	log_setup(open("/dev/null", O_WRONLY | O_CLOEXEC), LOG_LVL_DEBUG);
	for (size_t i = 1; i < sizeof(all) / sizeof(all[0]); i++)
		srunner_add_suite(sr, all[i]);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
