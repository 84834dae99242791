/* `debug`: every sys_ops call logged with its arguments, its result and how long it took,
 * "sys: mount(/dev/vda3, /overlay, ext4, 0x400, "") = 0 (312 us)". A decorator around the
 * real ops, so the stages do not know it is there. */
#include <linux/dm-ioctl.h>
#include <linux/ioctl.h>
#include <sys/ioctl.h>
#include <string.h>
#include <time.h>
#include "overroot/log.h"
#include "overroot/sys.h"

static const struct sys_ops *in;

static uint64_t us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

#define S(p) ((p) ? (p) : "NULL")
/* Run CALL, log NAME(ARGS...) = result (duration). */
#define TRACE(type, call, fmt, ...)                                                          \
	do {                                                                                 \
		uint64_t t0_ = us();                                                         \
		type r_ = call;                                                              \
		log_debug("sys", fmt " = %lld (%llu us)", __VA_ARGS__, (long long)r_,       \
			  (unsigned long long)(us() - t0_));                                 \
		return r_;                                                                   \
	} while (0)

static int t_mount(const char *src, const char *target, const char *type, unsigned long flags,
		   const char *data)
{
	TRACE(int, in->mount(src, target, type, flags, data), "mount(%s, %s, %s, 0x%lx, \"%s\")",
	      S(src), target, S(type), flags, S(data));
}

static int t_umount(const char *target, int flags)
{
	TRACE(int, in->umount(target, flags), "umount2(%s, 0x%x)", target, (unsigned)flags);
}

static int t_mkdir(const char *path, mode_t mode)
{
	TRACE(int, in->mkdir(path, mode), "mkdir(%s, 0%o)", path, (unsigned)mode);
}

static int t_rmdir(const char *path)
{
	TRACE(int, in->rmdir(path), "rmdir(%s)", path);
}

static int t_rename(const char *from, const char *to)
{
	TRACE(int, in->rename(from, to), "rename(%s, %s)", from, to);
}

static ssize_t t_readlink(const char *path, char *buf, size_t size)
{
	TRACE(ssize_t, in->readlink(path, buf, size), "readlink(%s)", path);
}

static int t_copy_file(const char *from, const char *to, mode_t mode)
{
	TRACE(int, in->copy_file(from, to, mode), "copy_file(%s, %s, 0%o)", from, to,
	      (unsigned)mode);
}

static int t_stat(const char *path, struct stat *ret)
{
	TRACE(int, in->stat(path, ret), "stat(%s)", path);
}

static int t_lstat(const char *path, struct stat *ret)
{
	TRACE(int, in->lstat(path, ret), "lstat(%s)", path);
}

static int t_access(const char *path, int mode)
{
	TRACE(int, in->access(path, mode), "access(%s, %d)", path, mode);
}

static int t_open(const char *path, int flags)
{
	TRACE(int, in->open(path, flags), "open(%s, 0x%x)", path, (unsigned)flags);
}

static int t_fs_magic(const char *path, unsigned long *ret)
{
	TRACE(int, in->fs_magic(path, ret), "statfs(%s)", path);
}

static ssize_t t_read_file(const char *path, char *buf, size_t size)
{
	TRACE(ssize_t, in->read_file(path, buf, size), "read(%s)", path);
}

static int t_write_file(const char *path, const void *data, size_t len)
{
	TRACE(int, in->write_file(path, data, len), "write(%s, %zu bytes)", path, len);
}

static int t_listdir(const char *path, sys_dirent_fn fn, void *arg)
{
	TRACE(int, in->listdir(path, fn, arg), "readdir(%s)", path);
}

static int t_finit_module(const char *path, const char *params)
{
	TRACE(int, in->finit_module(path, params), "finit_module(%s)", path);
}

static int t_probe(const char *devpath, unsigned what, struct blkinfo *ret)
{
	TRACE(int, in->probe(devpath, what, ret), "blkid_probe(%s, %s%s)", devpath,
	      what & PROBE_FS ? "fs" : "", what & PROBE_PART ? "+part" : "");
}

static int t_blk_set_ro(const char *devpath, bool ro)
{
	TRACE(int, in->blk_set_ro(devpath, ro), "ioctl(%s, BLKROSET, %d)", devpath, ro);
}

static int t_uevent_open(void)
{
	TRACE(int, in->uevent_open(), "socket(NETLINK_KOBJECT_UEVENT)%s", "");
}

static int t_uevent_wait(int fd, int timeout_ms)
{
	TRACE(int, in->uevent_wait(fd, timeout_ms), "poll(%d, %d ms)", fd, timeout_ms);
}

static void t_close(int fd)
{
	log_debug("sys", "close(%d)", fd);
	in->close(fd);
}

static int t_remove_tree(const char *dir)
{
	TRACE(int, in->remove_tree(dir), "remove_tree(%s)", dir);
}

static int t_spawn_remove_tree(const char *dir)
{
	TRACE(int, in->spawn_remove_tree(dir), "spawn_remove_tree(%s)", dir);
}

