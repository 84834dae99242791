/* The real sys_ops: the only files that make system calls with side effects are this table's
 * three parts, sys_linux_fs.c (mounts and files), sys_linux_dev.c (devices and ioctls) and
 * sys_linux_proc.c (processes), plus probe_blkid.c (libblkid). */
#include "sys_linux.h"

const struct sys_ops sys_linux = {
	.mount = sysl_mount, .umount = sysl_umount, .mkdir = sysl_mkdir, .rmdir = sysl_rmdir,
	.rename = sysl_rename, .stat = sysl_stat, .lstat = sysl_lstat, .access = sysl_access,
	.readlink = sysl_readlink, .copy_file = sysl_copy_file,
	.open = sysl_open, .fs_magic = sysl_fs_magic,
	.read_file = sysl_read_file, .write_file = sysl_write_file, .listdir = sysl_listdir,
	.finit_module = sysl_finit_module, .probe = sys_linux_probe, .blk_set_ro = sysl_blk_set_ro,
	.uevent_open = sysl_uevent_open, .uevent_wait = sysl_uevent_wait, .close = sysl_close,
	.remove_tree = sysl_remove_tree,
	.spawn_remove_tree = sysl_spawn_remove_tree, .pivot_root = sysl_pivot_root, .chroot = sysl_chroot,
	.chdir = sysl_chdir, .open_console = sysl_open_console, .execv = sysl_execv,
	.run_shell = sysl_run_shell, .reboot = sysl_reboot, .getpid = sysl_getpid, .now_ms = sysl_now_ms,
	.sleep_ms = sysl_sleep_ms,
	/* the overroot command (cli.c) */
	.geteuid = sysl_geteuid, .unlink = sysl_unlink, .symlink = sysl_symlink, .fsync = sysl_fsync,
	.fs_usage = sysl_fs_usage, .blk_get_ro = sysl_blk_get_ro, .unshare = sysl_unshare, .run = sysl_run,
	/* dm-verity */
	.dm_ioctl = sysl_dm_ioctl, .mknod_blk = sysl_mknod_blk, .read_at = sysl_read_at,
};
