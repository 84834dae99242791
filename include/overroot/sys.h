/* The syscall seam: every side effect overroot has goes through one of these.
 * Each returns 0 (or a count) on success and -errno on failure, never sets errno for the
 * caller to read. src/lib/sys_linux.c is the real one; tests/unit/fake_sys.c records calls. */
#ifndef OVERROOT_SYS_H
#define OVERROOT_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* What libblkid says about a block device; empty strings where it has nothing. */
struct blkinfo {
	char type[32];		/* filesystem: "ext4", "vfat", ... */
	char label[128];
	char uuid[64];
	char partuuid[64];	/* MBR "xxxxxxxx-NN" or GPT, lower case */
	char partlabel[128];	/* GPT partition name */
	char pttype[16];	/* a partition table on it: "dos", "gpt" (a whole disk) */
};

/* What probe() reads: each costs I/O and, under emulation, a lot of first-run code. */
#define PROBE_FS	1u	/* filesystem signatures: type, label, uuid */
#define PROBE_PART	2u	/* the partition table: partuuid, partlabel, pttype */

struct dm_ioctl;

typedef int (*sys_dirent_fn)(const char *name, void *arg);	/* non-zero stops */

struct sys_ops {
	int (*mount)(const char *src, const char *target, const char *type,
		     unsigned long flags, const char *data);
	int (*umount)(const char *target, int flags);
	int (*mkdir)(const char *path, mode_t mode);
	int (*rmdir)(const char *path);
	int (*rename)(const char *from, const char *to);
	int (*stat)(const char *path, struct stat *ret);
	int (*lstat)(const char *path, struct stat *ret);
	int (*access)(const char *path, int mode);
	/* The target of the symbolic link path, NUL-terminated; returns its length
	 * (-ENAMETOOLONG when it does not fit). */
	ssize_t (*readlink)(const char *path, char *buf, size_t size);
	int (*open)(const char *path, int flags);	/* returns the fd */
	/* statfs(2)'s f_type of the filesystem path is on (RAMFS_MAGIC, TMPFS_MAGIC...) */
	int (*fs_magic)(const char *path, unsigned long *ret);
	/* Read at most size-1 bytes, NUL-terminate; returns the length. */
	ssize_t (*read_file)(const char *path, char *buf, size_t size);
	/* Create or truncate path (mode 0644) and write len bytes. */
	int (*write_file)(const char *path, const void *data, size_t len);
	/* Copy the file from to the new file to (never through a symlink), with mode. */
	int (*copy_file)(const char *from, const char *to, mode_t mode);
	/* Calls fn for every entry but "." and ".."; order is the directory's. */
	int (*listdir)(const char *path, sys_dirent_fn fn, void *arg);
	int (*finit_module)(const char *path, const char *params);
	/* Fill the fields of ret that what (PROBE_*) asks for; the others are left empty. */
	int (*probe)(const char *devpath, unsigned what, struct blkinfo *ret);
	int (*blk_set_ro)(const char *devpath, bool ro);
	/* Kernel uevents (NETLINK_KOBJECT_UEVENT): open a listener, then wait until one
	 * arrives (> 0), timeout_ms passes (0; -1 waits forever) or an error (-errno). */
	int (*uevent_open)(void);
	int (*uevent_wait)(int fd, int timeout_ms);
	void (*close)(int fd);
	/* Remove everything below dir (not dir itself) without crossing into other
	 * filesystems: entries whose st_dev differs from dir's are left alone. */
	int (*remove_tree)(const char *dir);
	/* The same, in a background child at idle priority that outlives the hand-over
	 * (the real init reaps it): it works on a directory fd taken before the fork, so
	 * the mounts moving under it do not matter. Returns once the child is started. */
	int (*spawn_remove_tree)(const char *dir);
	int (*pivot_root)(const char *new_root, const char *put_old);
	int (*chroot)(const char *path);
	int (*chdir)(const char *path);
	/* Make fds 0, 1, 2 the console device path. */
	int (*open_console)(const char *path);
	int (*execv)(const char *path, char *const argv[], char *const envp[]);
	/* fork, exec path with no arguments, wait for it; returns its exit status. */
	int (*run_shell)(const char *path);
	int (*reboot)(int cmd);
	int (*getpid)(void);
	uint64_t (*now_ms)(void);	/* CLOCK_MONOTONIC */
	void (*sleep_ms)(unsigned ms);
	/* the overroot command (cli.c) */
	int (*geteuid)(void);
	int (*unlink)(const char *path);	/* a symlink itself, never what it points to */
	int (*symlink)(const char *target, const char *path);
	int (*fsync)(const char *path);		/* a file, or a directory's entries */
	/* statvfs(2) of the filesystem path is on, in bytes: its size, what is free, and what
	 * of that unprivileged users may take */
	int (*fs_usage)(const char *path, uint64_t *ret_size, uint64_t *ret_free,
			uint64_t *ret_avail);
	int (*blk_get_ro)(const char *devpath);	/* BLKROGET: 1 read-only, 0 not, or -errno */
	int (*unshare)(int flags);
	/* fork; the child chroots to root and chdirs to / there, then execvp's argv[0]; waits
	 * (ignoring SIGINT and SIGQUIT meanwhile, as system(3)); returns the exit status, 128+N
	 * for signal N, 127 when argv[0] could not be run. */
	int (*run)(const char *root, char *const argv[]);
	/* dm-verity (dm.c, verity.c): one device-mapper ioctl on /dev/mapper/control (the
	 * answer in io), a block device node, and len bytes read at offset of a device
	 * (returns the count read) */
	int (*dm_ioctl)(unsigned long cmd, struct dm_ioctl *io);
	int (*mknod_blk)(const char *path, unsigned major, unsigned minor);
	ssize_t (*read_at)(const char *path, uint64_t offset, void *buf, size_t len);
};

extern const struct sys_ops sys_linux;

/* `debug`: the same ops, each call logged with its arguments, result and duration. */
const struct sys_ops *sys_trace(const struct sys_ops *inner);

#endif
