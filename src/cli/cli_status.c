/* `overroot status [--json]`: /run/overroot/status for a person or a script, with how full
 * the upper is and whether a reset is pending. Exit 0 only with a persistent overlay
 * (mode=overlay): `overroot status >/dev/null && ...` is the test a script wants. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include "overroot/cli.h"
#include "overroot/dm.h"
#include "overroot/resetmark.h"

struct extra {
	bool usage;		/* the rw filesystem's numbers are there */
	uint64_t size, used, avail;
	int reset;		/* resetmark_read(): 1 pending, 0 none, < 0 ignored */
	char reset_why[320];
};

static const char *mode_text(const char *mode)
{
	if (!strcmp(mode, "overlay"))
		return "persistent: changes survive a reboot";
	if (!strcmp(mode, "tmpfs"))
		return "volatile: changes are lost at reboot";
	if (!strcmp(mode, "read-only"))
		return "no overlay: the root cannot be written";
	if (!strcmp(mode, "read-write"))
		return "no overlay: changes go to the root itself";
	return "unknown";
}

/* 1234567 -> "1.1 MiB" */
static const char *human_size(uint64_t n, char *buf, size_t size)
{
	static const char units[][4] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned u = 0;
	uint64_t tenths = n * 10;

	while (n >= 1024 && u < 4) {
		tenths = n * 10 / 1024;
		n /= 1024;
		u++;
	}
	snprintf(buf, size, "%llu.%llu %s", (unsigned long long)(tenths / 10),
		 (unsigned long long)(tenths % 10), units[u]);
	return buf;
}

/* Which root the upper belongs to, and what the boot did when it was another (rootid.c). */
static void root_id_lines(const struct status_file *st, FILE *out)
{
	const char *state = status_file_get(st, "root_id_state"), *id = status_file_get(st, "root_id");
	const char *action = status_file_get(st, "root_id_action");

	if (!state[0])
		return;
	fprintf(out, "root id:  %s\n          ", id[0] ? id : "unknown");
	if (!strcmp(state, "same"))
		fputs("the upper was made on this root", out);
	else if (!strcmp(state, "first"))
		fputs("a new upper for this root", out);
	else if (!strcmp(state, "changed"))
		fprintf(out, "CHANGED at this boot: the upper was made on %s",
			status_file_get(st, "root_id_was"));
	else
		fputs("not compared", out);
	fprintf(out, "%s%s\n", action[0] ? "; " : "", action);
}

/* The kernel's verity status now, not at boot: C once it has read a bad block since. */
static void verity_live(const struct sys_ops *sys, struct status_file *st)
{
	struct stat s;
	char type[16], line[64];

	for (size_t i = 0; i < st->n; i++) {
		if (strcmp(st->key[i], "verity_status"))
			continue;
		int r = sys->stat(status_file_get(st, "verity_device"), &s);
		struct dm_dev d = { .major = major(s.st_rdev), .minor = minor(s.st_rdev) };
		if (r == 0)
			r = dm_status(sys, &d, false, type, line, sizeof(line));
		st->val[i] = r < 0 ? "unknown" : line[0] == 'V' ? "verified" : "corrupted";
	}
}

static void print_human(const struct status_file *st, const struct extra *x, FILE *out)
{
	const char *mode = status_file_get(st, "mode"), *why = status_file_get(st, "fallback_reason");
	char a[32], b[32], c[32];

	fprintf(out, "mode:     %s (%s)\n", mode, mode_text(mode));
	if (!strcmp(status_file_get(st, "boot"), "noinitramfs"))
		fputs("boot:     without an initramfs (init= on the root)\n", out);
	else if (status_file_get(st, "boot")[0])
		fputs("boot:     from the initramfs\n", out);
	if (why[0])
		fprintf(out, "why:      overlay NOT active: %s\n", why);
	fprintf(out, "root:     %s (%s)%s%s\n", status_file_get(st, "root_device"),
		status_file_get(st, "root_type"), status_file_get(st, "lower")[0] ?
		", read-only on " : "", status_file_get(st, "lower"));
	fprintf(out, "locked:   %s\n", !strcmp(status_file_get(st, "root_locked"), "yes") ?
		"yes (the kernel's read-only flag, BLKROSET)" : "no");
	if (status_file_get(st, "rw_device")[0])
		fprintf(out, "rw:       %s (%s) on %s, upper %s\n", status_file_get(st, "rw_device"),
			status_file_get(st, "rw_type"), status_file_get(st, "rw_mount"),
			status_file_get(st, "upper"));
	root_id_lines(st, out);
	if (strcmp(status_file_get(st, "verity"), "off") && status_file_get(st, "verity")[0])
		fprintf(out, "verity:   %s (dm-verity by %s on %s: data %s, hash %s, root hash %s, "
			"bad blocks: %s)\n", status_file_get(st, "verity_status"),
			status_file_get(st, "verity"), status_file_get(st, "verity_device"),
			status_file_get(st, "verity_data_device"),
			status_file_get(st, "verity_hash_device"),
			status_file_get(st, "verity_root_hash"),
			status_file_get(st, "verity_on_corruption"));
	if (x->usage) {
		uint64_t all = x->used + x->avail;
		fprintf(out, "upper:    %s used of %s (%llu%%), %s free\n",
			human_size(x->used, a, sizeof(a)), human_size(x->size, b, sizeof(b)),
			(unsigned long long)(all ? (x->used * 100 + all - 1) / all : 0),
			human_size(x->avail, c, sizeof(c)));
	}
	if (x->reset > 0)
		fputs("reset:    pending: the next boot starts from an empty upper "
		      "(overroot reset --cancel keeps it)\n", out);
	else if (x->reset < 0)
		fprintf(out, "reset:    %s: the boot will ignore it\n", x->reset_why);
	fputs("stages:  ", out);
	for (size_t i = 0; i < st->n; i++) {
		size_t l = strlen(st->key[i]);
		if (strncmp(st->key[i], "time_", 5) || l < 9 || strcmp(st->key[i] + l - 3, "_ms"))
			continue;
		fprintf(out, " %.*s %s ms", (int)(l - 8), st->key[i] + 5, st->val[i]);
	}
	fprintf(out, "\nversion:  %s\n", status_file_get(st, "version"));
}

