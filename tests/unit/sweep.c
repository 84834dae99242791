/* The failure sweep's engine: see sweep.h. Every run is on the fake, so the same tree
 * tries the same calls with the same errors, in the same order, on every machine. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "fake_sys.h"
#include "overroot/log.h"
#include "sweep.h"

/* What each call can return that changes what overroot does: the I/O error any of them can
 * hit, the full disk where something is written, the kernel out of memory, the busy mount,
 * the vanished path, and the signal where the call can be interrupted. Not EBUSY from a new
 * mount: it means "already mounted there" (overroot takes it so for /proc, /dev...), a
 * state a failure injected into the fake cannot make true; nor ENOENT from rename, unlink
 * or rmdir, where it says the path is gone already. */
static const struct {
	const char *kind;
	int err[SWEEP_ERRS_MAX];
} errors[] = {
	{ "mount", { EIO, ENOMEM, ENOENT } },
	{ "umount", { EBUSY, ENOMEM, ENOENT } },
	{ "mkdir", { EIO, ENOSPC, ENOMEM, ENOENT } },
	{ "rmdir", { EIO, EBUSY } },
	{ "rename", { EIO, ENOSPC, EBUSY } },
	{ "stat", { EIO, ENOMEM, ENOENT } },
	{ "lstat", { EIO, ENOMEM, ENOENT } },
	{ "access", { EIO, ENOENT } },
	{ "readlink", { EIO, ENOENT } },
	{ "open", { EIO, ENOMEM, ENOENT, EINTR } },
	{ "fs_magic", { EIO, ENOMEM } },
	{ "read_file", { EIO, ENOMEM, ENOENT, EINTR } },
	{ "write_file", { EIO, ENOSPC, ENOMEM, EINTR } },
	{ "copy_file", { EIO, ENOSPC, ENOMEM, EINTR } },
	{ "listdir", { EIO, ENOMEM, ENOENT } },
	{ "finit_module", { EIO, ENOMEM, ENOENT, EBUSY } },
	{ "probe", { EIO, ENOMEM } },
	{ "blk_set_ro", { EIO } },
	{ "blk_get_ro", { EIO } },
	{ "uevent_open", { ENOMEM } },
	{ "uevent_wait", { EINTR, ENOMEM } },
	{ "remove_tree", { EIO, EBUSY } },
	{ "spawn_remove_tree", { ENOMEM } },
	{ "pivot_root", { EBUSY, ENOMEM } },
	{ "chroot", { EIO, ENOENT } },
	{ "chdir", { EIO, ENOENT } },
	{ "open_console", { EIO, ENOENT } },
	{ "execv", { ENOENT, ENOMEM, EIO } },
	{ "run_shell", { ENOMEM } },
	{ "reboot", { EIO } },
	{ "unlink", { EIO, EBUSY } },
	{ "symlink", { EIO, ENOSPC } },
	{ "fsync", { EIO, ENOSPC, EINTR } },
	{ "fs_usage", { EIO } },
	{ "unshare", { ENOMEM } },
	{ "dm_ioctl", { EIO, ENOMEM, EBUSY, ENXIO } },
	{ "mknod_blk", { EIO, ENOSPC, ENOMEM } },
	{ "read_at", { EIO, ENOMEM, EINTR } },
	{ "run", { ENOMEM, EINTR } },
};

const int *sweep_errors(const char *kind)
{
	static const int eio[] = { EIO, 0 };

	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (!strcmp(errors[i].kind, kind))
			return errors[i].err;
	return eio;
}

static int capture = -1;
static char kmsg[65536];

int sweep_capture(void)
{
	if (capture < 0)
		capture = memfd_create("kmsg", MFD_CLOEXEC);
	ck_assert_int_ge(capture, 0);
	ck_assert_int_eq(ftruncate(capture, 0), 0);
	lseek(capture, 0, SEEK_SET);
	kmsg[0] = '\0';
	int fd = dup(capture);
	ck_assert_int_ge(fd, 0);
	log_setup(fd, LOG_LVL_DEBUG);
	fake_set_kmsg(fd);
	return fd;
}

const char *sweep_kmsg(void)
{
	ssize_t n = pread(capture, kmsg, sizeof(kmsg) - 1, 0);

	kmsg[n > 0 ? n : 0] = '\0';
	return kmsg;
}

/* A line at notice level or above that holds what. */
static bool kmsg_says(const char *what)
{
	const char *text = sweep_kmsg();

	for (const char *l = text; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0)) {
		size_t len = strcspn(l, "\n");
		const char *hit = memmem(l, len, what, strlen(what));
		if (hit && l[0] == '<' && l[1] >= '0' && l[1] <= '5')
			return true;
	}
	return false;
}

bool sweep_kmsg_names(int err)
{
	const char *path;

	if (kmsg_says(strerror(err)))
		return true;
	/* ENOENT from a look-up is an answer, "not there", and what follows from it (the mkdir
	 * that finds it there after all) is what the log says: the path must be named then */
	fake_failed_kind(&path);
	return err == ENOENT && path[0] && kmsg_says(path);
}

const char *sweep_where(const char *row, unsigned k, const char *kind, int err)
{
	static char buf[160];

	snprintf(buf, sizeof(buf), "%s, call %u (%s) failing with %s", row, k, kind,
		 strerrorname_np(err));
	return buf;
}

static unsigned broken;

void sweep_broken(const char *file, int line, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* the logs of the first only, unless SWEEP_LOGS=1 asks for all */
	bool logs = broken++ == 0 || getenv("SWEEP_LOGS");
	if (broken <= 400)
		printf("%s:%d: %.*s\n", file, line, logs ? (int)sizeof(msg) :
		       (int)strcspn(msg, "\n"), msg);
	fflush(stdout);
}

void sweep(const struct sweep_case *c, const void *rows, size_t n, size_t elem)
{
	static char kinds[8192][32];
	unsigned points = 0, all_calls = 0;

	broken = 0;

	for (size_t i = 0; i < n; i++) {
		const void *row = (const char *)rows + i * elem;
		c->setup(row, true);
		/* the calls the set-up made (mounting the machine's own) are not the case's */
		unsigned before = fake_calls();
		int base = c->run(row);
		unsigned calls = fake_calls() - before;
		ck_assert_uint_le(calls, sizeof(kinds) / sizeof(kinds[0]));
		for (unsigned k = 1; k <= calls; k++)
			snprintf(kinds[k - 1], sizeof(kinds[0]), "%s", fake_call_kind(before + k));
		all_calls += calls;
		for (unsigned k = 1; k <= calls; k++) {
			const int *errs = sweep_errors(kinds[k - 1]);
			for (size_t e = 0; e < SWEEP_ERRS_MAX && errs[e]; e++) {
				c->setup(row, true);
				fake_fail_call(before + k, errs[e]);
				int outcome = c->run(row);
				/* the same calls up to k: the run is deterministic */
				ck_assert_str_eq(fake_failed_kind(NULL), kinds[k - 1]);
				c->check(row, base, outcome, k, kinds[k - 1], errs[e]);
				points++;
			}
		}
	}
	printf("sweep: %s: %zu %s, %u calls, %u failure points (call x error)\n", c->name, n,
	       c->rows, all_calls, points);
	ck_assert_msg(!broken, "%s: %u failure points break an invariant (listed above)", c->name,
		      broken);
}
