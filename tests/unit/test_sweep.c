/* Every failure tried, at boot: for each command line of the table, count the calls of one
 * boot, then boot again with call k failing, for every k, with each error that call can
 * return (sweep.c). After each boot: PID 1 ends in the exec of init or in the fatal policy,
 * the root is never mounted writable nor written before the overlay is on it, nothing on the
 * data partition is removed but what a requested reset moves aside, a reset cut short is
 * finished or undone by the next boot, and a failure that changes the outcome is named in
 * the kernel log with its error. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include "fake_sys.h"
#include "fixture.h"
#include "overroot/aside.h"
#include "overroot/bootcount.h"
#include "overroot/resetmark.h"
#include "overroot/stages.h"
#include "suites.h"
#include "sweep.h"
#include "verity_fixture.h"

#define MARKED	1u	/* a reset mark on the data partition */
#define PI	2u	/* the Pi's mmcblk0p1..3 too */
#define RESET	4u	/* the command line asks for a reset */
#define TRIES	8u	/* boot counting: the count at its limit, the upper is set aside */
#define RESTORE	16u	/* overroot restore 1: aside 1 holds an upper */
#define KEEP_N	32u	/* rootrwkeep=1 with two set-aside uppers: the older is deleted */
#define FULL	64u	/* the data partition full: the reserve is given back */
#define NEXT	(RESET | TRIES | RESTORE)	/* the next boot finishes what a cut left */
#define FSCK(n)	(128u | (n) << 16)	/* an e2fsck in the initramfs that exits n (fake_child) */
#define HANG	256u	/* an e2fsck in the initramfs that hangs */
#define VERITY	512u	/* dm-verity: the tree on vda2 after the data, its superblock */
#define ENVFILE	1024u	/* meta-security's env file, the tree on vda4 */

#define KEEP "/persist.txt"	/* a file of the old upper */
#define BACK "/back.txt"	/* a file of a set-aside upper */
#define MARK "/overlay/" RESETMARK_NAME
#define PI_CMDLINE "coherent_pool=1M 8250.nr_uarts=1 snd_bcm2835.enable_headphones=0 " \
	"snd_bcm2835.enable_hdmi=1 snd_bcm2835.enable_hdmi=0 smsc95xx.macaddr=DC:A6:32:01:02:03 " \
	"vc_mem.mem_base=0x3ec00000 vc_mem.mem_size=0x40000000 console=ttyS0,115200 " \
	"console=tty1 root=/dev/mmcblk0p2 rootfstype=ext4 fsck.repair=yes rootwait " \
	"rootrw=/dev/mmcblk0p3 quiet splash plymouth.ignore-serial-consoles"

struct boot_row {
	const char *name, *cmdline;
	unsigned flags;
};

static const struct boot_row boot_rows[] = {
	{ "overlay", "root=/dev/vda2 rootrw=/dev/vda3", 0 },
	{ "tmpfs", "root=/dev/vda2 rootrw=tmpfs:size=64M", 0 },
	{ "read-only", "root=/dev/vda2", 0 },
	{ "reset-mark", "root=/dev/vda2 rootrw=/dev/vda3", MARKED | RESET },
	{ "rootrwreset", "root=/dev/vda2 rootrw=/dev/vda3 rootrwreset=yes", RESET },
	{ "fallback-tmpfs", "root=/dev/vda2 rootrw=/dev/vdz9 rootrwtimeout=1 "
	  "rootrwfallback=tmpfs", 0 },
	{ "fallback-fatal", "root=/dev/vda2 rootrw=/dev/vdz9 rootrwtimeout=0 "
	  "rootrwfallback=fatal init_fatal_reboot", 0 },
	{ "label-partuuid", "root=LABEL=root rootfstype=ext4 rootrw=PARTUUID=0badcafe-03", 0 },
	{ "pi", PI_CMDLINE, PI },
	{ "debug-uuid", "root=UUID=1111 rootrw=LABEL=data debug rd.modules-load=virtio_blk", 0 },
	{ "partlabel-nolock-shell", "root=PARTLABEL=rootfs rootrw=/dev/vda3 rootlock=no "
	  "init=/bin/sh quiet shell", 0 },
	{ "missing-root", "root=/dev/vdz1 roottimeout=1 init_fatal_sh", 0 },
	{ "tries", "root=/dev/vda2 rootrw=/dev/vda3 rootrwtries=2", TRIES },
	{ "tries-full-keep", "root=/dev/vda2 rootrw=/dev/vda3 rootrwtries=2 rootrwkeep=1",
	  TRIES | FULL | KEEP_N },
	{ "restore", "root=/dev/vda2 rootrw=/dev/vda3", RESTORE },
	/* the rw device's check: clean, a reboot asked for, refused, a hang */
	{ "fsck-clean", "root=/dev/vda2 rootrw=/dev/vda3 forcefsck", FSCK(0) },
	{ "fsck-reboot", "root=/dev/vda2 rootrw=/dev/vda3", FSCK(2) },
	{ "fsck-refused", "root=/dev/vda2 rootrw=/dev/vda3 rootrwfallback=tmpfs", FSCK(4) },
	{ "fsck-hang", "root=/dev/vda2 rootrw=/dev/vda3 rootrwfscktimeout=3", HANG },
	{ "verity-systemd", "roothash=" VF_HASH " root=/dev/mapper/root rootrw=/dev/vda3 "
	  "systemd.verity_root_data=/dev/vda2 systemd.verity_root_hash=PARTUUID=0badcafe-02 "
	  "systemd.verity_root_options=hash-offset=67108864,panic-on-corruption", VERITY },
	{ "verity-env-tmpfs", "root=LABEL=root rootrw=/dev/vda3 rootrwfallback=tmpfs",
	  VERITY | ENVFILE },
};

