/* The boot, in order. Adding a stage is one file and one line here. */
#include <stddef.h>
#include "overroot/boot.h"
#include "overroot/log.h"
#include "overroot/stages.h"

const struct stage *const stages[] = {
	&stage_early,		/* /proc /sys /dev /run, the kernel log */
	&stage_cmdline,		/* /proc/cmdline -> parameters */
	&stage_kmod,		/* modules-load.d, rd.modules-load */
	&stage_verity,		/* roothash=, dm-verity.env -> /dev/mapper/root, verified */
	&stage_rootfs,		/* root= -> /rootfs, read-only */
	&stage_overlayroot,	/* rootrw= -> overlay on /rootfs, the root at /rofs */
	&stage_handback,	/* /run/initramfs/shutdown: systemd's way back at shutdown */
	&stage_status,		/* /run/overroot/status: what happened, for the booted system */
	&stage_switchroot,	/* move the API mounts, free the initramfs, exec init */
};

const size_t stages_count = sizeof(stages) / sizeof(stages[0]);

/* init=/usr/sbin/overroot, no initramfs: the kernel mounted the root on / and runs us from
 * it. A tmpfs becomes / first, so that the shared stages find the world they know. No kmod:
 * a kernel that mounted its root has what it needs built in, and the modules on the root
 * are the booted system's. */
const struct stage *const stages_noinitramfs[] = {
	&stage_staging,		/* a tmpfs as /, the kernel's root on /rootfs (pivot_root) */
	&stage_early,
	&stage_cmdline,
	&stage_kernelroot,	/* the root's device, read-only, locked; rootinit= */
	&stage_overlayroot,
	&stage_handback,
	&stage_status,
	&stage_switchroot,	/* empties the staging tmpfs, never the root */
};

const size_t stages_noinitramfs_count = sizeof(stages_noinitramfs) /
					sizeof(stages_noinitramfs[0]);

const struct stage *const *stages_for(const struct sys_ops *sys, size_t *ret_n)
{
	bool none = staging_needed(sys);

	*ret_n = none ? stages_noinitramfs_count : stages_count;
	return none ? stages_noinitramfs : stages;
}

int stages_run(struct boot_ctx *ctx, const struct stage *const *table, size_t n,
	       const struct stage **ret_failed)
{
	for (size_t i = 0; i < n; i++) {
		const struct stage *s = table[i];
		if (s->enabled && !s->enabled(ctx)) {
			log_debug(s->name, "skipped");
			continue;
		}
		uint64_t t0 = ctx->sys->now_ms();
		int r = s->run(ctx);
		uint64_t ms = ctx->sys->now_ms() - t0;
		if (ctx->stages_done < STAGES_MAX) {
			ctx->stage_names[ctx->stages_done] = s->name;
			ctx->stage_ms[ctx->stages_done++] = ms;
		}
		log_info(s->name, "done in %llu ms%s", (unsigned long long)ms,
			 r < 0 ? " (failed)" : "");
		if (r < 0 && s->on_fail == STAGE_FATAL) {
			if (ret_failed)
				*ret_failed = s;
			return r;
		}
	}
	return 0;
}
