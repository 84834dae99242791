/* Boot counting (bootcount.h). The count is one small file beside the upper, replaced whole
 * by a rename; the rw partition is not trusted (lstat, a strict format), and what cannot be
 * read safely is said and counted from 0 again, never acted on. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "overroot/aside.h"
#include "overroot/boot.h"
#include "overroot/bootcount.h"
#include "overroot/log.h"

#define OVL "/overlay"

int bootcount_put(const struct sys_ops *sys, const char *path, const char *text)
{
	char tmp[200], dir[200];
	int r;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(path, '/') - path), path);
	if ((r = sys->write_file(tmp, text, strlen(text))) < 0 || (r = sys->fsync(tmp)) < 0 ||
	    (r = sys->rename(tmp, path)) < 0)
		return r;
	return sys->fsync(dir[0] ? dir : "/");
}

int bootcount_read(const struct sys_ops *sys, const char *dir, struct bootcount *ret, char *why,
		   size_t size)
{
	char path[160], text[64];
	int at = 0;

	memset(ret, 0, sizeof(*ret));
	snprintf(path, sizeof(path), "%s/" BOOTCOUNT_NAME, dir);
	int r = rootid_read_regular(sys, path, text, sizeof(text));
	if (r == -ENOENT)
		return 0;
	/* "overroot boot S, unconfirmed K\n", or "... K bad\n" */
	if (r == 0 && (sscanf(text, BOOTCOUNT_HEAD "%u, unconfirmed %u%n", &ret->seq, &ret->count,
			      &at) != 2 || !at || (strcmp(text + at, "\n") &&
						   !(ret->bad = !strcmp(text + at, " bad\n")))))
		r = -EBADMSG;
	if (r < 0) {
		memset(ret, 0, sizeof(*ret));
		snprintf(why, size, "boot count %s: %s", path, rootid_unsafe(r));
	}
	return r < 0 ? r : 1;
}

int bootcount_write(const struct sys_ops *sys, const char *dir, const struct bootcount *bc)
{
	char path[160], text[64];

	snprintf(path, sizeof(path), "%s/" BOOTCOUNT_NAME, dir);
	snprintf(text, sizeof(text), BOOTCOUNT_HEAD "%u, unconfirmed %u%s\n", bc->seq, bc->count,
		 bc->bad ? " bad" : "");
	return bootcount_put(sys, path, text);
}

/* A full data partition (even for root: ENOSPC) must not stop the count, a set-aside or the
 * overlay's own work directory: the reserve is given back first (unlink, and the directory
 * synced, which commits the journal: ext4 reuses freed blocks only after that), and made
 * again once the overlay is up (bootcount_mounted). */
static void reserve_give_back(struct boot_ctx *ctx)
{
	const struct sys_ops *sys = ctx->sys;
	uint64_t size, free_bytes, avail;
	struct stat st;

	/* avail, not free: ext4 counts as free the 2% it keeps for itself (s_resv_clusters),
	 * which root cannot use either, and only avail leaves it out (with root's 5%): a
	 * partition full for root can still say 400 KiB free of 20 MiB */
	if (sys->fs_usage(OVL, &size, &free_bytes, &avail) == 0 && size &&
	    avail < 2 * CONFIG_RESERVE_BYTES) {
		ctx->heal.reserve_make = true;
		int r = sys->unlink(BOOTCOUNT_RESERVE);
		if (r == 0)
			r = sys->fsync(OVL);
		log_notice("overlayroot", "the data partition is nearly full (%llu KiB available "
			   "to users): reserve " BOOTCOUNT_RESERVE " given back for this boot (%s)",
			   (unsigned long long)avail / 1024, r == 0 ? "done" : r == -ENOENT ?
			   "none there" : strerror(-r));
	} else {
		ctx->heal.reserve_make = sys->lstat(BOOTCOUNT_RESERVE, &st) == -ENOENT;
	}
}

