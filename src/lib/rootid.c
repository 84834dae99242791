/* The upper belongs to its root (see rootid.h). The identity is read from the root itself:
 * its filesystem UUID (a new image written to the partition, or the other slot, has another
 * one) and the build lines of its os-release (they tell builds apart where the UUID does
 * not: a squashfs has none, a reproducible build may fix it). The rw partition is not
 * trusted: everything on it is looked at with lstat, never through a symbolic link, and
 * every change to it is a rename, so a power cut leaves it before or after, never between. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "overroot/boot.h"
#include "overroot/config.h"
#include "overroot/log.h"
#include "overroot/rootid.h"

#define OVL "/overlay"
#define STAMP OVL "/" ROOTID_STAMP_NAME
#define ASIDE OVL "/" ROOTID_ASIDE_NAME
#define SLOTS OVL "/" ROOTID_SLOTS_NAME

/* The os-release lines that name a build; the others (NAME, PRETTY_NAME, ...) are words. */
static const char *const build_keys[] = { "ID", "VERSION_ID", "BUILD_ID", "IMAGE_ID",
					  "IMAGE_VERSION", NULL };

int rootid_ensure_dir(const struct sys_ops *sys, const char *path, char *why, size_t size)
{
	struct stat st;
	int r = sys->lstat(path, &st);

	if (r == -ENOENT)
		r = sys->mkdir(path, 0755);
	else if (r == 0 && !S_ISDIR(st.st_mode))
		r = -ENOTDIR;
	if (r < 0)
		snprintf(why, size, "%s: %s", path, strerror(-r));
	return r;
}

/* A regular file (lstat: a link is not followed) of at most size-1 bytes, into buf.
 * 0: read; -ENOENT: none; -errno otherwise. */
static int read_regular(const struct sys_ops *sys, const char *path, char *buf, size_t size)
{
	struct stat st;
	int r = sys->lstat(path, &st);

	if (r < 0)
		return r;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_size < 0 || (size_t)st.st_size >= size)
		return -EFBIG;
	ssize_t n = sys->read_file(path, buf, size);
	return n < 0 ? (int)n : 0;
}

/* Append " KEY=value" for each build line of an os-release text, unquoted, control bytes
 * made '?' (the identity is one line of the status file). */
static void add_build_lines(const char *text, char *ret, size_t size)
{
	for (size_t k = 0; build_keys[k]; k++) {
		size_t kl = strlen(build_keys[k]);
		for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
			if (strncmp(l, build_keys[k], kl) || l[kl] != '=')
				continue;
			const char *v = l + kl + 1;
			size_t vl = strcspn(v, "\n");
			if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0])
				v++, vl -= 2;
			size_t at = strlen(ret);
			snprintf(ret + at, size - at, "%s%s=%.*s", at ? " " : "", build_keys[k],
				 (int)vl, v);
			for (char *c = ret + at; *c; c++)
				if ((unsigned char)*c < 0x20 || *c == 0x7f)
					*c = '?';
			break;
		}
	}
}

int rootid_read(const struct sys_ops *sys, const char *dev, const char *root, char *ret,
		size_t size, char *why, size_t why_size)
{
	struct blkinfo info;
	char path[256], text[4096];
	int r = sys->probe(dev, PROBE_FS, &info);

	ret[0] = '\0';
	if (r < 0) {
		snprintf(why, why_size, "probe %s: %s", dev, strerror(-r));
		return r;
	}
	if (info.uuid[0])
		snprintf(ret, size, "uuid=%s", info.uuid);
	/* os-release(5): /etc first, then /usr/lib. /etc/os-release is usually a link to
	 * ../usr/lib/os-release: it is not followed (an absolute link would lead into the
	 * initramfs), /usr/lib's is read instead. */
	snprintf(path, sizeof(path), "%s/etc/os-release", root);
	r = read_regular(sys, path, text, sizeof(text));
	if (r == -ENOENT || r == -EINVAL) {
		snprintf(path, sizeof(path), "%s/usr/lib/os-release", root);
		r = read_regular(sys, path, text, sizeof(text));
	}
	if (r == 0)
		add_build_lines(text, ret, size);
	else if (r != -ENOENT) {
		snprintf(why, why_size, "read %s: %s", path, r == -EINVAL ?
			 "not a regular file" : strerror(-r));
		return r;
	}
	if (!ret[0]) {
		snprintf(why, why_size, "%s has no filesystem UUID and %s no os-release: nothing "
			 "tells one root from another", dev, root);
		return -ENODATA;
	}
	return 0;
}

