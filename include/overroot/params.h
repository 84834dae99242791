/* Boot parameters: the one table of every kernel command-line word overroot reads, with
 * its default and meaning (the README and overroot(8) are checked against it). */
#ifndef OVERROOT_PARAMS_H
#define OVERROOT_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include "overroot/cmdline.h"

#define PARAM_FOREVER ((unsigned)-1)

enum rw_fallback { RW_FALLBACK_RO, RW_FALLBACK_TMPFS, RW_FALLBACK_FATAL };
/* What a boot does when the upper was made on another root (rootid.h). */
enum rw_onchange { RW_ONCHANGE_ASIDE, RW_ONCHANGE_KEEP, RW_ONCHANGE_SLOT };

struct params {
	/* rootfs */
	const char *root;		/* NULL: none given */
	const char *rootfstype;		/* NULL: probe */
	const char *rootflags;		/* NULL: none */
	bool rw;			/* the last of ro/rw; ro by default */
	unsigned root_timeout_s;	/* PARAM_FOREVER for bare rootwait */
	unsigned rootdelay_s;
	const char *init;
	const char *rootinit;		/* NULL: /sbin/init (when overroot is init=) */
	/* overlayroot */
	const char *rootrw;
	const char *rootrwfstype;
	const char *rootrwoptions;
	bool rootrwreset;
	unsigned rootrw_timeout_s;
	enum rw_fallback rootrwfallback;
	enum rw_onchange rootrwonchange;
	bool rootro_lock;		/* BLKROSET on the root device while the overlay is up */
	/* dm-verity under the overlay (verity.c): systemd's words */
	const char *roothash;		/* hex; NULL: none */
	const char *verity_data;	/* systemd.verity_root_data, any root= form */
	const char *verity_hash;	/* systemd.verity_root_hash */
	const char *verity_options;	/* systemd.verity_root_options, comma-separated */
	bool verity;			/* systemd.verity / rd.systemd.verity; yes by default */
	/* modules, debugging, failure */
	const char *modules_load;	/* rd.modules-load, comma-separated */
	bool debug;
	bool quiet;
	bool fatal_reboot;
	bool fatal_sh;
	bool shell;			/* break to a shell before the hand-over */
};

enum param_type {
	PARAM_STR,		/* the value as typed */
	PARAM_FLAG,		/* present or not */
	PARAM_SECONDS,		/* a whole number of seconds */
	PARAM_YESNO,		/* yes/no/1/0/true/false/on/off; bare word = yes */
	PARAM_FALLBACK,		/* ro|tmpfs|fatal */
	PARAM_ONCHANGE,		/* aside|keep|slot */
	PARAM_RO, PARAM_RW,	/* the last of the two wins */
	PARAM_ROOTWAIT,		/* bare: forever; =N: N seconds */
};

/* One parameter: how it is read, and its documentation (overroot(8), the README and the
 * drift test all come from this table). Aliases share a field; the first listed wins. */
struct param_def {
	const char *name;	/* as typed, e.g. "rd.modules-load" */
	enum param_type type;
	size_t offset;		/* into struct params */
	const char *def;	/* default, as a user reads it */
	const char *meaning;
	const char *also;	/* who else reads the same word */
};

extern const struct param_def params_table[];
extern const size_t params_count;

typedef void (*params_warn_fn)(const char *msg);

/* Fill p from the command line. Bad values (a non-number timeout, an unknown fallback)
 * are reported through warn naming the parameter and the value used instead. */
void params_from_cmdline(struct params *p, const struct cmdline *c, params_warn_fn warn);

#endif
