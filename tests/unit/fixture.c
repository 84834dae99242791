/* A booting machine on the fake sys layer: an initramfs, a kernel, a root disk (vda2) and
 * a data partition (vda3), as the QEMU bench has them. Shared by the boot-level suites. */
#include <check.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "fake_sys.h"
#include "fixture.h"
#include "overroot/log.h"
#include "overroot/stages.h"

struct boot_ctx ctx;
static char *kargv[] = { "/init", "one", "two words", NULL };
static char *kenvp[] = { "HOME=/", "tinit=report", NULL };

const struct blkinfo root_info = {
	.type = "ext4", .label = "root",
	.uuid = "1111", .partuuid = "0badcafe-02",
	.partlabel = "rootfs"
};
const struct blkinfo data_info = {
	.type = "ext4", .label = "data",
	.uuid = "2222", .partuuid = "0badcafe-03",
	.partlabel = "data"
};

/* A fresh context on the fake, with what the kernel gave PID 1. */
static void ctx_setup(int argc, char **argv)
{
	memset(&ctx, 0, sizeof(ctx));
	ctx.sys = &fake_sys;
	ctx.argc = argc;
	ctx.argv = argv;
	ctx.envp = kenvp;
	ctx.kmsg_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	log_setup(ctx.kmsg_fd, LOG_LVL_DEBUG);
}

/* An initramfs, a kernel and a root disk, as the QEMU bench has them. */
void boot_setup(const char *cmdline)
{
	fake_reset();
	fake_initramfs();
	fake_dir("/proc/sys");
	fake_dir("/proc/sys/kernel");
	fake_file("/proc/cmdline", cmdline, 0444);
	fake_dir("/proc/self");
	fake_file("/proc/self/exe", "overroot binary", 0755);
	fake_file("/proc/sys/kernel/osrelease", "6.1.0-test\n", 0444);
	fake_file("/proc/sys/kernel/printk_devkmsg", "ratelimit\n", 0644);
	fake_file("/proc/filesystems", "nodev\tproc\n\text4\n", 0444);
	fake_dir("/lib/modules");
	fake_dir("/lib/modules/6.1.0-test");
	fake_file("/lib/modules/6.1.0-test/modules.dep", "kernel/virtio_blk.ko:\n", 0644);
	fake_file("/lib/modules/6.1.0-test/kernel/virtio_blk.ko", "", 0644);
	fake_dir("/etc/modules-load.d");
	fake_file("/etc/modules-load.d/bench.conf", "virtio_blk\n", 0644);
	fake_blk("vda2", 254, 2, &root_info);
	fake_blk("vda3", 254, 3, &data_info);
	static const char *const root_dirs[] = { "/rootfs/sbin", "/rootfs/dev", "/rootfs/proc",
						 "/rootfs/sys", "/rootfs/run", "/rootfs/bin",
						 "/rootfs/rofs" };
	for (size_t i = 0; i < sizeof(root_dirs) / sizeof(root_dirs[0]); i++)
		fake_dir(root_dirs[i]);
	fake_file("/rootfs/sbin/init", "", 0755);
	fake_file("/rootfs/bin/sh", "", 0755);

	ctx_setup(3, kargv);
}

void boot_setup_noinitramfs(const char *cmdline, bool rw)
{
	static char *argv[] = { "/usr/sbin/overroot", "one", NULL };
	static const char *const dirs[] = { "/proc", "/sys", "/dev", "/run", "/tmp", "/etc",
					    "/sbin", "/bin", "/usr", "/usr/sbin", "/rofs",
					    "/overlay", "/sys/class", "/sys/class/block",
					    "/proc/sys", "/proc/sys/kernel", "/proc/self" };

	fake_reset();
	fake_kernel_root(254, 2, rw);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		fake_dir(dirs[i]);
	fake_file("/dev/console", "", 0600);
	fake_file("/proc/cmdline", cmdline, 0444);
	fake_file("/proc/self/exe", "overroot binary", 0755);
	fake_file("/proc/sys/kernel/osrelease", "6.1.0-test\n", 0444);
	fake_file("/proc/sys/kernel/printk_devkmsg", "ratelimit\n", 0644);
	fake_blk("vda2", 254, 2, &root_info);
	fake_blk("vda3", 254, 3, &data_info);
	fake_file("/sbin/init", "", 0755);
	fake_file("/bin/sh", "", 0755);
	fake_file("/usr/sbin/overroot", "overroot binary", 0755);
	/* CONFIG_DEVTMPFS_MOUNT: the kernel's devtmpfs on the root's /dev */
	fake_sys.mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);

	ctx_setup(2, argv);
}

void boot_teardown(void)
{
	kmod_close(&ctx.kmod);
	log_setup(open("/dev/null", O_WRONLY | O_CLOEXEC), LOG_LVL_DEBUG);
	if (ctx.kmsg_fd > 2)
		close(ctx.kmsg_fd);
}

int boot(const struct stage **failed)
{
	size_t n;
	const struct stage *const *table = stages_for(ctx.sys, &n);

	*failed = NULL;
	return stages_run(&ctx, table, n, failed);
}

/* Each of lines appears in the log, in this order. */
void assert_in_order(const char *const *lines)
{
	const char *at = fake_log();

	for (size_t i = 0; lines[i]; i++) {
		const char *hit = strstr(at, lines[i]);
		ck_assert_msg(hit != NULL, "missing, or out of order: \"%s\"\nlog:\n%s", lines[i],
			      fake_log());
		at = hit + strlen(lines[i]);
	}
}

void assert_absent(const char *s)
{
	ck_assert_msg(strstr(fake_log(), s) == NULL, "unexpected \"%s\" in log:\n%s", s,
		      fake_log());
}
