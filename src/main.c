/* PID 1 in the initramfs: run the stages, hand over, and never return. Only this file
 * decides that boot cannot go on, and then follows the fatal policy. The same program is
 * also PID 1 without an initramfs (init=/usr/sbin/overroot: src/boot/stage_staging.c), the
 * shutdown that systemd hands back to (/run/initramfs/shutdown) and, not PID 1,
 * the overroot command of the booted system. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "overroot/boot.h"
#include "overroot/cli.h"
#include "overroot/config.h"
#include "overroot/log.h"
#include "overroot/shutdown.h"

int main(int argc, char **argv, char **envp)
{
	static struct boot_ctx ctx;
	const struct stage *failed = NULL;
	char why[128];

	if (getpid() != 1)
		return cli_main(&sys_linux, argc, argv);
	ctx.sys = &sys_linux;
	ctx.argc = argc;
	ctx.argv = argv;
	ctx.envp = envp;
	ctx.kmsg_fd = 2;
	log_setup(2, LOG_LVL_INFO);
	if (argc > 0 && shutdown_is_argv0(argv[0])) {
		int r = shutdown_run(ctx.sys, argc > 1 ? argv[1] : "reboot");
		snprintf(why, sizeof(why), "shutdown: reboot(2) failed: %s", strerror(-r));
		boot_fatal(&ctx, why);
	}
	size_t n;
	const struct stage *const *table = stages_for(ctx.sys, &n);
	int r = stages_run(&ctx, table, n, &failed);
	/* Only a failure comes back: a successful hand-over is an exec. */
	snprintf(why, sizeof(why), "stage %s failed: %s", failed ? failed->name : "switchroot",
		 strerror(r < 0 ? -r : EINVAL));
	boot_fatal(&ctx, why);
}
