/* Uppers set aside (aside.h). The rw partition is not trusted: everything on it is looked at
 * with lstat, and every change to it is a rename, so a power cut leaves it before or after,
 * never between; the next boot finishes what a cut interrupted. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "overroot/aside.h"
#include "overroot/boot.h"
#include "overroot/log.h"

#define OVL "/overlay"
#define ASIDE ASIDE_DIR

unsigned aside_id(const char *name)
{
	unsigned n = 0;
	const char *c = name;

	for (; *c >= '0' && *c <= '9' && n < 100000000; c++)
		n = n * 10 + (unsigned)(*c - '0');
	return *c || name[0] == '0' ? 0 : n;
}

static int scan_aside(const char *name, void *arg)
{
	unsigned *max = arg, n = aside_id(name);

	if (n > *max)
		*max = n;
	return 0;
}

/* Is ASIDE/id whole? Its record (the last thing a move of an upper with a record renames) or
 * its info (the commit of every move) says so: 1 yes, 0 no, -errno (why said). */
static int aside_whole(const struct sys_ops *sys, unsigned id, char *why, size_t size)
{
	static const char *const marks[] = { ROOTID_STAMP_NAME, ASIDE_INFO_NAME };
	char path[160];
	struct stat st;

	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), ASIDE "/%u/%s", id, marks[i]);
		int r = sys->lstat(path, &st);
		if (r == 0)
			return 1;
		if (r != -ENOENT) {
			snprintf(why, size, "%s: %s", path, strerror(-r));
			return r;
		}
	}
	return 0;
}

/* Phase one: everything that takes space. ASIDE/ID, a fresh upper.new and work.new (for a
 * fresh upper), why it is set aside (ID's info, under its temporary name) and the new record
 * (under its own); a full partition stops here, nothing moved. */
static int prepare(struct boot_ctx *ctx, const char *home, const char *reason, const char *src,
		   const char *dir, char *why, size_t size)
{
	const struct sys_ops *sys = ctx->sys;
	char path[192], text[320];
	int r;

	if ((r = rootid_ensure_dir(sys, dir, why, size)) < 0)
		return r;
	for (size_t i = 0; !src && i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s.new", home, i ? "work" : "upper");
		if ((r = rootid_ensure_dir(sys, path, why, size)) < 0)
			return r;
	}
	int n = snprintf(text, sizeof(text), "reason=%s\ntime=%llu\nboot=%u\nfrom=%s\n", reason,
			 (unsigned long long)sys->wall_s(), ctx->heal.seq, home);
	snprintf(path, sizeof(path), "%s/" ASIDE_INFO_NAME ".tmp", dir);
	if ((r = sys->write_file(path, text, (size_t)n)) < 0 || (r = sys->fsync(path)) < 0 ||
	    (ctx->rootid.state != ROOTID_UNKNOWN &&
	     (r = rootid_stamp_prepare(sys, home, ctx->rootid.id)) < 0))
		snprintf(why, size, "set the upper aside in %s: write its records: %s", dir,
			 strerror(-r));
	return r;
}

/* Phase two: renames only, each atomic. work and upper into ASIDE/ID, synced, the old record
 * after them (the commit of a move before there were infos), then the info (the commit). A
 * power cut before it leaves what says the move is due (the old record of a changed root,
 * the count, the restore mark), so the next boot finishes the same ID (the highest, not
 * whole): what is already there stays, what is not is moved now. */
static int move_out(struct boot_ctx *ctx, const char *home, const char *dir, char *why,
		    size_t size)
{
	static const char *const moved[] = { "work", "upper", ROOTID_STAMP_NAME,
					     ASIDE_INFO_NAME ".tmp" };
	const struct sys_ops *sys = ctx->sys;
	/* a record read at this boot must be there; another may be missing, or unreadable */
	bool had_record = ctx->rootid.state == ROOTID_SAME || ctx->rootid.state == ROOTID_CHANGED;
	char from[192], to[192];
	int r;

	for (size_t i = 0; i < 4; i++) {
		snprintf(from, sizeof(from), "%s/%s", i < 3 ? home : dir, moved[i]);
		snprintf(to, sizeof(to), "%s/%s", dir, i < 3 ? moved[i] : ASIDE_INFO_NAME);
		if (i == 2 && ((r = sys->fsync(dir)) < 0 || (r = sys->fsync(home)) < 0)) {
			snprintf(why, size, "sync %s: %s", dir, strerror(-r));
			return r;
		}
		r = sys->rename(from, to);
		if (r < 0 && !(r == -ENOENT && (i < 2 || (i == 2 && !had_record)))) {
			snprintf(why, size, "set the old upper aside: rename %s %s: %s", from, to,
				 strerror(-r));
			return r;
		}
	}
	return 0;
}

