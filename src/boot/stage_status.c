/* Stage: tell the booted system what happened, in /run/overroot/status (key=value lines,
 * moved into the new root with /run). Scripts test mode= to know whether their writes
 * persist. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "overroot/boot.h"
#include "overroot/config.h"
#include "overroot/log.h"
#include "overroot/stages.h"
#include "overroot/statusfile.h"


struct buf {
	char text[4096];
	size_t len;
};

static void add(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(b->text + b->len, sizeof(b->text) - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n < sizeof(b->text) - b->len ? (size_t)n
							       : sizeof(b->text) - 1 - b->len;
}

/* One key=value line. Values come from the command line and the devices: a newline or
 * another control byte in one must not forge a line ("rootrw=\"x\nmode=overlay\""). */
static void kv(struct buf *b, const char *key, const char *value)
{
	add(b, "%s=", key);
	for (; *value && b->len + 2 < sizeof(b->text); value++)
		b->text[b->len++] = (unsigned char)*value < 0x20 || *value == 0x7f ? '?' : *value;
	add(b, "\n");
}

/* dm-verity under the root: who set it up, on what, and what the kernel said at boot. */
static void verity_keys(struct buf *b, const struct verity_state *v)
{
	static const char *const mode[] = { "off", "overroot", "kernel" };

	kv(b, "verity", mode[v->mode]);
	if (v->mode == VERITY_OFF)
		return;
	kv(b, "verity_device", v->device);
	kv(b, "verity_data_device", v->data);
	kv(b, "verity_hash_device", v->hash);
	kv(b, "verity_root_hash", v->root_hash);
	kv(b, "verity_on_corruption", verity_corruption_name(v->on_corruption));
	kv(b, "verity_status", v->corrupted ? "corrupted" : "verified");
}

static const char *mode_name(const struct boot_ctx *ctx)
{
	switch (ctx->mode) {
	case MODE_OVERLAY:
		return "overlay";
	case MODE_TMPFS:
		return "tmpfs";
	case MODE_READONLY:
		break;
	}
	return ctx->p.rw && !ctx->p.rootrw ? "read-write" : "read-only";
}

/* systemd's interface for a root that is not on a block device (its own volatile-root
 * makes the same link): blockdev_get_root(), used by systemd-repart, bootctl and
 * gpt-auto-generator, reads /run/systemd/volatile-root for the root's real device. Only
 * under an overlay: a read-only root is on its device already. */
static void volatile_root_hint(struct boot_ctx *ctx)
{
	const struct sys_ops *sys = ctx->sys;
	int r = sys->mkdir("/run/systemd", 0755);

	if (r == 0 || r == -EEXIST)
		r = sys->symlink(ctx->root_dev, "/run/systemd/volatile-root");
	if (r < 0 && r != -EEXIST)
		log_warn("status", "symlink /run/systemd/volatile-root: %s", strerror(-r));
}

static int status_run(struct boot_ctx *ctx)
{
	struct buf b = { .len = 0 };
	uint64_t total = 0;

	bool overlay = ctx->mode != MODE_READONLY;

	kv(&b, "version", OVERROOT_VERSION);
	kv(&b, "mode", mode_name(ctx));
	kv(&b, "boot", ctx->no_initramfs ? "noinitramfs" : "initramfs");
	kv(&b, "root", ctx->p.root ? ctx->p.root : "");
	kv(&b, "root_device", ctx->root_dev);
	kv(&b, "root_type", ctx->root_type);
	kv(&b, "root_locked", ctx->root_locked ? "yes" : "no");
	kv(&b, "rootrw", ctx->p.rootrw ? ctx->p.rootrw : "");
	kv(&b, "rw_device", overlay ? ctx->rw_dev : "");
	kv(&b, "rw_type", overlay ? ctx->rw_type : "");
	if (overlay) {
		add(&b, "lower=/rofs\nrw_mount=/overlay\n");
		kv(&b, "upper", ctx->rootid.upper);
	}
	if (overlay && ctx->rootid.state != ROOTID_NONE) {
		/* which root the upper belongs to, and what this boot did about it (rootid.c) */
		kv(&b, "root_id", ctx->rootid.id);
		kv(&b, "root_id_state", rootid_state_name(ctx->rootid.state));
		kv(&b, "root_id_was", ctx->rootid.was);
		kv(&b, "root_id_action", ctx->rootid.action);
	}
	verity_keys(&b, &ctx->verity);
	kv(&b, "fallback_reason", ctx->fallback_reason);
	for (size_t i = 0; i < ctx->stages_done; i++) {
		add(&b, "time_%s_ms=%llu\n", ctx->stage_names[i],
		    (unsigned long long)ctx->stage_ms[i]);
		total += ctx->stage_ms[i];
	}
	add(&b, "time_total_ms=%llu\n", (unsigned long long)total);

	int r = ctx->sys->mkdir(STATUS_DIR, 0755);
	if (r == 0 || r == -EEXIST)
		r = ctx->sys->write_file(STATUS_FILE, b.text, b.len);
	if (r < 0)
		log_warn("status", "write " STATUS_FILE ": %s", strerror(-r));
	if (overlay && ctx->root_dev[0])
		volatile_root_hint(ctx);
	return r;
}

const struct stage stage_status = {
	.name = "status",
	.run = status_run,
	.on_fail = STAGE_WARN,
};
