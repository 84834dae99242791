/* src/lib/sys_trace.c (`debug` on the command line) logs how long each call took, read from the
 * real clock; the length of those numbers reaches the coverage (the logger looks at every
 * character of a line), so two runs of fuzz_boot from one seed drifted apart. mk/fuzz.mk
 * compiles sys_trace.c with clock_gettime renamed to this one, whose clock stands still. */
#include <time.h>

int fuzz_clock_gettime(clockid_t id, struct timespec *ret);

int fuzz_clock_gettime(clockid_t id, struct timespec *ret)
{
	ret->tv_sec = 0;
	ret->tv_nsec = 0;
	return 0;
}