int bootcount_boot(struct boot_ctx *ctx, bool reset, char *why, size_t size)
{
	const struct sys_ops *sys = ctx->sys;
	struct heal *h = &ctx->heal;
	unsigned n = ctx->p.rootrwtries;
	struct bootcount bc = { 0 };
	char home[96], dir[96], reason[64], why2[192];
	int r;

	if (!strcmp(ctx->rw_type, "tmpfs")) {
		if (n)
			log_info("overlayroot", "rootrwtries=%u: a tmpfs upper is new at every "
				 "boot: nothing to count", n);
		return 0;
	}
	snprintf(home, sizeof(home), "%.*s", (int)(strrchr(ctx->rootid.upper, '/') -
						   ctx->rootid.upper), ctx->rootid.upper);
	if (n)
		reserve_give_back(ctx);
	if ((r = aside_restore(ctx, home, why, size)) < 0)
		return r;
	/* what is not a count is replaced; a count that cannot be read now is kept */
	if (n && (r = bootcount_read(sys, home, &bc, why2, sizeof(why2))) < 0) {
		if (!BOOTCOUNT_UNSAFE(r)) {
			snprintf(why, size, "%s (rootrwtries=%u)", why2, n);
			return r;
		}
		log_err("overlayroot", "%s: ignored, the count starts again", why2);
	}
	if (n && !h->aside[0] && !reset && (bc.bad || bc.count >= n)) {
		if (bc.bad)
			snprintf(reason, sizeof(reason), "declared bad (overroot boot-bad)");
		else
			snprintf(reason, sizeof(reason), "%u unconfirmed boots (rootrwtries=%u)",
				 bc.count, n);
		h->seq = bc.seq + 1;
		if ((r = aside_move(ctx, home, reason, NULL, dir, sizeof(dir), why, size)) < 0)
			return r;
		if (dir[0])
			log_warn("overlayroot", "upper set aside after %s: kept, whole, in %s; "
				 "this boot starts a fresh upper", reason, dir);
		else
			log_notice("overlayroot", "%s: no upper to set aside", reason);
		bc.count = 0;
	}
	if (n) {
		/* a fresh upper (set aside, restored, reset) starts its count again */
		bc.count = h->aside[0] || reset ? 1 : bc.count + 1;
		bc.seq++;
		bc.bad = false;
		if ((r = bootcount_write(sys, home, &bc)) < 0) {
			snprintf(why, size, "count this boot in %s/" BOOTCOUNT_NAME ": %s "
				 "(rootrwtries=%u)", home, strerror(-r), n);
			return r;
		}
		h->seq = bc.seq;
		h->count = bc.count;
	}
	aside_keep(ctx);
	return 0;
}

void bootcount_mounted(struct boot_ctx *ctx)
{
	const struct sys_ops *sys = ctx->sys;
	struct heal *h = &ctx->heal;
	uint64_t avail;
	unsigned ids[256] = { 0 };
	int r;

	if (!strcmp(ctx->rw_type, "tmpfs"))
		return;
	/* what this boot took of it is not there any more: as much as there is, then */
	for (uint64_t len = CONFIG_RESERVE_BYTES; ctx->p.rootrwtries && h->reserve_make; len /= 2)
		if ((r = sys->fallocate(BOOTCOUNT_RESERVE, len)) == 0 || r != -ENOSPC ||
		    len <= 4096) {
			if (r < 0)
				log_warn("overlayroot", "make the reserve " BOOTCOUNT_RESERVE
					 ": %s: a full data partition could stop the next boot's "
					 "count (tried again then)", strerror(-r));
			break;
		}
	if (sys->fs_usage(OVL, &h->data_size, &h->data_free, &avail) < 0 ||
	    h->data_free >= h->data_size / 10)
		return;
	struct stat st;
	char held[160] = "";
	if (sys->lstat(ASIDE_DIR, &st) == 0 && sys->listdir(ASIDE_DIR, aside_collect, ids) == 0 &&
	    ids[0])
		snprintf(held, sizeof(held), "; %u set-aside uppers in " ASIDE_DIR " hold part of "
			 "it (overroot status lists them; rootrwkeep=N keeps the newest N)",
			 ids[0]);
	log_warn("overlayroot", "the data partition is low: %llu KiB free of %llu KiB%s",
		 (unsigned long long)h->data_free / 1024, (unsigned long long)h->data_size / 1024,
		 held);
}
