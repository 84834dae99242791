/* A fake sys_ops for unit tests: a tiny in-memory filesystem with mounts, every call
 * recorded as one line ("mount /dev/vda3 /overlay ext4 0x400 \"noatime\""), and failure
 * injection for the Nth call of a kind. */
#ifndef FAKE_SYS_H
#define FAKE_SYS_H

#include "overroot/sys.h"

extern const struct sys_ops fake_sys;

void fake_reset(void);
/* The initramfs as the kernel unpacks it: / /proc /sys /dev /run /rootfs /overlay /etc
 * /lib /dev/console /init. */
void fake_initramfs(void);
void fake_dir(const char *path);
void fake_remove(const char *path);
void fake_file(const char *path, const char *content, mode_t mode);
/* A symbolic link path -> target (stat and access follow it as the initramfs sees it). */
void fake_link(const char *path, const char *target);
/* A block device: /dev/<name>, /sys/class/block/<name>/dev, and what probe() says. */
void fake_blk(const char *name, unsigned major, unsigned minor, const struct blkinfo *info);
/* Make the nth call (from 1) of kind ("mount", "mkdir", ...) fail with -err. */
void fake_fail(const char *kind, unsigned nth, int err);
/* Make every call of kind on path fail with -err. */
void fake_fail_path(const char *kind, const char *path, int err);
/* Called at each uevent_wait, with the 1-based wait number: tests add devices there. */
void fake_on_wait(void (*fn)(unsigned nth));
void fake_set_pid(int pid);
/* No initramfs: / is the root the kernel mounted from the block device major:minor (ext4),
 * read-only unless rw. pivot_root(new, put_old) then works as the kernel's does, except that
 * /proc/, /sys/ and /dev/ keep what is below them: the fake has one view of the kernel's
 * files, wherever proc, sysfs and devtmpfs are mounted. */
void fake_kernel_root(unsigned major, unsigned minor, bool rw);
/* What fs_magic says for that root (ext4's by default). */
void fake_set_root_magic(unsigned long magic);
/* Everything recorded so far, one line a call. */
const char *fake_log(void);
/* Calls of kind recorded so far. */
unsigned fake_count(const char *kind);
/* Is a path present (file, dir or device)? */
int fake_exists(const char *path);
const char *fake_content(const char *path);
uint64_t fake_now(void);
/* The overroot command's (cli.c): the effective uid, what BLKROGET says for any block
 * device (1: read-only), and the exit status run() returns (all reset to 0, 1, 0). */
void fake_cli_set(int uid, int ro, int status);
/* What fs_usage() says: size, free, free for unprivileged users (bytes). */
void fake_set_usage(uint64_t size, uint64_t free_bytes, uint64_t avail);

#endif
