/* Uppers set aside: kept, whole, in /overlay/.overroot-aside/ID (ID/upper, ID/work, the
 * record of the root they were made on, ID/.overroot-root, and why, ID/.overroot-aside-info),
 * never deleted but by rootrwkeep=. Set aside when the root changed (rootrwonchange=aside),
 * after rootrwtries= unconfirmed boots or an `overroot boot-bad`, and in place of one that
 * `overroot restore ID` brings back (its mark: /overlay/.overroot-restore). */
#ifndef OVERROOT_ASIDE_H
#define OVERROOT_ASIDE_H

#include <stddef.h>
#include "overroot/rootid.h"

#define ASIDE_DIR "/overlay/" ROOTID_ASIDE_NAME
#define ASIDE_INFO_NAME ".overroot-aside-info"	/* reason= time= boot= from= lines */
#define ASIDE_RESTORE "/overlay/.overroot-restore"
#define ASIDE_RESTORE_HEAD "overroot restore: "	/* then the ID and a newline */
#define ASIDE_TRASH "/overlay/.overroot-trash"	/* deleted in the background at boot */

/* A set-aside's ID from its directory's name: 0 when it is not one (a positive decimal). */
unsigned aside_id(const char *name);
/* A listdir callback: the IDs of a directory's set-asides into ids[1..ids[0]] (255 at most). */
int aside_collect(const char *name, void *arg);

/* The pending restore: 1 and its ID, 0 none, -errno for a mark that cannot be read safely
 * (why says what). */
int aside_restore_read(const struct sys_ops *sys, unsigned *ret, char *why, size_t size);

struct boot_ctx;
/* The upper of home (/overlay, or a slot's directory) set aside for reason, and in its place
 * a fresh one (src NULL) or the upper and work of src (a set-aside's directory), with this
 * root's record (ctx->rootid.id, when known). dir gets where the old one went ("" when there
 * was none). < 0 (why said): not done, or an interrupted move that the next boot finishes. */
int aside_move(struct boot_ctx *ctx, const char *home, const char *reason, const char *src,
	       char *dir, size_t dir_size, char *why, size_t size);
/* A pending `overroot restore ID`, for the upper of home. < 0: the overlay must not come up. */
int aside_restore(struct boot_ctx *ctx, const char *home, char *why, size_t size);
/* rootrwkeep=N: all but the newest N set-aside uppers into the trash. Failures are said. */
void aside_keep(struct boot_ctx *ctx);

#endif
