/* Stage 3: the kernel modules the boot needs: /etc/modules-load.d/NAME.conf, then
 * rd.modules-load=, dependencies first. The index stays open in ctx->kmod for the
 * fs-<type> loads of later stages. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "overroot/boot.h"
#include "overroot/log.h"
#include "overroot/stages.h"

#define MODULES_LOAD_D "/etc/modules-load.d"

static void count_name(const char *name, void *arg)
{
	(*(unsigned *)arg)++;
}

static int kmod_run(struct boot_ctx *ctx)
{
	char release[128], dir[256];
	ssize_t n = ctx->sys->read_file("/proc/sys/kernel/osrelease", release, sizeof(release));

	if (n <= 0) {
		log_warn("kmod", "read the kernel release: %s: no modules will be loaded",
			 n < 0 ? strerror((int)-n) : "empty");
		return n < 0 ? (int)n : -EIO;
	}
	release[strcspn(release, "\n")] = '\0';
	snprintf(dir, sizeof(dir), "/lib/modules/%s", release);
	int r = kmod_open(&ctx->kmod, ctx->sys, dir);
	if (r < 0) {
		/* A kernel with everything built in (a bundled initramfs) needs no modules: that
		 * is one quiet line; a warning only when some module was asked for. */
		unsigned asked = 0;
		int unreadable = kmod_conf_dir_each(ctx->sys, MODULES_LOAD_D, count_name, &asked);
		if (ctx->p.modules_load || asked || unreadable)
			log_warn("kmod", "read %s/modules.dep: %s: no modules will be loaded", dir,
				 strerror(-r));
		else
			log_info("kmod", "no modules asked for and none in %s: the kernel has "
				 "what the boot needs built in", dir);
		return 0;
	}
	int failed = kmod_load_conf_dir(&ctx->kmod, MODULES_LOAD_D);
	if (ctx->p.modules_load)
		failed += kmod_load_list(&ctx->kmod, ctx->p.modules_load);
	log_info("kmod", "%u modules loaded, %d failed", ctx->kmod.loaded, failed);
	return 0;
}

const struct stage stage_kmod = {
	.name = "kmod",
	.run = kmod_run,
	.on_fail = STAGE_WARN,
};
