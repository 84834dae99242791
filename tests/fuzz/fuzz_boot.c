/* The whole boot on the fake sys layer, driven by /proc/cmdline: every stage that reads the
 * command line's values (root= and rootrw= specs, rootflags= and rootrwoptions= strings,
 * tmpfs:size=, timeouts, fallbacks, init=) runs on them, as PID 1 would. A Pi-like machine:
 * mmcblk0p1 (vfat boot), p2 (ext4 root), p3 (ext4 data).
 * Input: /proc/cmdline \0 printk_devkmsg \0 TYPE of p3 \0 TYPE of p2 (the first byte picks
 * one of blkid's names; "" keeps ext4).
 * Checked: the root device is never mounted writable under an overlay, it is locked
 * (BLKROSET) before any mount when rootlock is on, the initramfs is only deleted on the way
 * to exec, and /run/overroot/status stays one key=value per line with unique keys. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>
#include "fake_sys.h"
#include "fuzz.h"
#include "overroot/boot.h"
#include "overroot/stages.h"

#define STATUS "/run/overroot/status"

enum { P_CMDLINE, P_DEVKMSG, P_DATA_TYPE, P_ROOT_TYPE };

static struct boot_ctx ctx;
static bool skip_status_newline;	/* FUZZ_KNOWN_BUGS=status-newline */
static int devnull = 2;
static char *kargv[] = { "/init", "splash", NULL };
static char *kenvp[] = { "HOME=/", "TERM=linux", NULL };

/* What libblkid can say TYPE is: one of its own names (never text from the disk), or none. */
static void pick_type(char *ret, size_t size, const char *part)
{
	static const char *const types[] = { "ext4", "ext2", "vfat", "btrfs", "xfs", "f2fs",
					     "squashfs", "erofs", "swap", "ntfs3", "exfat",
					     "iso9660", "LVM2_member", "crypto_LUKS", "" };

	snprintf(ret, size, "%s", types[(unsigned char)part[0] % (sizeof(types) / sizeof(types[0]))]);
}

static void make_machine(const struct fuzz_parts *in)
{
	struct blkinfo boot = { .type = "vfat", .label = "bootfs", .uuid = "5DE4-665C",
				.partuuid = "8a438930-01" };
	struct blkinfo root = { .type = "ext4", .label = "rootfs",
				.uuid = "3b614a3f-4a65-4480-876a-8a998e01ac9b",
				.partuuid = "8a438930-02" };
	struct blkinfo data = { .type = "ext4", .label = "data",
				.uuid = "c0ffee00-1234-4321-8888-0123456789ab",
				.partuuid = "8a438930-03" };

	if (in->n > P_DATA_TYPE)
		pick_type(data.type, sizeof(data.type), in->part[P_DATA_TYPE]);
	if (in->n > P_ROOT_TYPE)
		pick_type(root.type, sizeof(root.type), in->part[P_ROOT_TYPE]);
	fake_reset();
	fake_initramfs();
	fake_dir("/proc/sys");
	fake_dir("/proc/sys/kernel");
	fake_file("/proc/cmdline", in->part[P_CMDLINE], 0444);
	fake_file("/proc/sys/kernel/osrelease", "6.1.0-rpi7-rpi-v8\n", 0444);
	fake_file("/proc/sys/kernel/printk_devkmsg", in->n > P_DEVKMSG ? in->part[P_DEVKMSG]
			 : "ratelimit\n", 0644);
	fake_file("/proc/filesystems", "nodev\tsysfs\nnodev\tproc\nnodev\ttmpfs\n\tvfat\n", 0444);
	fake_dir("/lib/modules");
	fake_dir("/lib/modules/6.1.0-rpi7-rpi-v8");
	fake_file("/lib/modules/6.1.0-rpi7-rpi-v8/modules.dep",
		  "kernel/fs/ext4/ext4.ko: kernel/fs/jbd2/jbd2.ko kernel/fs/mbcache.ko "
		  "kernel/lib/crc16.ko\nkernel/fs/jbd2/jbd2.ko:\nkernel/fs/mbcache.ko:\n"
		  "kernel/lib/crc16.ko:\nkernel/fs/overlayfs/overlay.ko:\n", 0644);
	fake_file("/lib/modules/6.1.0-rpi7-rpi-v8/modules.alias",
		  "alias fs-ext4 ext4\nalias fs-overlay overlay\n", 0644);
	static const char *const kos[] = { "kernel/fs/ext4/ext4.ko", "kernel/fs/jbd2/jbd2.ko",
					   "kernel/fs/mbcache.ko", "kernel/lib/crc16.ko",
					   "kernel/fs/overlayfs/overlay.ko" };
	for (size_t i = 0; i < sizeof(kos) / sizeof(kos[0]); i++) {
		char path[256];
		snprintf(path, sizeof(path), "/lib/modules/6.1.0-rpi7-rpi-v8/%s", kos[i]);
		fake_file(path, "\177ELF", 0644);
	}
	fake_dir("/etc/modules-load.d");
	fake_file("/etc/modules-load.d/overlay.conf", "overlay\n", 0644);
	fake_blk("mmcblk0p1", 179, 1, &boot);
	fake_blk("mmcblk0p2", 179, 2, &root);
	fake_blk("mmcblk0p3", 179, 3, &data);
	static const char *const root_dirs[] = { "/rootfs/sbin", "/rootfs/dev", "/rootfs/proc",
						 "/rootfs/sys", "/rootfs/run", "/rootfs/bin" };
	for (size_t i = 0; i < sizeof(root_dirs) / sizeof(root_dirs[0]); i++)
		fake_dir(root_dirs[i]);
	fake_file("/rootfs/sbin/init", "", 0755);
	fake_file("/rootfs/bin/sh", "", 0755);
	fake_file("/bin/sh", "", 0755);
	/* rootwait waits forever on events that never come: the fake clock would run on for
	 * ever, so the 20th, 40th, ... wait fails instead (as a broken netlink socket would). */
	for (unsigned i = 1; i <= 16; i++)
		fake_fail("uevent_wait", 20 * i, EIO);
}