int rootid_stamp_read(const struct sys_ops *sys, const char *dir, char *ret, size_t size,
		      char *why, size_t why_size)
{
	char path[256], text[sizeof(ROOTID_STAMP_HEAD) + ROOTID_MAX + 1];
	size_t hl = strlen(ROOTID_STAMP_HEAD);

	snprintf(path, sizeof(path), "%s/" ROOTID_STAMP_NAME, dir);
	int r = read_regular(sys, path, text, sizeof(text));
	if (r == -ENOENT)
		return 0;
	size_t l = r == 0 ? strlen(text) : 0;
	if (r == 0 && (strncmp(text, ROOTID_STAMP_HEAD, hl) || l < hl + 2 || text[l - 1] != '\n' ||
		       strchr(text + hl, '\n') != text + l - 1))
		r = -EBADMSG;
	if (r < 0) {
		snprintf(why, why_size, "root record %s: %s", path,
			 r == -EINVAL ? "not a regular file" : r == -EFBIG ? "too big" :
			 r == -EBADMSG ? "not what overroot writes" : strerror(-r));
		return r;
	}
	snprintf(ret, size, "%.*s", (int)(l - hl - 1), text + hl);
	return 1;
}

/* The record's two halves: written and synced under a temporary name (the space it needs
 * is taken here), then renamed into place and the directory synced. */
static int stamp_prepare(const struct sys_ops *sys, const char *dir, const char *id)
{
	char tmp[264], text[sizeof(ROOTID_STAMP_HEAD) + ROOTID_MAX + 1];
	int n = snprintf(text, sizeof(text), ROOTID_STAMP_HEAD "%s\n", id);

	snprintf(tmp, sizeof(tmp), "%s/" ROOTID_STAMP_NAME ".tmp", dir);
	int r = sys->write_file(tmp, text, (size_t)n);
	return r < 0 ? r : sys->fsync(tmp);
}

static int stamp_commit(const struct sys_ops *sys, const char *dir)
{
	char path[256], tmp[264];

	snprintf(path, sizeof(path), "%s/" ROOTID_STAMP_NAME, dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int r = sys->rename(tmp, path);
	return r < 0 ? r : sys->fsync(dir);
}

int rootid_stamp_write(const struct sys_ops *sys, const char *dir, const char *id)
{
	int r = stamp_prepare(sys, dir, id);

	return r < 0 ? r : stamp_commit(sys, dir);
}

const char *rootid_state_name(enum rootid_state s)
{
	static const char *const names[] = { "", "same", "first", "changed", "unknown" };

	return names[s];
}

/* --- what a boot does about it --------------------------------------------------------- */

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
static int move_aside(struct boot_ctx *ctx, char *dir, size_t dir_size, char *why, size_t size)
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
	if ((r = stamp_prepare(sys, OVL, ctx->rootid.id)) < 0) {
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
	    (r = stamp_commit(sys, OVL)) < 0)
		snprintf(why, size, "start the fresh upper: %s", strerror(-r));
	return r;
}

/* FNV-1a: a short, stable directory name for a root identity. */
static unsigned long long key_of(const char *id)
{
	unsigned long long h = 14695981039346656037ULL;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ULL;
	return h;
}

/* rootrwonchange=slot: the root's own upper, made the first time that root boots, with its
 * record beside it; nothing is moved, so there is nothing for a power cut to interrupt. The
 * state then tells this root against the upper it gets: same, or first for a new slot. */
static int use_slot(struct boot_ctx *ctx, char *dir, size_t dir_size, char *why, size_t size)
{
	const struct sys_ops *sys = ctx->sys;
	struct rootid *ri = &ctx->rootid;
	char had[ROOTID_MAX];
	int r;

	snprintf(dir, dir_size, SLOTS "/%016llx", key_of(ri->id));
	if ((r = rootid_ensure_dir(sys, SLOTS, why, size)) < 0 ||
	    (r = rootid_ensure_dir(sys, dir, why, size)) < 0 ||
	    (r = rootid_stamp_read(sys, dir, had, sizeof(had), why, size)) < 0)
		return r;
	if (r == 1 && strcmp(had, ri->id)) {
		snprintf(why, size, "%s belongs to another root (%s)", dir, had);
		return -EEXIST;
	}
	ri->state = r == 1 ? ROOTID_SAME : ROOTID_FIRST;
	if (r == 0 && (r = rootid_stamp_write(sys, dir, ri->id)) < 0) {
		snprintf(why, size, "record the root in %s: %s", dir, strerror(-r));
		return r;
	}
	snprintf(ri->upper, sizeof(ri->upper), "%s/upper", dir);
	snprintf(ri->work, sizeof(ri->work), "%s/work", dir);
	return 0;
}

