/* The fatal policy, followed when boot cannot go on (main decides that). PID 1 never
 * exits: after the policy, it repeats the reason and waits. */
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>
#include "overroot/boot.h"
#include "overroot/config.h"
#include "overroot/log.h"

/* Without an initramfs the staging tmpfs that is / has no shell: the kernel's root has one,
 * on CONFIG_ROOTFS_DIR, and it runs there in a chroot (its libraries are the root's). Before
 * the staging pivot and after the hand-over, / is a root itself and its shell runs as is. */
static const char *shell_root(struct boot_ctx *ctx)
{
	if (CONFIG_SHELL_FALLBACK && ctx->no_initramfs &&
	    ctx->sys->access(CONFIG_ROOTFS_DIR CONFIG_SHELL, X_OK) == 0)
		return CONFIG_ROOTFS_DIR;
	return NULL;
}

void boot_shell(struct boot_ctx *ctx, const char *stage, const char *param, const char *then)
{
	/* A fatal error's messages must show even with quiet: err level there. */
	enum log_level lvl = strcmp(stage, "fatal") ? LOG_LVL_WARN : LOG_LVL_ERR;
	const char *root = shell_root(ctx);

	if (!CONFIG_SHELL_FALLBACK)
		log_msg(lvl, stage, "%s: disabled in this build (SHELL_FALLBACK=0)", param);
	else if (root) {
		log_msg(lvl, stage, "%s: starting the root's " CONFIG_SHELL ", chrooted to %s "
			"(no /proc, /sys or /dev mounted there); %s", param, root, then);
		ctx->sys->run_shell(root, CONFIG_SHELL);
	} else if (ctx->sys->access(CONFIG_SHELL, X_OK) < 0)
		log_msg(lvl, stage, "%s: the %s has no " CONFIG_SHELL, param,
			ctx->no_initramfs ? "root" : "initramfs");
	else {
		log_msg(lvl, stage, "%s: starting " CONFIG_SHELL "; %s", param, then);
		ctx->sys->run_shell(NULL, CONFIG_SHELL);
	}
}

void boot_fatal_once(struct boot_ctx *ctx, const char *why)
{
	const struct sys_ops *sys = ctx->sys;

	log_err("fatal", "boot cannot go on: %s", why);
	if (ctx->p.fatal_reboot) {
		log_err("fatal", "init_fatal_reboot: rebooting");
		int r = sys->reboot(RB_AUTOBOOT);
		log_err("fatal", "reboot: %s", strerror(-r));
	}
	if (ctx->p.fatal_sh)
		boot_shell(ctx, "fatal", "init_fatal_sh", "when it exits overroot waits");
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
