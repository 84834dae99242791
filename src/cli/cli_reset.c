/* `overroot reset [--cancel]`: ask the next boot for an empty upper, the way rootrwreset=yes
 * does it (the boot moves the old upper aside in one rename and deletes it in the
 * background), by a mark on the rw partition. The mark appears whole or not at all: it is
 * written under a temporary name, synced, renamed into place, and the directory synced, so a
 * power cut at any point leaves the old state or the new one. */
#include <errno.h>
#include <string.h>
#include "overroot/cli.h"
#include "overroot/resetmark.h"

#define MARK CLI_RW_MOUNT "/" RESETMARK_NAME
#define MARK_TMP MARK ".tmp"

static int fail(FILE *err, const char *what, int r)
{
	fprintf(err, "overroot reset: %s: %s\n", what, strerror(-r));
	return CLI_FAIL;
}

static int mark(const struct sys_ops *sys, FILE *out, FILE *err)
{
	int r = sys->write_file(MARK_TMP, RESETMARK_TEXT, strlen(RESETMARK_TEXT));

	if (r == 0 && (r = sys->fsync(MARK_TMP)) == 0 && (r = sys->rename(MARK_TMP, MARK)) == 0)
		r = sys->fsync(CLI_RW_MOUNT);
	if (r < 0) {
		/* a leftover temporary file is harmless (the boot only reads MARK) but untidy */
		sys->unlink(MARK_TMP);
		return fail(err, "write " MARK, r);
	}
	fputs("overroot reset: wrote " MARK ": the next boot starts from an empty upper (the "
	      "current one is deleted then, in the background); 'overroot reset --cancel' undoes "
	      "this\n", out);
	return CLI_OK;
}

static int cancel(const struct sys_ops *sys, FILE *out, FILE *err)
{
	struct stat st;
	int r = sys->lstat(MARK, &st);

	if (r == -ENOENT) {
		fputs("overroot reset: no reset pending\n", out);
		return CLI_OK;
	}
	if (r == 0 && S_ISDIR(st.st_mode)) {
		fputs("overroot reset: " MARK " is a directory, not a mark overroot wrote: the "
		      "boot ignores it; remove it by hand\n", err);
		return CLI_FAIL;
	}
	if (r < 0 || (r = sys->unlink(MARK)) < 0 || (r = sys->fsync(CLI_RW_MOUNT)) < 0)
		return fail(err, "remove " MARK, r);
	fputs("overroot reset: cancelled: removed " MARK ", the upper is kept\n", out);
	return CLI_OK;
}

int cli_reset(const struct sys_ops *sys, int argc, char **argv, FILE *out, FILE *err)
{
	static struct status_file st;
	bool undo = argc == 2 && !strcmp(argv[1], "--cancel");

	if (argc > 2 || (argc == 2 && !undo)) {
		fputs("usage: overroot reset [--cancel]\n", err);
		return CLI_USAGE;
	}
	if (sys->geteuid() != 0) {
		fputs("overroot reset: only root can do this\n", err);
		return CLI_FAIL;
	}
	int r = status_file_load(sys, &st);
	if (r < 0)
		return fail(err, "read " STATUS_FILE " (was this system booted by overroot?)", r);
	const char *mode = status_file_get(&st, "mode");
	if (strcmp(mode, "overlay")) {
		fprintf(err, "overroot reset: the overlay is not on a partition (mode=%s): %s\n",
			mode, !strcmp(mode, "tmpfs") ? "the upper is in RAM, every boot starts "
			"empty" : "there is no upper to reset");
		return CLI_FAIL;
	}
	return undo ? cancel(sys, out, err) : mark(sys, out, err);
}
