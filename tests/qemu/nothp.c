/* nothp CMD [ARG...]: run CMD with transparent huge pages disabled for it and its children.
 * With THP on "madvise", back-to-back QEMU boots alternate between a fast and a slow run;
 * PR_SET_THP_DISABLE (inherited across fork and exec) removes that bias from timings. */
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: nothp CMD [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0)
		perror("nothp: prctl(PR_SET_THP_DISABLE)");
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
