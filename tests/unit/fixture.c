/* A booting machine on the fake sys layer: an initramfs, a kernel, a root disk (vda2) and
 * a data partition (vda3), as the QEMU bench has them. Shared by the boot-level suites. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include "fake_sys.h"
#include "fixture.h"
#include "overroot/cli.h"
#include "overroot/log.h"
#include "overroot/stages.h"
#include "sweep.h"

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
/* One /dev/null for the log between runs: the sweeps set up thousands of machines. */
static int dev_null(void)
{
	static int fd = -1;

	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	return fd;
}

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
	fake_file("/proc/filesystems", "nodev\tproc\n\text4\nnodev\toverlay\n", 0444);
	fake_blk("vda2", 254, 2, &root_info);
	fake_blk("vda3", 254, 3, &data_info);
	fake_file("/sbin/init", "", 0755);
	fake_file("/bin/sh", "", 0755);
	fake_file("/usr/sbin/overroot", "overroot binary", 0755);
	/* CONFIG_DEVTMPFS_MOUNT: the kernel's devtmpfs on the root's /dev */
	fake_sys.mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);

	ctx_setup(2, argv);
}

static FILE *boot_log;

void boot_capture_log(void)
{
	boot_log = tmpfile();
	log_setup(fileno(boot_log), LOG_LVL_DEBUG);
}

const char *boot_kmsg(void)
{
	static char text[65536];

	fflush(boot_log);
	rewind(boot_log);
	size_t n = fread(text, 1, sizeof(text) - 1, boot_log);
	text[n] = '\0';
	return text;
}

void boot_teardown(void)
{
	if (boot_log)
		fclose(boot_log);
	boot_log = NULL;
	kmod_close(&ctx.kmod);
	log_setup(dev_null(), LOG_LVL_DEBUG);
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

const char status_overlay[] =
	"version=0.1.0\nmode=overlay\nroot=/dev/vda2\nroot_device=/dev/vda2\nroot_type=ext4\n"
	"root_locked=yes\nrootrw=/dev/vda3\nrw_device=/dev/vda3\nrw_type=ext4\nlower=/rofs\n"
	"rw_mount=/overlay\nupper=/overlay/upper\nfallback_reason=\ntime_early_ms=3\n"
	"time_rootfs_ms=120\ntime_total_ms=130\n";

char out_text[8192], err_text[8192];

/* The booted system as overroot leaves it: /rofs on vda2 (the first mount after the fake's
 * root, so its st_dev is 0:2), /overlay, /run/overroot/status. */
void booted(const char *status)
{
	fake_reset();
	static const char *const dirs[] = { "/run", "/run/overroot", "/overlay", "/overlay/upper",
					    "/rofs", "/dev", "/proc", "/sys", "/etc" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		fake_dir(dirs[i]);
	ck_assert_int_eq(fake_sys.mount("/dev/vda2", "/rofs", "ext4", 1, NULL), 0);
	fake_blk("vda2", 0, 2, &root_info);
	if (status)
		fake_file("/run/overroot/status", status, 0644);
	fake_set_usage(20 << 20, 15 << 20, 14 << 20);
}

/* Run `overroot ARGS...` (NULL-terminated); out_text and err_text get what it printed. */
int run_cli(const char *arg, ...)
{
	char *argv[16] = { "overroot" };
	int argc = 1;
	va_list ap;

	va_start(ap, arg);
	for (const char *a = arg; a && argc < 15; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	FILE *out = fmemopen(out_text, sizeof(out_text), "w");
	FILE *err = fmemopen(err_text, sizeof(err_text), "w");
	int r = cli_run(&fake_sys, argc, argv, out, err);
	fclose(out);
	fclose(err);
	return r;
}

void chroot_ready(void)
{
	booted(status_overlay);
	static const char *const dirs[] = { CHROOT_DIR, CHROOT_DIR "/proc", CHROOT_DIR "/sys",
					    CHROOT_DIR "/dev", CHROOT_DIR "/run" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		fake_dir(dirs[i]);
}

/* What systemd-shutdown leaves: our root is /run/initramfs, the old one on /oldroot with the
 * overlay, and below it what systemd could not unmount. */
void oldroot(bool with_rw_mount, const char *status)
{
	fake_reset();
	static const char *const dirs[] = { "/run", "/run/overroot", "/dev", "/oldroot",
					    "/oldroot/rofs", "/oldroot/overlay", "/oldroot/proc",
					    "/oldroot/var", "/oldroot/var/volatile" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		fake_dir(dirs[i]);
	if (status)
		fake_file("/run/overroot/status", status, 0644);
	fake_blk("vda3", 254, 3, &data_info);
	memset(&ctx, 0, sizeof(ctx));
	ctx.sys = &fake_sys;
	log_setup(dev_null(), LOG_LVL_DEBUG);
	fake_sys.mount("overlay", "/oldroot", "overlay", 0, "lowerdir=/overlay/rofs");
	fake_sys.mount("/dev/vda2", "/oldroot/rofs", "ext4", MS_RDONLY, NULL);
	if (with_rw_mount)
		fake_sys.mount("/dev/vda3", "/oldroot/overlay", "ext4", MS_NOATIME, NULL);
	fake_sys.mount("proc", "/oldroot/proc", "proc", 0, NULL);
	fake_sys.mount("tmpfs", "/oldroot/var/volatile", "tmpfs", 0, NULL);
}

unsigned assert_every_failure_point(void (*setup)(void), const char *const *kinds, size_t nkinds,
				    unsigned max, void (*untouched)(void))
{
	unsigned points = 0;

	for (size_t k = 0; k < nkinds; k++) {
		for (unsigned nth = 1; nth <= max; nth++) {
			const int *errs = sweep_errors(kinds[k]);
			for (unsigned e = 0; e < SWEEP_ERRS_MAX && errs[e]; e++) {
				const struct stage *failed;
				setup();
				fake_fail(kinds[k], nth, errs[e]);
				int r = boot(&failed);
				points += fake_count(kinds[k]) >= nth;	/* the nth came */
				untouched();
				if (r < 0) {
					ck_assert_ptr_nonnull(failed);
					assert_absent("execv");
				} else {
					ck_assert_ptr_nonnull(strstr(fake_log(),
								     "execv /sbin/init"));
					/* a fallback always says why */
					ck_assert(ctx.mode == MODE_OVERLAY ||
						  ctx.fallback_reason[0]);
				}
				boot_teardown();
			}
		}
	}
	return points;
}
