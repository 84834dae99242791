/* Stage: leave systemd a way back. Under an overlay, systemd-shutdown cannot unmount the rw
 * filesystem: the overlay it runs on holds it. systemd's initrd interface
 * (docs/INITRD_INTERFACE.md) says what to do: when /run/initramfs/shutdown is executable,
 * systemd-shutdown pivots into /run/initramfs at the very end, with the old root on
 * /oldroot, and execs /shutdown reboot|poweroff|halt|kexec. overroot is static, so a copy of
 * itself is all that needs to be there (src/shutdown/shutdown.c is that mode). Other inits never
 * look at it: sysvinit and busybox init get an rc step instead (contrib/sysv). */
#include <errno.h>
#include <string.h>
#include "overroot/log.h"
#include "overroot/shutdown.h"
#include "overroot/stages.h"

static int handback_run(struct boot_ctx *ctx)
{
	const struct sys_ops *sys = ctx->sys;
	int r = sys->mkdir(SHUTDOWN_DIR, 0755);

	if (r == 0 || r == -EEXIST)
		r = sys->copy_file("/proc/self/exe", SHUTDOWN_PATH, 0755);
	if (r < 0) {
		log_warn("handback", "copy overroot to " SHUTDOWN_PATH ": %s: systemd cannot "
			 "hand the shutdown back, and the rw filesystem may need its journal "
			 "replayed at the next boot", strerror(-r));
		return r;
	}
	log_info("handback", "left " SHUTDOWN_PATH " for systemd's shutdown");
	return 0;
}

/* Only a persistent overlay has something to take apart: a tmpfs upper is lost anyway, and
 * without an overlay systemd unmounts the root itself. */
static bool handback_enabled(const struct boot_ctx *ctx)
{
	return ctx->mode == MODE_OVERLAY;
}

const struct stage stage_handback = {
	.name = "handback",
	.enabled = handback_enabled,
	.run = handback_run,
	.on_fail = STAGE_WARN,
};
