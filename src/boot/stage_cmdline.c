/* Stage 2: the kernel command line into ctx->p. Never fails: a malformed word is one
 * warning, and boot goes on with the rest. */
#include <stdio.h>
#include <string.h>
#include "overroot/boot.h"
#include "overroot/log.h"
#include "overroot/stages.h"

static void warn_cmdline(const char *msg)
{
	log_warn("cmdline", "%s", msg);
}

static int cmdline_run(struct boot_ctx *ctx)
{
	static char text[CMDLINE_MAX + 1];
	ssize_t n = ctx->sys->read_file("/proc/cmdline", text, sizeof(text));

	if (n < 0) {
		log_warn("cmdline", "read /proc/cmdline: %s: using the defaults",
			 strerror((int)-n));
		n = 0;
	}
	cmdline_parse(&ctx->cmdline, text, (size_t)n, warn_cmdline);
	params_from_cmdline(&ctx->p, &ctx->cmdline, warn_cmdline);
	if (ctx->p.debug) {
		log_setup(ctx->kmsg_fd, LOG_LVL_DEBUG);
		ctx->sys = sys_trace(ctx->sys);
	}
	else if (ctx->p.quiet)
		log_setup(ctx->kmsg_fd, LOG_LVL_WARN);

	char tmo[16];
	if (ctx->p.root_timeout_s == PARAM_FOREVER)
		snprintf(tmo, sizeof(tmo), "forever");
	else
		snprintf(tmo, sizeof(tmo), "%us", ctx->p.root_timeout_s);
	log_info("cmdline", "root=%s rootfstype=%s rootflags=%s %s timeout=%s init=%s",
		 ctx->p.root ? ctx->p.root : "(none)",
		 ctx->p.rootfstype ? ctx->p.rootfstype : "(probe)",
		 ctx->p.rootflags ? ctx->p.rootflags : "(none)", ctx->p.rw ? "rw" : "ro", tmo,
		 ctx->p.init);
	if (ctx->p.rootrw)
		log_info("cmdline", "rootrw=%s", ctx->p.rootrw);
	for (size_t i = 0; i < ctx->cmdline.count; i++) {
		const struct cmdline_param *cp = &ctx->cmdline.params[i];
		log_debug("cmdline", "word %zu: %s%s%s", i, cp->name, cp->value ? "=" : "",
			  cp->value ? cp->value : "");
	}
	return 0;
}

const struct stage stage_cmdline = {
	.name = "cmdline",
	.run = cmdline_run,
	.on_fail = STAGE_WARN,
};