/* What the run did, seen on the calls themselves. */
static struct {
	bool root_rw;		/* the root device mounted, or its lower remounted, writable */
	bool lower_written;	/* a write below /rootfs while it was the bare root */
	bool overlay;		/* the overlay is mounted on /rootfs */
	bool exec;
	bool raw_mounted;	/* a verity boot mounted its data device itself */
	bool verified;		/* the root mounted is /dev/mapper/root */
	char removed[256];	/* something on the data partition removed */
	char made[8][256];	/* what this run created there: its own to rename or remove */
	unsigned nmade;
} seen;
static const struct boot_row *row_now;
static unsigned next_boots;	/* after a reset cut short */

static bool under(const char *path, const char *dir)
{
	size_t l = strlen(dir);

	return !strncmp(path, dir, l) && (path[l] == '/' || !path[l]);
}

/* A write that took, below the mount point (the mount point itself is the initramfs'):
 * one the read-only mount refuses (EROFS, as the fake does) wrote nothing. */
static int wrote(const char *path, int r)
{
	if (r == 0 && !strncmp(path, "/rootfs/", 8) && !seen.overlay)
		seen.lower_written = true;
	return r;
}

/* A file or directory this run created on the data partition (a record written under a
 * temporary name, then renamed into place) is not the user's data. */
static int made(const char *path, int r)
{
	if (r == 0 && under(path, "/overlay") && seen.nmade < 8)
		snprintf(seen.made[seen.nmade++], sizeof(seen.made[0]), "%s", path);
	return r;
}

static bool ours(const char *path)
{
	for (unsigned i = 0; i < seen.nmade; i++)
		if (!strcmp(seen.made[i], path))
			return true;
	return false;
}

static int w_mount(const char *src, const char *target, const char *type,
		   unsigned long flags, const char *data)
{
	bool device = src && *ctx.root_dev && !strcmp(src, ctx.root_dev);
	bool remount = (flags & MS_REMOUNT) && (!strcmp(target, "/overlay/rofs") ||
						(!strcmp(target, "/rootfs") && !seen.overlay));
	if ((device || remount) && !(flags & MS_RDONLY))
		seen.root_rw = true;
	if (src && (row_now->flags & VERITY))
		seen.raw_mounted |= !strcmp(src, "/dev/vda2") || !strcmp(src, "/dev/vda4");
	if (src && !strcmp(target, "/rootfs") && !strncmp(src, "/dev/", 5))
		seen.verified = !strcmp(src, "/dev/mapper/root");
	int r = fake_sys.mount(src, target, type, flags, data);
	if (r == 0 && type && !strcmp(type, "overlay") && !strcmp(target, "/rootfs"))
		seen.overlay = true;
	return r;
}

static int w_umount(const char *target, int flags)
{
	int r = fake_sys.umount(target, flags);

	if (r == 0 && !strcmp(target, "/rootfs"))
		seen.overlay = false;
	return r;
}

static int w_mkdir(const char *path, mode_t mode)
{
	return made(path, wrote(path, fake_sys.mkdir(path, mode)));
}

