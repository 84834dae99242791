/* /run/overroot/status: what the boot did, as key=value lines. The boot's status stage
 * writes it; the booted system's command and systemd's shutdown handback read it. */
#ifndef OVERROOT_STATUSFILE_H
#define OVERROOT_STATUSFILE_H

#include "overroot/sys.h"

#define STATUS_DIR "/run/overroot"
#define STATUS_FILE STATUS_DIR "/status"

/* The file, split into its key=value lines. */
#define STATUS_FILE_MAX 96
struct status_file {
	char text[8192];
	const char *key[STATUS_FILE_MAX], *val[STATUS_FILE_MAX];
	size_t n;
};
int status_file_load(const struct sys_ops *sys, struct status_file *st);	/* 0 or -errno */
const char *status_file_get(const struct status_file *st, const char *key);	/* "" if none */

#endif
