/* The boot context the stages share, and the stage interface. */
#ifndef OVERROOT_BOOT_H
#define OVERROOT_BOOT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include "overroot/cmdline.h"
#include "overroot/kmod.h"
#include "overroot/params.h"
#include "overroot/rootid.h"
#include "overroot/sys.h"
#include "overroot/verity.h"

#define STAGES_MAX 16

enum boot_mode { MODE_READONLY, MODE_OVERLAY, MODE_TMPFS };

struct boot_ctx {
	const struct sys_ops *sys;
	struct cmdline cmdline;
	struct params p;
	/* what the kernel handed to /init, forwarded to the real init */
	int argc;
	char **argv;
	char **envp;
	bool no_initramfs;		/* init= on the root the kernel mounted (stage_staging.c) */
	struct kmod_ctx kmod;		/* open after the kmod stage, for fs-<type> loads */
	int kmsg_fd;
	char devkmsg_was[16];		/* printk_devkmsg before we lifted its rate limit */
	/* results */
	char root_dev[PATH_MAX];	/* resolved block device, e.g. /dev/vda2 */
	char root_type[32];
	bool root_locked;		/* BLKROSET done on root_dev */
	char rw_dev[PATH_MAX];
	char rw_type[32];
	const char *newroot;		/* what switch_root enters */
	enum boot_mode mode;
	char fallback_reason[256];	/* why the overlay is not active; "" when it is */
	struct rootid rootid;		/* the root the upper belongs to, the upper chosen */
	struct verity_state verity;	/* dm-verity under the root (stage_verity.c) */
	/* timings, filled by stages_run */
	const char *stage_names[STAGES_MAX];
	uint64_t stage_ms[STAGES_MAX];
	size_t stages_done;
};

enum stage_fail { STAGE_FATAL, STAGE_WARN };

struct stage {
	const char *name;
	bool (*enabled)(const struct boot_ctx *ctx);	/* NULL: always */
	int (*run)(struct boot_ctx *ctx);		/* 0 or -errno */
	enum stage_fail on_fail;
};

/* The boot order (src/boot/stages.c): from an initramfs, and without one. */
extern const struct stage *const stages[];
extern const size_t stages_count;
extern const struct stage *const stages_noinitramfs[];
extern const size_t stages_noinitramfs_count;

/* The table for this boot: stages_noinitramfs when the kernel mounted the root itself. */
const struct stage *const *stages_for(const struct sys_ops *sys, size_t *ret_n);

/* Run table in order. A STAGE_WARN failure is logged and boot goes on; a STAGE_FATAL one
 * stops the run: returns its -errno and sets *ret_failed to the stage. */
int stages_run(struct boot_ctx *ctx, const struct stage *const *table, size_t n,
	       const struct stage **ret_failed);

/* Run CONFIG_SHELL on the console for param ("init_fatal_sh", "shell") and wait for it;
 * says why not when the build has no shell or the initramfs lacks one. */
void boot_shell(struct boot_ctx *ctx, const char *stage, const char *param, const char *then);

/* Follow the fatal policy once: init_fatal_reboot reboots, init_fatal_sh runs a shell
 * (when built in and present); returns when neither ends things. */
void boot_fatal_once(struct boot_ctx *ctx, const char *why);

/* Never returns: boot_fatal_once, then repeat the reason and wait. PID 1 never exits. */
void boot_fatal(struct boot_ctx *ctx, const char *why) __attribute__((noreturn));

#endif
