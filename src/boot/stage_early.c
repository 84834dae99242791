/* Stage 1: the API filesystems, the console and the kernel log. The kernel's
 * CONFIG_DEVTMPFS_MOUNT does not apply to an initramfs, so /dev is ours to mount. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include "overroot/boot.h"
#include "overroot/config.h"
#include "overroot/log.h"
#include "overroot/stages.h"

#define DEVKMSG "/proc/sys/kernel/printk_devkmsg"

static const struct early_mount {
	const char *src, *target, *type;
	unsigned long flags;
	const char *data;
	bool fatal;	/* without it no device can be found */
} early_mounts[] = {
	{ "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, true },
	{ "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, true },
	{ "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755", true },
	/* systemd's initrd interface: /run as mode=755,nodev,nosuid,strictatime, and not
	 * noexec: /run/initramfs/shutdown is run from it at shutdown. */
	{ "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV | MS_STRICTATIME, "mode=0755", false },
};

static int early_run(struct boot_ctx *ctx)
{
	const struct sys_ops *sys = ctx->sys;

	for (size_t i = 0; i < sizeof(early_mounts) / sizeof(early_mounts[0]); i++) {
		const struct early_mount *m = &early_mounts[i];
		/* The initramfs has the mount points: mkdir only when one is missing. */
		int r = sys->mount(m->src, m->target, m->type, m->flags, m->data);
		if (r == -ENOENT && sys->mkdir(m->target, 0755) == 0)
			r = sys->mount(m->src, m->target, m->type, m->flags, m->data);
		if (r == -EBUSY)
			r = 0;	/* already mounted (a re-run, or the kernel did it) */
		if (r < 0) {
			log_msg(m->fatal ? LOG_LVL_ERR : LOG_LVL_WARN, "early",
				"mount %s on %s: %s%s", m->type, m->target, strerror(-r),
				m->fatal ? "" : ": going on without it");
			if (m->fatal)
				return r;
		}
	}
	/* The kernel opened fds 0-2 on the initramfs' /dev/console, which may be absent:
	 * devtmpfs has it now. */
	if (sys->open_console("/dev/console") < 0 && sys->open_console("/dev/null") == 0)
		log_warn("early", "open /dev/console: no console output from here on");

	int fd = sys->open("/dev/kmsg", O_WRONLY | O_NOCTTY);
	if (fd < 0) {
		log_warn("early", "open /dev/kmsg: %s: logging to the console", strerror(-fd));
	} else {
		ctx->kmsg_fd = fd;
		log_setup(fd, log_max_level());
	}
	/* /dev/kmsg drops user-space records past 10 in 5 s unless printk.devkmsg=on: lift
	 * the limit while we log, put it back before the hand-over (switchroot stage). A
	 * value locked on the command line refuses the write, which is fine. */
	if (sys->read_file(DEVKMSG, ctx->devkmsg_was, sizeof(ctx->devkmsg_was)) > 0 &&
	    strncmp(ctx->devkmsg_was, "on", 2) && sys->write_file(DEVKMSG, "on\n", 3) < 0)
		ctx->devkmsg_was[0] = '\0';
	log_info("early", "overroot " OVERROOT_VERSION " starting");
	return 0;
}

const struct stage stage_early = {
	.name = "early",
	.run = early_run,
	.on_fail = STAGE_FATAL,
};