static int w_write_file(const char *path, const void *data, size_t len)
{
	return made(path, wrote(path, fake_sys.write_file(path, data, len)));
}

static int w_copy_file(const char *from, const char *to, mode_t mode)
{
	return wrote(to, fake_sys.copy_file(from, to, mode));
}

static void removes(const char *path)
{
	if (under(path, "/overlay") && !under(path, "/overlay/.overroot-trash") && !ours(path) &&
	    strcmp(path, BOOTCOUNT_RESERVE))
		snprintf(seen.removed, sizeof(seen.removed), "%s", path);
}

static int w_rename(const char *from, const char *to)
{
	/* a reset moves the old upper, work and the mark into the trash, nothing else; a
	 * set-aside keeps, whole, in ASIDE_DIR; a restore brings one back from there, then its
	 * record and info (never an upper) and the mark go to the trash; rootrwkeep= deletes */
	char up[300];
	snprintf(up, sizeof(up), "%s/upper", from);
	bool trash = under(to, ASIDE_TRASH);
	if (under(from, "/overlay") && !ours(from) && !under(to, ASIDE_DIR) &&
	    !((row_now->flags & RESET) && trash) &&
	    !((row_now->flags & RESTORE) && under(from, ASIDE_DIR) && !trash) &&
	    !((row_now->flags & RESTORE) && trash && (!strcmp(from, ASIDE_RESTORE) ||
						      !fake_exists(up))) &&
	    !((row_now->flags & KEEP_N) && trash && under(from, ASIDE_DIR)))
		snprintf(seen.removed, sizeof(seen.removed), "rename %s", from);
	return wrote(from, wrote(to, fake_sys.rename(from, to)));
}

static int w_unlink(const char *path)
{
	removes(path);
	return wrote(path, fake_sys.unlink(path));
}

static int w_rmdir(const char *path)
{
	removes(path);
	return wrote(path, fake_sys.rmdir(path));
}

static int w_remove_tree(const char *dir)
{
	if (strcmp(dir, "/"))
		removes(dir);
	return wrote(dir, fake_sys.remove_tree(dir));
}

static int w_spawn_remove_tree(const char *dir)
{
	if (strcmp(dir, "/overlay/.overroot-trash"))
		removes(dir);
	return fake_sys.spawn_remove_tree(dir);
}

static int w_execv(const char *path, char *const argv[], char *const envp[])
{
	int r = fake_sys.execv(path, argv, envp);

	seen.exec |= r == 0;
	return r;
}

static struct sys_ops watched;

/* What a run holds (boot_teardown would open /dev/null anew each time: thousands of fds). */
static void boot_row_release(void)
{
	kmod_close(&ctx.kmod);
	if (ctx.kmsg_fd > 2)
		close(ctx.kmsg_fd);
	ctx.kmsg_fd = -1;
}