/* The root changed under the upper: rootrwonchange= decides. */
static int changed(struct boot_ctx *ctx, char *why, size_t size)
{
	struct rootid *ri = &ctx->rootid;
	char dir[96];
	int r;

	switch (ctx->p.rootrwonchange) {
	case RW_ONCHANGE_KEEP:
		snprintf(ri->action, sizeof(ri->action), "kept: the upper made on the old root "
			 "is on this one (rootrwonchange=keep)");
		log_warn("overlayroot", "root changed: the upper was made on %s, this root is %s: "
			 "rootrwonchange=keep: the old changes stay on top of the new root", ri->was,
			 ri->id);
		return 0;
	case RW_ONCHANGE_SLOT:
		if ((r = use_slot(ctx, dir, sizeof(dir), why, size)) < 0)
			return r;
		snprintf(ri->action, sizeof(ri->action), "this root's own upper %s "
			 "(rootrwonchange=slot)", dir);
		log_notice("overlayroot", "root %s: its own upper in %s (the upper of " OVL
			   " was made on %s; rootrwonchange=slot)", ri->id, dir, ri->was);
		ri->was[0] = '\0';	/* the state is against the slot's own upper */
		return 0;
	case RW_ONCHANGE_ASIDE:
		break;
	}
	if ((r = move_aside(ctx, dir, sizeof(dir), why, size)) < 0)
		return r;
	if (!dir[0]) {
		snprintf(ri->action, sizeof(ri->action), "nothing to set aside (no upper): this "
			 "root recorded in " STAMP);
		log_notice("overlayroot", "root changed (the record said %s, this root is %s): no "
			   "upper to set aside", ri->was, ri->id);
		return 0;
	}
	snprintf(ri->action, sizeof(ri->action), "set aside: the old upper is kept in %s, a "
		 "fresh upper started (rootrwonchange=aside)", dir);
	log_warn("overlayroot", "root changed: the upper was made on %s, this root is %s: the "
		 "old upper is set aside, whole, in %s; this boot starts a fresh upper", ri->was,
		 ri->id, dir);
	return 0;
}

int rootid_choose_upper(struct boot_ctx *ctx, char *why, size_t size)
{
	const struct sys_ops *sys = ctx->sys;
	struct rootid *ri = &ctx->rootid;
	char why2[320];
	int r;

	snprintf(ri->upper, sizeof(ri->upper), OVL "/upper");
	snprintf(ri->work, sizeof(ri->work), OVL "/work");
	ri->state = ROOTID_NONE;
	if (!strcmp(ctx->rw_type, "tmpfs"))
		return 0;	/* empty at every boot: it belongs to this root */
	ri->state = ROOTID_UNKNOWN;
	if (rootid_read(sys, ctx->root_dev, CONFIG_ROOTFS_DIR, ri->id, sizeof(ri->id), why2,
			sizeof(why2)) < 0) {
		snprintf(ri->action, sizeof(ri->action), "the upper is used as it is: %s", why2);
		log_warn("overlayroot", "root identity unknown: %s: the upper is used as it is, "
			 "whatever root it was made on", why2);
		return 0;
	}
	r = rootid_stamp_read(sys, OVL, ri->was, sizeof(ri->was), why2, sizeof(why2));
	if (r < 0) {
		snprintf(ri->action, sizeof(ri->action), "the upper is used as it is: %s", why2);
		log_err("overlayroot", "%s: ignored, the upper is used as it is", why2);
		return 0;
	}
	if (r == 1 && !strcmp(ri->was, ri->id)) {
		ri->state = ROOTID_SAME;
		ri->was[0] = '\0';
		return 0;
	}
	if (r == 1) {
		ri->state = ROOTID_CHANGED;
		return changed(ctx, why, size);
	}
	/* Nothing recorded: a new partition, or an upper from before overroot recorded roots,
	 * which is taken to belong to this root (as it did until now). */
	ri->state = ROOTID_FIRST;
	r = rootid_stamp_write(sys, OVL, ri->id);
	snprintf(ri->action, sizeof(ri->action), r < 0 ? "not recorded: %s" : "recorded in %s",
		 r < 0 ? strerror(-r) : STAMP);
	if (r < 0)
		log_warn("overlayroot", "record the root in " STAMP ": %s (tried again at the next "
			 "boot)", strerror(-r));
	else
		log_notice("overlayroot", "the upper belongs to root %s (recorded in " STAMP ")",
			   ri->id);
	return 0;
}