/* The new upper in place: upper.new and work.new, or src's; then its record. A cut there
 * leaves no record, so the next boot records this root over the upper (an empty upper.new
 * may stay, reused by the next move). */
static int move_in(struct boot_ctx *ctx, const char *home, const char *src, bool prepared,
		   char *why, size_t size)
{
	const struct sys_ops *sys = ctx->sys;
	char from[192], to[192];
	int r = 0;

	for (size_t i = 0; i < 2 && r == 0 && (src || prepared); i++) {
		const char *name = i ? "work" : "upper";
		if (src)
			snprintf(from, sizeof(from), "%s/%s", src, name);
		else
			snprintf(from, sizeof(from), "%s/%s.new", home, name);
		snprintf(to, sizeof(to), "%s/%s", home, name);
		if ((r = sys->rename(from, to)) == -ENOENT && i)
			r = 0;	/* a set-aside without its work: the overlay makes one */
	}
	if (r == 0 && ctx->rootid.state != ROOTID_UNKNOWN)
		r = prepared ? rootid_stamp_commit(sys, home)
			     : rootid_stamp_write(sys, home, ctx->rootid.id);
	if (r < 0)
		snprintf(why, size, "%s the upper of %s: %s", src ? "bring back" : "start the fresh",
			 home, strerror(-r));
	return r;
}

int aside_move(struct boot_ctx *ctx, const char *home, const char *reason, const char *src,
	       char *dir, size_t dir_size, char *why, size_t size)
{
	const struct sys_ops *sys = ctx->sys;
	char path[192];
	unsigned max = 0;
	struct stat st;
	int r = 0, whole = 1;

	bool had_aside = sys->lstat(ASIDE, &st) != -ENOENT;
	if (had_aside && (r = rootid_ensure_dir(sys, ASIDE, why, size)) == 0 &&
	    (r = sys->listdir(ASIDE, scan_aside, &max)) < 0)
		snprintf(why, size, "list " ASIDE ": %s", strerror(-r));
	if (r == 0 && max && (whole = r = aside_whole(sys, max, why, size)) >= 0)
		max += (unsigned)whole, r = 0;	/* the last move is whole: a new ID */
	if (r < 0)
		return r;
	bool move = !whole;	/* interrupted: finish it */
	for (size_t i = 0; i < 2 && !move; i++) {
		snprintf(path, sizeof(path), "%s/%s", home, i ? "work" : "upper");
		move = sys->lstat(path, &st) != -ENOENT;
	}
	dir[0] = '\0';	/* no upper: nothing to set aside */
	if (move) {
		snprintf(dir, dir_size, ASIDE "/%u", max ? max : 1);
		if ((!had_aside && (r = rootid_ensure_dir(sys, ASIDE, why, size)) < 0) ||
		    (r = prepare(ctx, home, reason, src, dir, why, size)) < 0 ||
		    (r = move_out(ctx, home, dir, why, size)) < 0)
			return r;
		snprintf(ctx->heal.aside, sizeof(ctx->heal.aside), "%s", dir);
		snprintf(ctx->heal.reason, sizeof(ctx->heal.reason), "%s", reason);
	}
	return move_in(ctx, home, src, move, why, size);
}

/* --- overroot restore ID, rootrwkeep= ----------------------------------------------------- */

int aside_restore_read(const struct sys_ops *sys, unsigned *ret, char *why, size_t size)
{
	char text[48], *end;
	struct stat st;
	size_t hl = strlen(ASIDE_RESTORE_HEAD);
	int r = sys->lstat(ASIDE_RESTORE, &st);

	if (r == -ENOENT)
		return 0;
	if (r == 0 && (!S_ISREG(st.st_mode) || st.st_size >= (off_t)sizeof(text)))
		r = -EINVAL;
	ssize_t n = r < 0 ? r : sys->read_file(ASIDE_RESTORE, text, sizeof(text));
	if (n >= 0 && (strncmp(text, ASIDE_RESTORE_HEAD, hl) ||
		       !(*ret = (unsigned)strtoul(text + hl, &end, 10)) || strcmp(end, "\n") ||
		       text[hl] < '1' || text[hl] > '9'))
		n = -EBADMSG;
	if (n < 0) {
		snprintf(why, size, "restore mark " ASIDE_RESTORE ": %s", n == -EINVAL ?
			 "not a regular file of a mark's size" : n == -EBADMSG ?
			 "not what overroot restore writes" : strerror((int)-n));
		return (int)n;
	}
	return 1;
}

