/* What a boot does about the root under the upper (rootid.h): the record compared with this
 * root, and rootrwonchange= applied when they differ: the old upper set aside (aside.c), kept,
 * or each root its own slot. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "overroot/aside.h"
#include "overroot/boot.h"
#include "overroot/bootcount.h"
#include "overroot/config.h"
#include "overroot/log.h"
#include "overroot/rootid.h"

#define OVL "/overlay"
#define STAMP OVL "/" ROOTID_STAMP_NAME
#define SLOTS OVL "/" ROOTID_SLOTS_NAME

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
	if (ctx->p.rootrwtries) {	/* for the set-aside's record: the boot's number */
		struct bootcount bc;
		bootcount_read(ctx->sys, OVL, &bc, dir, sizeof(dir));
		ctx->heal.seq = bc.seq + 1;
	}
	if ((r = aside_move(ctx, OVL, "root changed (rootrwonchange=aside)", NULL, dir,
			    sizeof(dir), why, size)) < 0)
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