/* A JSON string: the status values are already free of control bytes (stage_status.c),
 * but this does not rely on it. */
static void json_str(const char *s, FILE *out)
{
	putc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(out, "\\u%04x", (unsigned)*s);
		else
			putc(*s, out);
	}
	putc('"', out);
}

static void print_json(const struct status_file *st, const struct extra *x, FILE *out)
{
	fprintf(out, "{\"persistent\":%s", strcmp(status_file_get(st, "mode"), "overlay") ?
		"false" : "true");
	for (size_t i = 0; i < st->n; i++) {
		if (!strncmp(st->key[i], "time_", 5))
			continue;
		fputc(',', out);
		json_str(st->key[i], out);
		fputc(':', out);
		json_str(st->val[i], out);
	}
	fputs(",\"time_ms\":{", out);
	for (size_t i = 0, first = 1; i < st->n; i++) {
		size_t l = strlen(st->key[i]);
		if (strncmp(st->key[i], "time_", 5) || l < 9 || strcmp(st->key[i] + l - 3, "_ms"))
			continue;
		fprintf(out, "%s\"%.*s\":%llu", first ? "" : ",", (int)(l - 8), st->key[i] + 5,
			strtoull(st->val[i], NULL, 10));
		first = 0;
	}
	fputc('}', out);
	if (x->usage)
		fprintf(out, ",\"upper_size_bytes\":%llu,\"upper_used_bytes\":%llu,"
			"\"upper_avail_bytes\":%llu", (unsigned long long)x->size,
			(unsigned long long)x->used, (unsigned long long)x->avail);
	fprintf(out, ",\"reset\":\"%s\"", x->reset > 0 ? "pending" : x->reset < 0 ? "ignored"
			: "none");
	fputs("}\n", out);
}

int cli_status(const struct sys_ops *sys, int argc, char **argv, FILE *out, FILE *err)
{
	static struct status_file st;
	struct extra x = { .usage = false };
	bool json = argc == 2 && !strcmp(argv[1], "--json");

	if (argc > 2 || (argc == 2 && !json)) {
		fputs("usage: overroot status [--json]\n", err);
		return CLI_USAGE;
	}
	int r = status_file_load(sys, &st);
	if (r < 0) {
		fprintf(err, "overroot: read " STATUS_FILE ": %s: was this system booted by "
			"overroot?\n", strerror(-r));
		return CLI_USAGE;
	}
	verity_live(sys, &st);
	const char *mode = status_file_get(&st, "mode");
	bool overlay = !strcmp(mode, "overlay") || !strcmp(mode, "tmpfs");
	uint64_t free_bytes;
	if (overlay && sys->fs_usage(CLI_RW_MOUNT, &x.size, &free_bytes, &x.avail) == 0) {
		x.usage = true;
		x.used = free_bytes < x.size ? x.size - free_bytes : 0;
	}
	if (!strcmp(mode, "overlay"))
		x.reset = resetmark_read(sys, CLI_RW_MOUNT, x.reset_why, sizeof(x.reset_why));
	if (json)
		print_json(&st, &x, out);
	else
		print_human(&st, &x, out);
	return strcmp(mode, "overlay") ? CLI_FAIL : CLI_OK;
}
