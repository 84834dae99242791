/* Uppers set aside: kept, whole, in /overlay/.overroot-aside/N (N/upper, N/work and the
 * record of the root they were made on, N/.overroot-root), never deleted by the move. */
#ifndef OVERROOT_ASIDE_H
#define OVERROOT_ASIDE_H

#include <stddef.h>
#include "overroot/rootid.h"

struct boot_ctx;
/* rootrwonchange=aside: the upper of /overlay set aside and a fresh one started, with this
 * root's record (ctx->rootid.id). dir gets where it went ("" when there was no upper: then
 * only the record is replaced). < 0 (why said): not done, or an interrupted move that the
 * next boot finishes. */
int aside_move(struct boot_ctx *ctx, char *dir, size_t dir_size, char *why, size_t size);

#endif
