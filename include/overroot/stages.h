/* Every compiled-in stage; the order lives in src/boot/stages.c. */
#ifndef OVERROOT_STAGES_H
#define OVERROOT_STAGES_H

#include "overroot/boot.h"

extern const struct stage stage_early;
extern const struct stage stage_cmdline;
extern const struct stage stage_kmod;
extern const struct stage stage_verity;
extern const struct stage stage_rootfs;
extern const struct stage stage_overlayroot;
extern const struct stage stage_status;
extern const struct stage stage_handback;
extern const struct stage stage_switchroot;
/* without an initramfs (init= on the root) */
extern const struct stage stage_staging;
extern const struct stage stage_kernelroot;

/* No initramfs: a root on dm-verity the kernel set up (dm-mod.create=) -> ctx->verity. */
void verity_kernel_root(struct boot_ctx *ctx);

/* Is overroot PID 1 on a root the kernel mounted (no initramfs)? */
bool staging_needed(const struct sys_ops *sys);

#endif
