/* Inside kmod: what the loader (kmod_load.c) uses of the files' reader (kmod.c). */
#ifndef OVERROOT_KMOD_INDEX_H
#define OVERROOT_KMOD_INDEX_H

#include <stddef.h>
#include "overroot/sys.h"

#define KMOD "kmod"	/* the log's tag */

/* The module a path in [s, e) holds: its basename without the .ko suffix. */
const char *kmod_path_name(const char *s, const char *e, size_t *ret_len);

/* Call fn for each item of txt, which ends at a character of sep; one of cut (which holds
 * sep) ends the useful part early. Items are trimmed and copied: txt is left alone. */
void kmod_each_item(const char *txt, const char *sep, const char *cut,
		    void (*fn)(const char *name, void *arg), void *arg);

/* Read a whole file into a new, NUL-terminated buffer, for the caller to free. */
int kmod_read_whole(const struct sys_ops *sys, const char *path, char **ret);

#endif
