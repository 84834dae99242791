/* PID 1 in the initramfs: run the stages, hand over, and never return. Only this file
 * decides that boot cannot go on, and then follows the fatal policy. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "overroot/boot.h"
#include "overroot/config.h"
#include "overroot/log.h"

int main(int argc, char **argv, char **envp)
{
	static struct boot_ctx ctx;
	const struct stage *failed = NULL;
	char why[128];

	if (getpid() != 1) {
		if (argc > 1 && !strcmp(argv[1], "--version")) {
			puts("overroot " OVERROOT_VERSION);
			return 0;
		}
		fputs("overroot: not PID 1: this program is /init in an initramfs\n", stderr);
		return 1;
	}
	ctx.sys = &sys_linux;
	ctx.argc = argc;
	ctx.argv = argv;
	ctx.envp = envp;
	ctx.kmsg_fd = 2;
	log_setup(2, LOG_LVL_INFO);
	int r = stages_run(&ctx, stages, stages_count, &failed);
	/* Only a failure comes back: a successful hand-over is an exec. */
	snprintf(why, sizeof(why), "stage %s failed: %s", failed ? failed->name : "switchroot",
		 strerror(r < 0 ? -r : EINVAL));
	boot_fatal(&ctx, why);
}