static void boot_row_setup(const void *p, bool fresh)
{
	const struct boot_row *row = p;
	static const struct blkinfo boot_info = { .type = "vfat", .label = "bootfs" };

	boot_row_release();
	boot_setup(row->cmdline);
	if (row->flags & PI) {
		fake_blk("mmcblk0p1", 179, 1, &boot_info);
		fake_blk("mmcblk0p2", 179, 2, &root_info);
		fake_blk("mmcblk0p3", 179, 3, &data_info);
	}
	if (row->flags & VERITY) {
		static const struct blkinfo hash_info = { .partuuid = VF_RHASH_UUID };
		unsigned char sb[512];
		bool env = row->flags & ENVFILE;
		vf_superblock(sb, env ? 4096 : 1024, 4096, env ? 16384 : 65536);
		fake_blk("vda4", 254, 4, &hash_info);
		fake_dm_bytes(env ? "/dev/vda4" : "/dev/vda2", env ? 0 : 67108864, sb, sizeof(sb));
		fake_dm_good_hash(VF_HASH);
		if (env)
			fake_file(VERITY_ENV, VF_ENV_SEPARATE, 0644);
	}
	if (fresh) {
		fake_dir("/overlay/upper");
		fake_dir("/overlay/work");
		fake_file("/overlay/upper" KEEP, "old", 0644);
		if (row->flags & MARKED)
			fake_file(MARK, RESETMARK_TEXT, 0644);
		if (row->flags & TRIES)
			fake_file("/overlay/" BOOTCOUNT_NAME, "overroot boot 2, unconfirmed 2\n",
				  0644);
		if (row->flags & (RESTORE | KEEP_N)) {
			fake_dir(ASIDE_DIR);
			fake_dir(ASIDE_DIR "/1");
			fake_dir(ASIDE_DIR "/1/upper");
			fake_file(ASIDE_DIR "/1/" ASIDE_INFO_NAME, "reason=x\n", 0644);
			fake_file(ASIDE_DIR "/1/upper" BACK, "back", 0644);
		}
		if (row->flags & RESTORE)
			fake_file(ASIDE_RESTORE, ASIDE_RESTORE_HEAD "1\n", 0644);
		if (row->flags & FULL)
			fake_file(BOOTCOUNT_RESERVE, "reserve", 0600);
	} else {
		fake_restore();
	}
	if (row->flags & FULL)	/* ext4's reserved clusters (2%) count as free, root cannot use them */
		fake_set_usage(20 << 20, (20 << 20) / 50, 0);
	if (row->flags & (FSCK(0) | HANG)) {
		fake_file("/sbin/e2fsck", "ELF", 0755);
		fake_child(row->flags & HANG ? "hang" : "exit", (int)(row->flags >> 16), 20);
	}
	watched = fake_sys;
	watched.mount = w_mount;
	watched.umount = w_umount;
	watched.mkdir = w_mkdir;
	watched.write_file = w_write_file;
	watched.copy_file = w_copy_file;
	watched.rename = w_rename;
	watched.unlink = w_unlink;
	watched.rmdir = w_rmdir;
	watched.remove_tree = w_remove_tree;
	watched.spawn_remove_tree = w_spawn_remove_tree;
	watched.execv = w_execv;
	ctx.sys = &watched;
	close(ctx.kmsg_fd);
	ctx.kmsg_fd = sweep_capture();
	memset(&seen, 0, sizeof(seen));
	row_now = row;
}

/* The outcome, in one number: the failed stage, the mode, what the booted system gets. */
static int boot_row_run(const void *p)
{
	const struct stage *failed;
	int r = boot(&failed);

	if (r < 0) {
		ck_assert_ptr_nonnull(failed);
		boot_fatal_once(&ctx, "sweep");	/* what main() starts with */
	}
	int stage = 0;
	for (size_t i = 0; failed && i < stages_count; i++)
		if (stages[i] == failed)
			stage = (int)i + 1;
	return stage << 8 | (int)ctx.mode << 4 | seen.exec << 3 | ctx.root_locked << 2 |
	       fake_exists("/run/overroot/status") << 1 | fake_exists("/run/initramfs/shutdown");
}

/* Where a file of an upper is: 1 in the upper, 2 in the trash, 3 set aside, 0 lost or
 * copied. */
static int kept_where(const char *file)
{
	char path[256], in_use[64];

	snprintf(in_use, sizeof(in_use), "/overlay/upper%s", file);
	if (fake_find("/overlay/", file, path, sizeof(path)) != 1)
		return 0;
	return !strcmp(path, in_use) ? 1 : under(path, ASIDE_DIR) ? 3 : 2;
}

