/* overroot as a command in the booted system (not PID 1). */
#include <stdio.h>
#include <string.h>
#include "overroot/cli.h"
#include "overroot/config.h"

int cli_main(const struct sys_ops *sys, int argc, char **argv)
{
	(void)sys;
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		puts("overroot " OVERROOT_VERSION);
		return 0;
	}
	fputs("overroot: not PID 1: this program is /init in an initramfs\n", stderr);
	return 1;
}