static int t_pivot_root(const char *new_root, const char *put_old)
{
	TRACE(int, in->pivot_root(new_root, put_old), "pivot_root(%s, %s)", new_root, put_old);
}

static int t_chroot(const char *path)
{
	TRACE(int, in->chroot(path), "chroot(%s)", path);
}

static int t_chdir(const char *path)
{
	TRACE(int, in->chdir(path), "chdir(%s)", path);
}

static int t_open_console(const char *path)
{
	TRACE(int, in->open_console(path), "console(%s)", path);
}

static int t_execv(const char *path, char *const argv[], char *const envp[])
{
	log_debug("sys", "execve(%s)", path);	/* only returns on failure */
	TRACE(int, in->execv(path, argv, envp), "execve(%s)", path);
}

static int t_run_shell(const char *path)
{
	TRACE(int, in->run_shell(path), "run_shell(%s)", path);
}

static int t_reboot(int cmd)
{
	TRACE(int, in->reboot(cmd), "reboot(0x%x)", (unsigned)cmd);
}

static int t_getpid(void)
{
	return in->getpid();
}

static uint64_t t_now_ms(void)
{
	return in->now_ms();
}

static void t_sleep_ms(unsigned ms)
{
	log_debug("sys", "sleep(%u ms)", ms);
	in->sleep_ms(ms);
}

/* --- the overroot command (cli.c) --- */

static int t_geteuid(void)
{
	return in->geteuid();
}

static int t_unlink(const char *path)
{
	TRACE(int, in->unlink(path), "unlink(%s)", path);
}

static int t_symlink(const char *target, const char *path)
{
	TRACE(int, in->symlink(target, path), "symlink(%s, %s)", target, path);
}

static int t_fsync(const char *path)
{
	TRACE(int, in->fsync(path), "fsync(%s)", path);
}

static int t_fs_usage(const char *path, uint64_t *ret_size, uint64_t *ret_free,
		      uint64_t *ret_avail)
{
	TRACE(int, in->fs_usage(path, ret_size, ret_free, ret_avail), "statvfs(%s)", path);
}

static int t_blk_get_ro(const char *devpath)
{
	TRACE(int, in->blk_get_ro(devpath), "ioctl(%s, BLKROGET)", devpath);
}

static int t_unshare(int flags)
{
	TRACE(int, in->unshare(flags), "unshare(0x%x)", (unsigned)flags);
}

static int t_run(const char *root, char *const argv[])
{
	TRACE(int, in->run(root, argv), "run(%s, %s)", root, argv[0]);
}

/* dm-verity */
static int t_dm_ioctl(unsigned long cmd, struct dm_ioctl *io)
{
	TRACE(int, in->dm_ioctl(cmd, io), "ioctl(/dev/mapper/control, DM_%u, %s, flags 0x%x)",
	      (unsigned)_IOC_NR(cmd), io->name, (unsigned)io->flags);
}

static int t_mknod_blk(const char *path, unsigned major, unsigned minor)
{
	TRACE(int, in->mknod_blk(path, major, minor), "mknod(%s, S_IFBLK, %u:%u)", path, major,
	      minor);
}

static ssize_t t_read_at(const char *path, uint64_t offset, void *buf, size_t len)
{
	TRACE(ssize_t, in->read_at(path, offset, buf, len), "pread(%s, %zu, %llu)", path, len,
	      (unsigned long long)offset);
}

static const struct sys_ops trace_ops = {
	.mount = t_mount, .umount = t_umount, .mkdir = t_mkdir, .rmdir = t_rmdir,
	.rename = t_rename, .stat = t_stat, .lstat = t_lstat, .access = t_access,
	.readlink = t_readlink, .copy_file = t_copy_file,
	.open = t_open, .fs_magic = t_fs_magic, .read_file = t_read_file,
	.write_file = t_write_file, .listdir = t_listdir, .finit_module = t_finit_module,
	.probe = t_probe, .blk_set_ro = t_blk_set_ro, .uevent_open = t_uevent_open,
	.uevent_wait = t_uevent_wait, .close = t_close, .remove_tree = t_remove_tree,
	.spawn_remove_tree = t_spawn_remove_tree, .pivot_root = t_pivot_root,
	.chroot = t_chroot, .chdir = t_chdir, .open_console = t_open_console,
	.execv = t_execv, .run_shell = t_run_shell, .reboot = t_reboot, .getpid = t_getpid,
	.now_ms = t_now_ms, .sleep_ms = t_sleep_ms,
	/* the overroot command (cli.c) */
	.geteuid = t_geteuid, .unlink = t_unlink, .symlink = t_symlink, .fsync = t_fsync,
	.fs_usage = t_fs_usage, .blk_get_ro = t_blk_get_ro, .unshare = t_unshare, .run = t_run,
	/* dm-verity */
	.dm_ioctl = t_dm_ioctl, .mknod_blk = t_mknod_blk, .read_at = t_read_at,
};

const struct sys_ops *sys_trace(const struct sys_ops *inner)
{
	in = inner;
	return &trace_ops;
}
