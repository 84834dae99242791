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
/* Make the nth call (from 1) of any kind fail with -err: the failure sweep's "call k". */
void fake_fail_call(unsigned nth, int err);
/* Calls of every kind counted so far (the calls that can fail: not getpid, now_ms,
 * sleep_ms, geteuid, close), and the kind of the nth (NULL past the end). */
unsigned fake_calls(void);
const char *fake_call_kind(unsigned nth);
/* The call an injected failure hit, with its path ("" for none); NULL when none fired. */
const char *fake_failed_kind(const char **ret_path);
/* Where the log goes once overroot opens /dev/kmsg: open() returns fd for it (-1, the
 * default: a made-up number like any other open). */
void fake_set_kmsg(int fd);
/* The kernel's read-only flag as blk_set_ro last set it on devpath: 1, 0, -1 never set. */
int fake_blk_ro_flag(const char *devpath);
/* Keep what is below prefix ("/overlay/": the rw partition) across fake_reset(): save it
 * now, put it back into a fresh machine later, as a reboot does. */
void fake_save(const char *prefix);
void fake_restore(void);
/* How many nodes below prefix end in suffix; ret gets the first one's path. */
unsigned fake_find(const char *prefix, const char *suffix, char *ret, size_t size);
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
/* /proc/self/mountinfo as read_file() gives it, without counting a call. */
const char *fake_mountinfo(char *buf, size_t size);
/* Is a path present (file, dir or device)? */
int fake_exists(const char *path);
const char *fake_content(const char *path);
uint64_t fake_now(void);
/* The overroot command's (cli.c): the effective uid, what BLKROGET says for any block
 * device (1: read-only), and the exit status run() returns (all reset to 0, 1, 0). */
void fake_cli_set(int uid, int ro, int status);
/* Called by run() (the command run in a chroot), to change what it would change. */
void fake_on_run(void (*fn)(void));
/* What fs_usage() says: size, free, free for unprivileged users (bytes). */
void fake_set_usage(uint64_t size, uint64_t free_bytes, uint64_t avail);

/* For the fake's other parts (tests/unit/fake_*.c, one per group of ops): the bookkeeping
 * every op does. fake_record adds a line to the log; fake_hit counts a call of kind (on
 * path, or NULL) and returns the injected -errno for it, or 0; fake_writable is -EROFS when
 * path is on a read-only mount. */
/* Boot counting's ops (fake_heal.c): fallocate makes a regular file of that size (its
 * content says it, "reserve N"), wall_s is FAKE_WALL_S. */
#define FAKE_WALL_S 1764763200ull	/* 2025-12-03 12:00 UTC */
int fake_fallocate(const char *path, uint64_t len);
uint64_t fake_wall_s(void);

void fake_record(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fake_hit(const char *kind, const char *path);
int fake_writable(const char *path);

#endif
