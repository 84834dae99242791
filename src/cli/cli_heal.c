/* Boot counting and the set-aside uppers in the booted system (bootcount.h, aside.h):
 * `overroot boot-ok`, `overroot boot-bad`, `overroot restore ID|--cancel`, and the list that
 * `overroot status` shows. Every write is whole or not at all (bootcount_put). */
#include <errno.h>
#include <string.h>
#include "overroot/aside.h"
#include "overroot/bootcount.h"
#include "overroot/cli.h"

static struct status_file st;	/* 8 KiB: not on the stack */

/* A write of boot-ok, boot-bad or restore refused by a full data partition (ENOSPC): the
 * reserve that boot counting keeps there is given back for it, and it is tried once more (the
 * next boot makes the reserve again). */
static bool spare(const struct sys_ops *sys, const char *cmd, FILE *out)
{
	if (sys->unlink(BOOTCOUNT_RESERVE) < 0 || sys->fsync(CLI_RW_MOUNT) < 0)
		return false;
	fprintf(out, "overroot %s: the data partition is full: reserve " BOOTCOUNT_RESERVE
		" given back for this write (the next boot makes it again)\n", cmd);
	return true;
}

/* Root, and a persistent overlay: the directory of the upper in use into home. */
static int begin(const struct sys_ops *sys, const char *cmd, const char *then, char *home,
		 size_t size, FILE *err)
{
	if (sys->geteuid() != 0) {
		fprintf(err, "overroot %s: only root can do this\n", cmd);
		return CLI_FAIL;
	}
	int r = status_file_load(sys, &st);
	if (r < 0) {
		fprintf(err, "overroot %s: read " STATUS_FILE ": %s (was this system booted by "
			"overroot?)\n", cmd, strerror(-r));
		return CLI_USAGE;
	}
	const char *mode = status_file_get(&st, "mode"), *upper = status_file_get(&st, "upper");
	const char *slash = strrchr(upper, '/');
	if (strcmp(mode, "overlay") || !slash) {
		fprintf(err, "overroot %s: no persistent overlay (mode=%s): %s\n", cmd, mode, then);
		return CLI_FAIL;
	}
	snprintf(home, size, "%.*s", (int)(slash - upper), upper);
	return CLI_OK;
}

static int boot_verdict(const struct sys_ops *sys, int argc, FILE *out, FILE *err, bool bad)
{
	const char *cmd = bad ? "boot-bad" : "boot-ok";
	struct bootcount bc;
	char home[128], why[256];

	if (argc != 1) {
		fprintf(err, "usage: overroot %s\n", cmd);
		return CLI_USAGE;
	}
	int r = begin(sys, cmd, bad ? "nothing to set aside" : "nothing to confirm", home,
		      sizeof(home), err);
	if (r != CLI_OK)
		return r;
	const char *tries = status_file_get(&st, "tries"), *of = strchr(tries, '/');
	if (!of) {	/* off, or from an overroot before boot counting */
		fprintf(bad ? err : out, "overroot %s: this boot is not counted (rootrwtries= is "
			"not set): %s\n", cmd, bad ? "nothing would act on it ('overroot reset' "
			"starts the next boot from an empty upper)" : "nothing to confirm");
		return bad ? CLI_FAIL : CLI_OK;
	}
	/* what is not a count is replaced; a count that cannot be read now is left alone */
	if ((r = bootcount_read(sys, home, &bc, why, sizeof(why))) < 0) {
		fprintf(err, "overroot %s: %s%s\n", cmd, why,
			BOOTCOUNT_UNSAFE(r) ? ": replaced" : "");
		if (!BOOTCOUNT_UNSAFE(r))
			return CLI_FAIL;
	}
	if (!bad && bc.bad) {
		fputs("overroot boot-ok: this boot was declared bad (overroot boot-bad): not "
		      "confirmed; the next boot sets the upper aside\n", err);
		return CLI_FAIL;
	}
	if (bad ? bc.bad : !bc.count) {
		fprintf(out, "overroot %s: already %s\n", cmd, bad ? "declared bad" : "confirmed");
		return CLI_OK;
	}
	unsigned was = bc.count;
	bc.count = bad ? bc.count : 0;
	bc.bad = bad;
	if ((r = bootcount_write(sys, home, &bc)) == -ENOSPC && spare(sys, cmd, out))
		r = bootcount_write(sys, home, &bc);
	if (r < 0) {
		fprintf(err, "overroot %s: write %s/" BOOTCOUNT_NAME ": %s\n", cmd, home,
			strerror(-r));
		return CLI_FAIL;
	}
	if (bad)
		fputs("overroot boot-bad: this boot is declared bad: the next boot sets the upper "
		      "aside (kept in " ASIDE_DIR ") and starts a fresh one\n", out);
	else
		fprintf(out, "overroot boot-ok: boot confirmed: the count of boots in a row not "
			"confirmed goes from %u to 0 (of %s)\n", was, of + 1);
	return CLI_OK;
}

int cli_boot_ok(const struct sys_ops *sys, int argc, char **argv, FILE *out, FILE *err)
{
	return boot_verdict(sys, argc, out, err, false);
}

int cli_boot_bad(const struct sys_ops *sys, int argc, char **argv, FILE *out, FILE *err)
{
	return boot_verdict(sys, argc, out, err, true);
}

int cli_restore(const struct sys_ops *sys, int argc, char **argv, FILE *out, FILE *err)
{
	bool cancel = argc == 2 && !strcmp(argv[1], "--cancel");
	unsigned id = argc == 2 ? aside_id(argv[1]) : 0;
	char home[128], path[96], text[48];
	struct stat s;

	if (argc != 2 || (!cancel && !id)) {
		fputs("usage: overroot restore ID|--cancel   (overroot status lists the IDs)\n",
		      err);
		return CLI_USAGE;
	}
	int r = begin(sys, "restore", "nothing to restore", home, sizeof(home), err);
	if (r != CLI_OK)
		return r;
	if (cancel) {
		if ((r = sys->unlink(ASIDE_RESTORE)) == -ENOENT) {
			fputs("overroot restore: no restore pending\n", out);
			return CLI_OK;
		}
		if (r < 0 || (r = sys->fsync(CLI_RW_MOUNT)) < 0) {
			fprintf(err, "overroot restore: remove " ASIDE_RESTORE ": %s\n",
				strerror(-r));
			return CLI_FAIL;
		}
		fputs("overroot restore: cancelled: removed " ASIDE_RESTORE "\n", out);
		return CLI_OK;
	}
	snprintf(path, sizeof(path), ASIDE_DIR "/%u/upper", id);
	if ((r = sys->lstat(path, &s)) < 0 || !S_ISDIR(s.st_mode)) {
		fprintf(err, "overroot restore: no set-aside upper %u (%s: %s; overroot status "
			"lists them)\n", id, path, r < 0 ? strerror(-r) : "not a directory");
		return CLI_FAIL;
	}
	snprintf(text, sizeof(text), ASIDE_RESTORE_HEAD "%u\n", id);
	if ((r = bootcount_put(sys, ASIDE_RESTORE, text)) == -ENOSPC && spare(sys, "restore", out))
		r = bootcount_put(sys, ASIDE_RESTORE, text);
	if (r < 0) {
		fprintf(err, "overroot restore: write " ASIDE_RESTORE ": %s\n", strerror(-r));
		return CLI_FAIL;
	}
	fprintf(out, "overroot restore: the next boot brings back the upper set aside in "
		ASIDE_DIR "/%u and sets the one in %s aside in its place ('overroot restore "
		"--cancel' undoes this)\n", id, home);
	return CLI_OK;
}
