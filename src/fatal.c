/* The fatal policy, followed when boot cannot go on (main decides that). PID 1 never
 * exits: after the policy, it repeats the reason and waits. */
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>
#include "overroot/boot.h"
#include "overroot/config.h"
#include "overroot/log.h"

void boot_fatal_once(struct boot_ctx *ctx, const char *why)
{
	const struct sys_ops *sys = ctx->sys;

	log_err("fatal", "boot cannot go on: %s", why);
	if (ctx->p.fatal_reboot) {
		log_err("fatal", "init_fatal_reboot: rebooting");
		int r = sys->reboot(RB_AUTOBOOT);
		log_err("fatal", "reboot: %s", strerror(-r));
	}
	if (ctx->p.fatal_sh) {
		if (!CONFIG_SHELL_FALLBACK)
			log_err("fatal", "init_fatal_sh: disabled in this build (SHELL_FALLBACK=0)");
		else if (sys->access(CONFIG_SHELL, X_OK) < 0)
			log_err("fatal", "init_fatal_sh: the initramfs has no " CONFIG_SHELL);
		else {
			log_err("fatal", "init_fatal_sh: starting " CONFIG_SHELL
				"; when it exits overroot waits");
			sys->run_shell(CONFIG_SHELL);
		}
	}
	if (!ctx->p.fatal_reboot)
		log_err("fatal", "waiting: add init_fatal_reboot to the kernel command line to "
			"reboot instead");
}

void boot_fatal(struct boot_ctx *ctx, const char *why)
{
	boot_fatal_once(ctx, why);
	for (;;) {
		ctx->sys->sleep_ms(CONFIG_FATAL_REPEAT_S * 1000);
		log_err("fatal", "boot cannot go on: %s", why);
	}
}