/* Where a finished restore's leftovers go: name.MS in the trash, deleted in the background. */
static int to_trash(struct boot_ctx *ctx, const char *path, const char *name, char *why,
		    size_t size)
{
	char to[128];
	int r = rootid_ensure_dir(ctx->sys, ASIDE_TRASH, why, size);

	snprintf(to, sizeof(to), ASIDE_TRASH "/%s.%llu", name,
		 (unsigned long long)ctx->sys->now_ms());
	if (r == 0 && (r = ctx->sys->rename(path, to)) < 0)
		snprintf(why, size, "rename %s %s: %s", path, to, strerror(-r));
	return r;
}

/* The restore: the upper in use set aside and ID's brought in (aside_move), then ID's
 * leftovers (its record and info) and the mark into the trash. A power cut before the mark
 * goes leaves it: the next boot sees ID's upper gone (brought in already) and only finishes,
 * or sees it there and does it all. A mark that cannot be read safely is ignored, loudly. */
int aside_restore(struct boot_ctx *ctx, const char *home, char *why, size_t size)
{
	const struct sys_ops *sys = ctx->sys;
	char src[64], path[96], dir[96], reason[48], why2[160];
	unsigned id;
	struct stat st;
	int r = aside_restore_read(sys, &id, why2, sizeof(why2));

	if (r <= 0) {
		if (r < 0)
			log_err("overlayroot", "%s: ignored, the upper is kept", why2);
		return 0;
	}
	snprintf(src, sizeof(src), ASIDE "/%u", id);
	snprintf(path, sizeof(path), "%s/upper", src);
	snprintf(reason, sizeof(reason), "restore of %u", id);
	if ((r = sys->lstat(path, &st)) == 0 && S_ISDIR(st.st_mode)) {
		if ((r = aside_move(ctx, home, reason, src, dir, sizeof(dir), why, size)) < 0)
			return r;
		log_warn("overlayroot", "overroot restore: the upper of %s is back in use in %s%s%s",
			 src, home, dir[0] ? "; the upper it replaces is set aside in " : "", dir);
	} else if (r == 0) {
		log_err("overlayroot", "overroot restore %u: %s is not a directory: ignored, the "
			"upper is kept", id, path);
	} else if (r != -ENOENT) {
		snprintf(why, size, "overroot restore: %s: %s", path, strerror(-r));
		return r;
	} else if (sys->lstat(src, &st) == -ENOENT) {
		log_warn("overlayroot", "overroot restore %u: no %s: nothing to restore", id, src);
	} else {
		/* its upper came back at a boot cut short: its work too (the record: rootid.c) */
		snprintf(path, sizeof(path), "%s/work", src);
		snprintf(dir, sizeof(dir), "%s/work", home);
		sys->rename(path, dir);
	}
	/* what is left of ID (its record and info, no upper: never an upper) */
	snprintf(path, sizeof(path), "%s/upper", src);
	snprintf(dir, sizeof(dir), "aside-%u", id);
	if ((sys->lstat(path, &st) == -ENOENT && sys->lstat(src, &st) == 0 &&
	     (r = to_trash(ctx, src, dir, why, size)) < 0) ||
	    (r = to_trash(ctx, ASIDE_RESTORE, "restore-mark", why, size)) < 0) {
		snprintf(why2, sizeof(why2), "%s", why);
		snprintf(why, size, "overroot restore: %s (the next boot would restore again)",
			 why2);
		return r;
	}
	return 0;
}

int aside_collect(const char *name, void *arg)
{
	unsigned *ids = arg, n = aside_id(name);

	if (n && ids[0] < 255)
		ids[++ids[0]] = n;
	return 0;
}

static int by_id(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

void aside_keep(struct boot_ctx *ctx)
{
	const struct sys_ops *sys = ctx->sys;
	unsigned ids[256] = { 0 }, keep = ctx->p.rootrwkeep;
	char path[64], name[32], why[192];
	struct stat st;

	if (!keep || sys->lstat(ASIDE, &st) < 0 || sys->listdir(ASIDE, aside_collect, ids) < 0)
		return;
	qsort(ids + 1, ids[0], sizeof(ids[0]), by_id);
	/* an interrupted move (the newest, not whole) is not counted, nor ever deleted */
	if (ids[0] && aside_whole(sys, ids[ids[0]], why, sizeof(why)) != 1)
		ids[0]--;
	for (unsigned i = 1; i + keep <= ids[0]; i++) {
		snprintf(path, sizeof(path), ASIDE "/%u", ids[i]);
		snprintf(name, sizeof(name), "aside-%u", ids[i]);
		if (to_trash(ctx, path, name, why, sizeof(why)) < 0) {
			log_warn("overlayroot", "rootrwkeep=%u: %s: kept", keep, why);
			return;
		}
		log_notice("overlayroot", "rootrwkeep=%u: set-aside upper %s deleted (in the "
			   "background)", keep, path);
	}
}
