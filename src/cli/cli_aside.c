/* `overroot status`'s part on set-aside uppers (aside.h): each with why, when (the wall clock
 * and the boot sequence number: a Pi without a real-time clock may have the first wrong), the
 * root it was made on and the space it holds; the other slots' uppers too. */
#include <stdlib.h>
#include <string.h>
#include "overroot/aside.h"
#include "overroot/cli.h"

#define SLOTS CLI_RW_MOUNT "/" ROOTID_SLOTS_NAME

struct walk {
	const struct sys_ops *sys;
	char path[512];
	uint64_t bytes;
	unsigned depth;
};

/* The space a tree holds (its blocks, as du), never through a link. */
static int walk_one(const char *name, void *arg)
{
	struct walk *w = arg;
	size_t l = strlen(w->path);
	struct stat st;

	snprintf(w->path + l, sizeof(w->path) - l, "/%s", name);
	if (w->sys->lstat(w->path, &st) == 0) {
		w->bytes += (uint64_t)st.st_blocks * 512;
		if (S_ISDIR(st.st_mode) && w->depth < 32) {
			w->depth++;
			w->sys->listdir(w->path, walk_one, w);
			w->depth--;
		}
	}
	w->path[l] = '\0';
	return 0;
}

/* Text from the rw partition, fit for a line and a JSON string: control bytes, quotes and
 * backslashes made '?'. */
static char *printable(char *s)
{
	for (char *c = s; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == '"' || *c == '\\')
			*c = '?';
	return s;
}

/* "key=value" of the info's text into buf ("" when missing). */
static const char *info_get(const char *text, const char *key, char *buf, size_t size)
{
	size_t kl = strlen(key);
	const char *l = text;

	buf[0] = '\0';
	for (; l && (strncmp(l, key, kl) || l[kl] != '='); l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		;
	if (l)
		snprintf(buf, size, "%.*s", (int)strcspn(l + kl + 1, "\n"), l + kl + 1);
	return printable(buf);
}

/* Seconds since 1970 as "YYYY-MM-DD HH:MM UTC" (the civil calendar from a day count). */
static void utc(unsigned long long t, char *buf, size_t size)
{
	long long z = (long long)(t / 86400) + 719468, era = z / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;

	snprintf(buf, size, "%lld-%02u-%02u %02llu:%02llu UTC", yoe + era * 400 + (m <= 2), m, d,
		 t % 86400 / 3600, t % 3600 / 60);
}

struct list {
	const struct sys_ops *sys;
	const char *dir, *in_use;	/* what is listed; the slot of the upper in use */
	FILE *out;
	bool json, slots;
	unsigned n;
};

static int list_one(const char *name, void *arg)
{
	struct list *li = arg;
	bool slot = li->slots;
	struct walk w = { .sys = li->sys };
	char text[512] = "", path[600], reason[128], t[32], boot[16], root[ROOTID_MAX], why[64];
	struct stat st;

	snprintf(w.path, sizeof(w.path), "%s/%s", li->dir, name);
	if ((!slot && !aside_id(name)) || (slot && strstr(li->in_use, w.path)) ||
	    li->sys->lstat(w.path, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	snprintf(path, sizeof(path), "%s/" ASIDE_INFO_NAME, w.path);
	if (li->sys->lstat(path, &st) < 0)	/* a set-aside cut short: its info's first half */
		snprintf(path, sizeof(path), "%s/" ASIDE_INFO_NAME ".tmp", w.path);
	if (li->sys->lstat(path, &st) == 0 && S_ISREG(st.st_mode))
		li->sys->read_file(path, text, sizeof(text));
	if (!info_get(text, "reason", reason, sizeof(reason))[0])
		snprintf(reason, sizeof(reason), slot ? "a slot: another root's own upper "
			 "(rootrwonchange=slot)" : "root changed (rootrwonchange=aside)");
	unsigned long long when = strtoull(info_get(text, "time", t, sizeof(t)), NULL, 10);
	info_get(text, "boot", boot, sizeof(boot));
	if (rootid_stamp_read(li->sys, w.path, root, sizeof(root), why, sizeof(why)) != 1)
		snprintf(root, sizeof(root), "unknown");
	printable(root);
	li->sys->listdir(w.path, walk_one, &w);
	if (li->json) {
		fprintf(li->out, "%s{\"id\":\"%s%s\",\"reason\":\"%s\",\"time\":%llu,\"boot\":%s,"
			"\"root\":\"%s\",\"bytes\":%llu}", li->n++ ? "," : "", slot ? "slot/" : "",
			name, reason, when, boot[0] ? boot : "0", root,
			(unsigned long long)w.bytes);
		return 0;
	}
	if (when)
		utc(when, t, sizeof(t));
	fprintf(li->out, "%s  %s%s: %s; %s%sboot %s; root %s; %llu KiB\n", li->n++ ? "" :
		slot ? "other slots' uppers (" SLOTS "):\n" : "set aside (" ASIDE_DIR ", "
		"'overroot restore ID' brings one back):\n", slot ? "slot " : "", name, reason,
		when ? t : "", when ? " (the clock may be wrong), " : "",
		strtoul(boot, NULL, 10) ? boot : "not counted", root,
		(unsigned long long)(w.bytes / 1024));
	return 0;
}

void cli_aside_list(const struct sys_ops *sys, const struct status_file *st, FILE *out,
		    bool json)
{
	struct list li = { .sys = sys, .in_use = status_file_get(st, "upper"), .out = out,
			   .json = json };
	unsigned id;
	char why[160];

	if (json)
		fputs(",\"set_aside\":[", out);
	for (int i = 0; i < 2; i++) {
		li.dir = i ? SLOTS : ASIDE_DIR;
		li.slots = i;
		li.n = json ? li.n : 0;
		sys->listdir(li.dir, list_one, &li);
	}
	int r = aside_restore_read(sys, &id, why, sizeof(why));
	if (json)
		fprintf(out, "],\"restore\":\"%s\",\"restore_id\":%u", r > 0 ? "pending" :
			r < 0 ? "ignored" : "none", r > 0 ? id : 0);
	else if (r > 0)
		fprintf(out, "restore:  pending: the next boot brings back " ASIDE_DIR "/%u "
			"(overroot restore --cancel keeps the upper)\n", id);
	else if (r < 0)
		fprintf(out, "restore:  %s: the boot will ignore it\n", why);
}
