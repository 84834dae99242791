/* A stand-in for e2fsck in the test initramfs (mkinitramfs.sh variant fakefsck), for what a
 * real e2fsck does only when something is badly wrong: tfsck= on the kernel command line says
 * how it ends. tfsck=hang: never (the time limit must kill it); tfsck=kill: it kills itself
 * with SIGKILL; tfsck=segv: it crashes; tfsck=N: exit N (2 asks for a reboot). No tfsck: exit 0.
 * It prints its arguments first, into overroot's fsck.log. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[4096] = "", *w;
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	printf("fakefsck:");
	for (int i = 1; i < argc; i++)
		printf(" %s", argv[i]);
	w = strstr(buf, "tfsck=");
	w = w ? w + 6 : "0";
	printf(": tfsck=%.*s\n", (int)strcspn(w, " \n"), w);
	fflush(stdout);
	if (!strncmp(w, "hang", 4))
		for (;;)
			pause();
	if (!strncmp(w, "kill", 4))
		kill(getpid(), SIGKILL);
	if (!strncmp(w, "segv", 4))
		raise(SIGSEGV);
	return atoi(w);
}
