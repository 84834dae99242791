/* Uppers set aside (aside.h): the move of an upper, whole, into /overlay/.overroot-aside/N.
 * The rw partition is not trusted: everything on it is looked at with lstat, and every change
 * to it is a rename, so a power cut leaves it before or after, never between. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "overroot/aside.h"
#include "overroot/boot.h"

#define OVL "/overlay"
#define STAMP OVL "/" ROOTID_STAMP_NAME
#define ASIDE OVL "/" ROOTID_ASIDE_NAME

static int scan_aside(const char *name, void *arg)
{
	unsigned *max = arg, n = 0;
	const char *c = name;

	for (; *c >= '0' && *c <= '9' && n < 100000000; c++)
		n = n * 10 + (unsigned)(*c - '0');
	if (!*c && name[0] != '0' && n > *max)
		*max = n;
	return 0;
}

/* rootrwonchange=aside, in two phases. First everything that takes space: ASIDE/N, a fresh
 * upper.new and work.new, the new record written and synced under its temporary name; a full
 * partition stops here, nothing moved. Then renames only, each atomic: work and upper into
 * ASIDE/N, synced, then the old record after them: that rename is the commit. A power cut
 * before it leaves the old record, so the next boot sees the change again and finishes the
 * same N (the highest N without a record; what is already there stays, what is not is moved
 * now). After it, upper.new and work.new take their places and the new record its own: a
 * cut there leaves no record, so the next boot records this root over an empty upper (an
 * empty upper.new may stay, reused by the next move). Nothing is copied or deleted. */
int aside_move(struct boot_ctx *ctx, char *dir, size_t dir_size, char *why, size_t size)
{
	const struct sys_ops *sys = ctx->sys;
	static const char *const moved[] = { "work", "upper", ROOTID_STAMP_NAME };
	char from[64], to[160];
	unsigned max = 0;
	struct stat st;
	int r = 0;

	bool unfinished = false, had_aside = sys->lstat(ASIDE, &st) != -ENOENT;
	if (had_aside && (r = rootid_ensure_dir(sys, ASIDE, why, size)) == 0 &&
	    (r = sys->listdir(ASIDE, scan_aside, &max)) < 0)
		snprintf(why, size, "list " ASIDE ": %s", strerror(-r));
	if (r == 0 && max) {
		snprintf(to, sizeof(to), ASIDE "/%u/" ROOTID_STAMP_NAME, max);
		r = sys->lstat(to, &st);
		if (r == 0)
			max++;		/* the last move is whole: a new N */
		else if (r == -ENOENT)
			r = 0, unfinished = true;	/* interrupted: finish it */
		else
			snprintf(why, size, "%s: %s", to, strerror(-r));
	}
	if (r == 0 && !unfinished && sys->lstat(OVL "/upper", &st) == -ENOENT &&
	    sys->lstat(OVL "/work", &st) == -ENOENT) {
		dir[0] = '\0';	/* no upper: nothing to set aside, the record is replaced */
		if ((r = rootid_stamp_write(sys, OVL, ctx->rootid.id)) < 0)
			snprintf(why, size, "record the root in " STAMP ": %s", strerror(-r));
		return r;
	}
	if (r == 0 && !had_aside)
		r = rootid_ensure_dir(sys, ASIDE, why, size);
	snprintf(dir, dir_size, ASIDE "/%u", max ? max : 1);
	if (r < 0 || (r = rootid_ensure_dir(sys, dir, why, size)) < 0 ||
	    (r = rootid_ensure_dir(sys, OVL "/upper.new", why, size)) < 0 ||
	    (r = rootid_ensure_dir(sys, OVL "/work.new", why, size)) < 0)
		return r;
	if ((r = rootid_stamp_prepare(sys, OVL, ctx->rootid.id)) < 0) {
		snprintf(why, size, "record the root in " STAMP ": %s", strerror(-r));
		return r;
	}
	for (size_t i = 0; i < 3; i++) {
		snprintf(from, sizeof(from), OVL "/%s", moved[i]);
		snprintf(to, sizeof(to), "%s/%s", dir, moved[i]);
		if (i == 2 && ((r = sys->fsync(dir)) < 0 || (r = sys->fsync(OVL)) < 0)) {
			snprintf(why, size, "sync %s: %s", dir, strerror(-r));
			return r;
		}
		r = sys->rename(from, to);
		if (r < 0 && !(r == -ENOENT && i < 2)) {
			snprintf(why, size, "set the old upper aside: rename %s %s: %s", from, to,
				 strerror(-r));
			return r;
		}
	}
	if ((r = sys->rename(OVL "/upper.new", OVL "/upper")) < 0 ||
	    (r = sys->rename(OVL "/work.new", OVL "/work")) < 0 ||
	    (r = rootid_stamp_commit(sys, OVL)) < 0)
		snprintf(why, size, "start the fresh upper: %s", strerror(-r));
	return r;
}