static void boot_row_check(const void *p, int base, int outcome, unsigned k, const char *kind,
			   int err)
{
	const struct boot_row *row = p;
	const char *at = sweep_where(row->name, k, kind, err);

	/* PID 1: the exec of init, or the fatal policy that main() follows */
	if (outcome >> 8)
		SWEEP_CHECK(strstr(sweep_kmsg(), "boot cannot go on") && !seen.exec, "%s", at);
	else
		SWEEP_CHECK(seen.exec, "%s: no exec and no fatal stop:\n%s", at, fake_log());
	if (ctx.p.fatal_reboot && (outcome >> 8))
		SWEEP_CHECK(strstr(fake_log(), "reboot 0x1234567"), "%s", at);
	SWEEP_CHECK(!seen.root_rw, "%s: the root mounted writable:\n%s", at, fake_log());
	/* a verity boot: init on the verified device or the fatal policy, never the raw one.
	 * Unless the env file read ENOENT: a file that says it is not there is not there, and
	 * the boot is one without verity (root= then names the root itself). */
	const char *failed_path = "";
	const char *failed_kind = fake_failed_kind(&failed_path);
	bool absent = failed_kind && err == ENOENT && !strcmp(failed_path, VERITY_ENV) &&
		      (row->flags & ENVFILE);
	SWEEP_CHECK(absent || !seen.raw_mounted, "%s: the unverified device mounted:\n%s", at,
		    fake_log());
	SWEEP_CHECK(!(row->flags & VERITY) || (base >> 3 & 1), "%s: the row itself does not "
		    "boot", at);
	if ((row->flags & VERITY) && !absent)
		SWEEP_CHECK(!seen.exec || (seen.verified && ctx.verity.mode == VERITY_OVERROOT),
			    "%s: init started on an unverified root:\n%s", at, fake_log());
	SWEEP_CHECK(!seen.lower_written, "%s: written below the bare root:\n%s", at,
		      fake_log());
	SWEEP_CHECK(!seen.removed[0], "%s: %s removed:\n%s", at, seen.removed, fake_log());
	/* the old upper is whole, in one place; where a reset was not asked for, in place */
	int where = kept_where(KEEP), back = kept_where(BACK);
	SWEEP_CHECK(where == 1 || (where == 2 && (row->flags & RESET)) ||
		    (where == 3 && (row->flags & (TRIES | RESTORE))), "%s: old upper %s", at,
		      where ? "moved" : "lost");
	if (row->flags & RESTORE)
		SWEEP_CHECK(back == 1 || back == 3, "%s: the restored upper %s", at,
			    back ? "moved" : "lost");
	if ((row->flags & KEEP_N) && !(row->flags & RESTORE))
		SWEEP_CHECK(back == 3 || back == 2, "%s: a set-aside upper lost", at);
	if ((row->flags & MARKED) && !fake_exists(MARK))
		SWEEP_CHECK(where == 2, "%s: the mark is gone, the reset not done", at);
	if ((row->flags & RESTORE) && !fake_exists(ASIDE_RESTORE) &&
	    !(err == ENOENT && !strcmp(kind, "lstat")))
		SWEEP_CHECK(back == 1, "%s: the restore mark is gone, the restore not done", at);
	if (outcome != base)
		SWEEP_CHECK(sweep_kmsg_names(err), "%s changes the outcome (%#x, not %#x) and the "
			      "log does not say %s:\n%s", at, outcome, base, strerror(err),
			      sweep_kmsg());
	/* (an ENOENT of lstat, read_file or listdir says a count, a mark or an upper is not
	 * there: nothing is due; the real kernel tells no such lie) */
	bool missing = err == ENOENT && (!strcmp(kind, "lstat") || !strcmp(kind, "read_file") ||
					 !strcmp(kind, "listdir"));
	if (!(row->flags & NEXT) || (missing && !(row->flags & RESET)))
		return;
	/* the next boot, on the same rw partition: the reset, set-aside or restore is finished */
	next_boots++;
	fake_save("/overlay/");
	boot_row_setup(row, false);
	SWEEP_CHECK(boot_row_run(row) == base, "%s: the next boot differs", at);
	if (row->flags & RESET)
		SWEEP_CHECK(kept_where(KEEP) == 2 && !fake_exists(MARK), "%s: the next boot did "
			    "not finish the reset:\n%s", at, fake_log());
	if (row->flags & (TRIES | RESTORE))
		SWEEP_CHECK(kept_where(KEEP) == 3 && !fake_exists(ASIDE_RESTORE), "%s: the next "
			    "boot did not finish the set-aside:\n%s", at, fake_log());
	if (row->flags & RESTORE)
		SWEEP_CHECK(kept_where(BACK) == 1, "%s: the next boot did not finish the restore:"
			    "\n%s", at, fake_log());
}

static const struct sweep_case boot_case = {
	.name = "boot", .rows = "command lines",
	.setup = boot_row_setup, .run = boot_row_run, .check = boot_row_check,
};

START_TEST(test_every_boot_failure)
{
	size_t n = sizeof(boot_rows) / sizeof(boot_rows[0]);

	sweep(&boot_case, boot_rows, n, sizeof(boot_rows[0]));
	printf("sweep: boot: and %u next boots, one after each failing boot that asked for a "
	       "reset, a set-aside or a restore\n", next_boots);
	boot_row_release();
}
END_TEST

Suite *sweep_suite(void)
{
	Suite *s = suite_create("sweep");
	TCase *t = tcase_create("sweep");

	tcase_add_test(t, test_every_boot_failure);
	sweep_cli_tests(t);
	suite_add_tcase(s, t);
	return s;
}
