/* mount(8)-style option strings ("ro,noatime,data=ordered") -> MS_* flags + fs data. */
#ifndef OVERROOT_MOUNTOPTS_H
#define OVERROOT_MOUNTOPTS_H

#include <stddef.h>

struct mountopts {
	unsigned long flags;	/* MS_RDONLY, MS_NOATIME, ... */
	char data[512];		/* the options the kernel flags do not cover, comma-joined */
};

/* Parse s into *ret (flags are OR-ed into ret->flags, data appended). Known words:
 * ro rw exec noexec suid nosuid dev nodev sync async dirsync atime noatime diratime
 * nodiratime relatime norelatime strictatime lazytime nolazytime mand nomand silent loud
 * defaults. Everything else is passed as data. Empty items are skipped.
 * Returns 0, or -E2BIG when data would overflow (ret is then left with what fit). */
int mountopts_parse(const char *s, struct mountopts *ret);

/* Remove from data every option named in drop (a NULL-terminated list of names, matched
 * on the part before '='); each removed option is copied into removed (comma-joined).
 * Used to drop tmpfs-only options (mode=, size=) before mounting a block filesystem. */
void mountopts_drop(struct mountopts *m, const char *const *drop, char *removed, size_t size);

#endif