/* The invariants are checked on the calls themselves, with their real arguments: reading
 * them back from the fake's log cannot work, since a quoted rootfstype= or rootflags= may
 * hold spaces and any length. */
static struct {
	bool locked, removed, exec;
} seen;

static int check_mount(const char *src, const char *target, const char *type,
		       unsigned long flags, const char *data)
{
	const char *root = ctx.root_dev;

	if (src && *root && !strcmp(src, root)) {
		if (ctx.p.rootrw)
			FUZZ_CHECK(flags & MS_RDONLY);
		if (ctx.p.rootrw && ctx.p.rootro_lock)
			FUZZ_CHECK(seen.locked);
		FUZZ_CHECK(strcmp(target, "/overlay") != 0);
	}
	return fake_sys.mount(src, target, type, flags, data);
}

static int check_blk_set_ro(const char *devpath, bool ro)
{
	int r = fake_sys.blk_set_ro(devpath, ro);

	if (r == 0 && ro && *ctx.root_dev && !strcmp(devpath, ctx.root_dev))
		seen.locked = true;
	return r;
}

static int check_remove_tree(const char *dir)
{
	if (!strcmp(dir, "/"))
		seen.removed = true;
	return fake_sys.remove_tree(dir);
}

static int check_execv(const char *path, char *const argv[], char *const envp[])
{
	seen.exec = true;
	FUZZ_CHECK(!strcmp(path, ctx.p.init));
	return fake_sys.execv(path, argv, envp);
}

static struct sys_ops checked;

static void check_end(int r)
{
	FUZZ_CHECK(!seen.removed || seen.exec);
	FUZZ_CHECK(seen.exec == (r == 0));	/* only a failure comes back */
}

static void check_status(const char *cmdline)
{
	const char *st = fake_content(STATUS);
	char keys[64][64];
	size_t n = 0;

	if (!st)
		return;
	/* Known bug, reported: a quoted newline in a value makes a line of its own. */
	if (skip_status_newline && strchr(cmdline, '\n'))
		return;
	for (const char *line = st; *line;) {
		size_t len = strcspn(line, "\n");
		size_t klen = strcspn(line, "=\n");

		FUZZ_CHECK(klen < len && klen > 0 && klen < sizeof(keys[0]));
		FUZZ_CHECK(n < 64);
		snprintf(keys[n], sizeof(keys[0]), "%.*s", (int)klen, line);
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK(strcmp(keys[i], keys[n]) != 0);
		n++;
		line += len;
		if (*line)
			line++;
	}
	FUZZ_CHECK(!strncmp(st, "version=", 8));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_log_init();
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	checked = fake_sys;
	checked.mount = check_mount;
	checked.blk_set_ro = check_blk_set_ro;
	checked.remove_tree = check_remove_tree;
	checked.execv = check_execv;
	const char *known = getenv("FUZZ_KNOWN_BUGS");
	skip_status_newline = known && strstr(known, "status-newline");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_parts in;
	const struct stage *failed = NULL;

	fuzz_split(data, size, '\0', &in);
	make_machine(&in);
	memset(&ctx, 0, sizeof(ctx));
	memset(&seen, 0, sizeof(seen));
	ctx.sys = &checked;
	ctx.argc = 2;
	ctx.argv = kargv;
	ctx.envp = kenvp;
	ctx.kmsg_fd = devnull;
	log_setup(devnull, LOG_LVL_DEBUG);

	int r = stages_run(&ctx, stages, stages_count, &failed);
	FUZZ_CHECK(r <= 0);
	FUZZ_CHECK((r < 0) == (failed != NULL));
	if (r < 0)
		boot_fatal_once(&ctx, "fuzz");
	check_end(r);
	check_status(in.part[P_CMDLINE]);
	FUZZ_CHECK(ctx.stages_done <= STAGES_MAX);
	kmod_close(&ctx.kmod);
	fuzz_parts_free(&in);
	return 0;
}
