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
void fake_record(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fake_hit(const char *kind, const char *path);
int fake_writable(const char *path);

/* A block device node at path (make: made or replaced, with that number; else only found):
 * what probe() says of it, for the test to fill, or NULL when there is none. */
struct blkinfo *fake_blk_node(const char *path, unsigned major, unsigned minor, bool make);
/* The number of the block device path names (through links), without counting a call. */
bool fake_blk_num(const char *path, unsigned *ret_major, unsigned *ret_minor);

/* dm-verity (fake_dm.c): a device-mapper with devices made, loaded, resumed and removed as
 * the kernel does (major 253, /dev/dm-N appearing at create). A verity table whose root
 * hash is not good_hash reads EIO and turns its status to C; corrupt makes a good one C. */
void fake_dm_reset(void);
void fake_dm_good_hash(const char *hex);
void fake_dm_corrupt(bool corrupt);
/* What read_at() gives for path at offset (zeros elsewhere): a superblock, say. */
void fake_dm_bytes(const char *path, uint64_t offset, const void *data, size_t len);
/* A device the kernel made from dm-mod.create= (no initramfs): dm-minor with this table. */
void fake_dm_kernel_dev(const char *name, unsigned minor, const char *table);
/* The table line the live device name has ("" for none). */
const char *fake_dm_table(const char *name);
int fake_dm_ioctl(unsigned long cmd, struct dm_ioctl *io);
int fake_mknod_blk(const char *path, unsigned major, unsigned minor);
ssize_t fake_read_at(const char *path, uint64_t offset, void *buf, size_t len);

#endif
