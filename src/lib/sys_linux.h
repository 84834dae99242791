/* Inside sys_linux: the real ops, for the table in sys_linux.c. Only src/lib/sys_linux*.c
 * and probe_blkid.c include this; everything else reaches them through struct sys_ops. */
#ifndef OVERROOT_SYS_LINUX_H
#define OVERROOT_SYS_LINUX_H

#include <errno.h>
#include "overroot/config.h"
#include "overroot/sys.h"

/* 0, or -errno of the call that just failed */
#define NEG(expr) ((expr) < 0 ? -errno : 0)

/* mounts and files: sys_linux_fs.c */
int sysl_mount(const char *src, const char *target, const char *type, unsigned long flags,
	const char *data);
int sysl_umount(const char *target, int flags);
int sysl_mkdir(const char *path, mode_t mode);
int sysl_rmdir(const char *path);
int sysl_rename(const char *from, const char *to);
int sysl_stat(const char *path, struct stat *ret);
int sysl_lstat(const char *path, struct stat *ret);
int sysl_access(const char *path, int mode);
ssize_t sysl_readlink(const char *path, char *buf, size_t size);
int sysl_open(const char *path, int flags);
int sysl_fs_magic(const char *path, unsigned long *ret);
ssize_t sysl_read_file(const char *path, char *buf, size_t size);
int sysl_write_file(const char *path, const void *data, size_t len);
int sysl_copy_file(const char *from, const char *to, mode_t mode);
int sysl_listdir(const char *path, sys_dirent_fn fn, void *arg);
int sysl_remove_tree(const char *dir);
int sysl_spawn_remove_tree(const char *dir);
int sysl_unlink(const char *path);
int sysl_symlink(const char *target, const char *path);
int sysl_fsync(const char *path);
int sysl_fs_usage(const char *path, uint64_t *ret_size, uint64_t *ret_free, uint64_t *ret_avail);

/* devices and ioctls: sys_linux_dev.c, and libblkid's probe in probe_blkid.c */
int sysl_finit_module(const char *path, const char *params);
int sysl_blk_set_ro(const char *devpath, bool ro);
int sysl_uevent_open(void);
int sysl_uevent_wait(int fd, int timeout_ms);
void sysl_close(int fd);
int sysl_blk_get_ro(const char *devpath);
int sysl_dm_ioctl(unsigned long cmd, struct dm_ioctl *io);
int sysl_mknod_blk(const char *path, unsigned major, unsigned minor);
ssize_t sysl_read_at(const char *path, uint64_t offset, void *buf, size_t len);
int sys_linux_probe(const char *devpath, unsigned what, struct blkinfo *ret);

/* processes: sys_linux_proc.c */
int sysl_pivot_root(const char *new_root, const char *put_old);
int sysl_chroot(const char *path);
int sysl_chdir(const char *path);
int sysl_open_console(const char *path);
int sysl_execv(const char *path, char *const argv[], char *const envp[]);
int sysl_run_shell(const char *path);
int sysl_reboot(int cmd);
int sysl_getpid(void);
uint64_t sysl_now_ms(void);
void sysl_sleep_ms(unsigned ms);
int sysl_geteuid(void);
int sysl_unshare(int flags);
int sysl_run(const char *root, char *const argv[]);
#endif
