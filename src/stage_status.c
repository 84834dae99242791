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

#define STATUS_DIR "/run/overroot"

struct buf {
	char text[2048];
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

static int status_run(struct boot_ctx *ctx)
{
	struct buf b = { .len = 0 };
	uint64_t total = 0;

	add(&b, "version=%s\nmode=%s\n", OVERROOT_VERSION, mode_name(ctx));
	add(&b, "root=%s\nroot_device=%s\nroot_type=%s\nroot_locked=%s\n",
	    ctx->p.root ? ctx->p.root : "", ctx->root_dev, ctx->root_type,
	    ctx->root_locked ? "yes" : "no");
	add(&b, "rootrw=%s\nrw_device=%s\nrw_type=%s\n", ctx->p.rootrw ? ctx->p.rootrw : "",
	    ctx->mode == MODE_READONLY ? "" : ctx->rw_dev,
	    ctx->mode == MODE_READONLY ? "" : ctx->rw_type);
	if (ctx->mode != MODE_READONLY)
		add(&b, "lower=/rofs\nrw_mount=/overlay\nupper=/overlay/upper\n");
	add(&b, "fallback_reason=%s\n", ctx->fallback_reason);
	for (size_t i = 0; i < ctx->stages_done; i++) {
		add(&b, "time_%s_ms=%llu\n", ctx->stage_names[i],
		    (unsigned long long)ctx->stage_ms[i]);
		total += ctx->stage_ms[i];
	}
	add(&b, "time_total_ms=%llu\n", (unsigned long long)total);

	int r = ctx->sys->mkdir(STATUS_DIR, 0755);
	if (r == 0 || r == -EEXIST)
		r = ctx->sys->write_file(STATUS_DIR "/status", b.text, b.len);
	if (r < 0)
		log_warn("status", "write " STATUS_DIR "/status: %s", strerror(-r));
	return r;
}

const struct stage stage_status = {
	.name = "status",
	.run = status_run,
	.on_fail = STAGE_WARN,
};
