/* The upper belongs to its root. Beside each upper, a record says which root it was made on
 * (/overlay/.overroot-root for /overlay/upper); every boot compares it with the root it
 * mounted, and on a change rootrwonchange= decides: aside (the default: the old upper, its
 * work and its record moved, whole, into /overlay/.overroot-aside/N, and a fresh upper
 * started), keep (the old upper on the new root, as before, said at every boot) or slot (one
 * upper per root, /overlay/.overroot-slots/KEY/, for A/B; nothing is moved). */
#ifndef OVERROOT_ROOTID_H
#define OVERROOT_ROOTID_H

#include <stddef.h>
#include "overroot/sys.h"

#define ROOTID_STAMP_NAME ".overroot-root"	/* beside upper/, in the same directory */
#define ROOTID_STAMP_HEAD "overroot upper made on root: "
#define ROOTID_ASIDE_NAME ".overroot-aside"	/* N/upper, N/work, N/.overroot-root: kept */
#define ROOTID_SLOTS_NAME ".overroot-slots"	/* KEY/upper, KEY/work, KEY/.overroot-root */
#define ROOTID_MAX 256

/* What the boot found, for the status file. */
enum rootid_state {
	ROOTID_NONE,		/* not looked at: no overlay, or a tmpfs upper */
	ROOTID_SAME,		/* the upper was made on this root */
	ROOTID_FIRST,		/* nothing recorded yet: this root recorded now */
	ROOTID_CHANGED,		/* the upper was made on another root */
	ROOTID_UNKNOWN,		/* the identity or the record could not be read: upper as is */
};

struct rootid {
	char id[ROOTID_MAX];	/* this boot's root, one line: "uuid=... ID=... VERSION_ID=..." */
	char was[ROOTID_MAX];	/* the root the upper was made on, when it changed */
	enum rootid_state state;
	char action[256];	/* what was done about it, one line */
	char upper[96];		/* the upper and work directories chosen, under /overlay */
	char work[96];
};

/* The identity of the root filesystem on dev, mounted at root: its filesystem UUID and the
 * build lines of its os-release (ID, VERSION_ID, BUILD_ID, IMAGE_ID, IMAGE_VERSION), read
 * without following a symbolic link. 0, or -errno with why said (a probe or read error, or
 * nothing to tell one root from another). */
int rootid_read(const struct sys_ops *sys, const char *dev, const char *root, char *ret,
		size_t size, char *why, size_t why_size);

/* The record in dir (the rw partition's mount point): 1 and the identity in ret; 0: none;
 * -errno: something there that cannot be read safely (why says what). */
int rootid_stamp_read(const struct sys_ops *sys, const char *dir, char *ret, size_t size,
		      char *why, size_t why_size);

/* Record id in dir: written under a temporary name, synced, renamed into place, the
 * directory synced: a power cut leaves the old record or the new one. */
int rootid_stamp_write(const struct sys_ops *sys, const char *dir, const char *id);
/* Its two halves: written and synced under the temporary name (the space it takes is taken
 * here), then renamed into place and the directory synced. */
int rootid_stamp_prepare(const struct sys_ops *sys, const char *dir, const char *id);
int rootid_stamp_commit(const struct sys_ops *sys, const char *dir);

/* upper, work, rofs ... must be real directories on a partition that is not trusted: lstat,
 * mkdir when missing, never through a symbolic link. why says what failed. */
int rootid_ensure_dir(const struct sys_ops *sys, const char *path, char *why, size_t size);

const char *rootid_state_name(enum rootid_state s);

struct boot_ctx;
/* The overlayroot stage's hook, once the rw partition is mounted on /overlay and before
 * the upper is used: read this root's identity and the record, apply rootrwonchange=, and
 * fill ctx->rootid (upper, work, what was done). < 0 (why said): the overlay must not be
 * brought up (a move aside that could not be finished or undone is never half-used). */
int rootid_choose_upper(struct boot_ctx *ctx, char *why, size_t size);

#endif
