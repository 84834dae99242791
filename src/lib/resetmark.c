/* The reset mark (see resetmark.h): read by the overlayroot stage at boot and by
 * `overroot status`. The rw partition is not trusted: the mark is looked at with lstat, so
 * a symlink never leads the boot to read (or a reset to be decided by) another file. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "overroot/resetmark.h"

int resetmark_read(const struct sys_ops *sys, const char *dir, char *why, size_t size)
{
	char path[256], text[sizeof(RESETMARK_TEXT) + 1];
	struct stat st;
	int r;

	snprintf(path, sizeof(path), "%s/" RESETMARK_NAME, dir);
	r = sys->lstat(path, &st);
	if (r == -ENOENT)
		return 0;
	if (r == 0 && !S_ISREG(st.st_mode))
		r = -EINVAL;
	else if (r == 0 && st.st_size != (off_t)strlen(RESETMARK_TEXT))
		r = -EFBIG;
	if (r < 0) {
		snprintf(why, size, "reset mark %s: %s", path,
			 r == -EINVAL ? "not a regular file" :
			 r == -EFBIG ? "not the size of a mark" : strerror(-r));
		return r;
	}
	ssize_t n = sys->read_file(path, text, sizeof(text));
	if (n < 0 || strcmp(text, RESETMARK_TEXT)) {
		snprintf(why, size, "reset mark %s: %s", path,
			 n < 0 ? strerror((int)-n) : "not what overroot reset writes");
		return n < 0 ? (int)n : -EBADMSG;
	}
	return 1;
}
