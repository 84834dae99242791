/* Device specs (root=, rootrw=): devspec_parse on a NUL-terminated string, devspec_match
 * against a fuzzed device, and devspec_find / devspec_wait / devspec_log_present on the fake
 * sys layer with that device, its sysfs "dev" and "size" files as the input says.
 * Input: spec \0 devname \0 dev-file \0 size-file \0 TYPE \0 LABEL \0 UUID \0 PARTUUID \0
 * PARTLABEL \0 major \0 minor (decimal); missing parts are "". */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include "fake_sys.h"
#include "fuzz.h"
#include "overroot/devspec.h"
#include "overroot/params.h"

enum { P_SPEC, P_NAME, P_DEV, P_SIZE, P_TYPE, P_LABEL, P_UUID, P_PARTUUID, P_PARTLABEL,
       P_MAJOR, P_MINOR };

static void copy_field(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

static void check_parsed(const char *s, const struct devspec *d)
{
	static const char *const prefix[] = { [DEVSPEC_UUID] = "UUID=",
					      [DEVSPEC_PARTUUID] = "PARTUUID=",
					      [DEVSPEC_LABEL] = "LABEL=",
					      [DEVSPEC_PARTLABEL] = "PARTLABEL=" };
	size_t len = strnlen(d->value, sizeof(d->value));

	FUZZ_CHECK(len > 0 && len < sizeof(d->value));
	switch (d->kind) {
	case DEVSPEC_PATH:
		FUZZ_CHECK(d->value[0] == '/');
		FUZZ_CHECK(!strpbrk(d->value, "=:") && !strstr(d->value, ".."));
		FUZZ_CHECK(strcmp(d->value, "/dev/") != 0);
		if (s[0] == '/')
			FUZZ_CHECK(!strcmp(d->value, s));
		else
			FUZZ_CHECK(!strncmp(d->value, "/dev/", 5) && !strcmp(d->value + 5, s));
		FUZZ_CHECK(d->major == 0 && d->minor == 0);
		break;
	case DEVSPEC_MAJMIN: {
		unsigned maj, min;
		char end;

		FUZZ_CHECK(d->major <= 0xfff && d->minor <= 0xfffff);
		FUZZ_CHECK(!strcmp(d->value, s));
		FUZZ_CHECK(sscanf(s, "%u:%u%c", &maj, &min, &end) == 2);
		FUZZ_CHECK(maj == d->major && min == d->minor);
		FUZZ_CHECK(s[0] >= '0' && s[0] <= '9');
		break;
	}
	case DEVSPEC_UUID:
	case DEVSPEC_PARTUUID:
	case DEVSPEC_LABEL:
	case DEVSPEC_PARTLABEL: {
		size_t l = strlen(prefix[d->kind]);

		FUZZ_CHECK(!strncmp(s, prefix[d->kind], l) && !strcmp(d->value, s + l));
		FUZZ_CHECK(d->major == 0 && d->minor == 0);
		break;
	}
	default:
		FUZZ_CHECK(!"unknown kind");
	}
}

/* What a device that is exactly what d asks for looks like, matched. */
static void check_self_match(const struct devspec *d)
{
	struct blkinfo info;

	memset(&info, 0, sizeof(info));
	switch (d->kind) {
	case DEVSPEC_PATH:
		FUZZ_CHECK(devspec_match(d, d->value, 0, 0, NULL));
		return;
	case DEVSPEC_MAJMIN:
		FUZZ_CHECK(devspec_match(d, "/dev/x", d->major, d->minor, NULL));
		FUZZ_CHECK(!devspec_match(d, "/dev/x", d->major + 1, d->minor, NULL));
		return;
	case DEVSPEC_UUID:
	case DEVSPEC_PARTUUID: {
		char *f = d->kind == DEVSPEC_UUID ? info.uuid : info.partuuid;
		if (strlen(d->value) >= sizeof(info.uuid))
			return;
		copy_field(f, sizeof(info.uuid), d->value);
		for (char *p = f; *p; p++)	/* blkid says lower case; users type either */
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		break;
	}
	case DEVSPEC_LABEL:
	case DEVSPEC_PARTLABEL: {
		char *f = d->kind == DEVSPEC_LABEL ? info.label : info.partlabel;
		if (strlen(d->value) >= sizeof(info.label))
			return;
		copy_field(f, sizeof(info.label), d->value);
		break;
	}
	}
	FUZZ_CHECK(devspec_match(d, "/dev/x", 0, 0, &info));
	FUZZ_CHECK(!devspec_match(d, "/dev/x", 0, 0, NULL));	/* no probe: no tag */
}

/* The fake machine: one block device named by the input, with its sysfs files. */
static bool make_machine(const struct fuzz_parts *in, const struct blkinfo *info,
			 unsigned maj, unsigned min)
{
	const char *name = in->part[P_NAME];
	char path[256];

	fake_reset();
	fake_initramfs();
	if (!*name || strchr(name, '/') || strlen(name) > 64 || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return false;
	fake_blk(name, maj, min, info);
	if (in->n > P_DEV) {	/* the kernel writes "MAJ:MIN\n"; read it however it is */
		snprintf(path, sizeof(path), "/sys/class/block/%s/dev", name);
		fake_file(path, in->part[P_DEV], 0444);
	}
	if (in->n > P_SIZE) {
		snprintf(path, sizeof(path), "/sys/class/block/%s/size", name);
		fake_file(path, in->part[P_SIZE], 0444);
	}
	fake_blk("mmcblk0p1", 179, 1, &(struct blkinfo){ .type = "vfat", .label = "bootfs",
							 .uuid = "5DE4-665C",
							 .partuuid = "8a438930-01" });
	return true;
}

static void check_find(const struct devspec *d, const struct fuzz_parts *in)
{
	char found[300];
	int r;

	memset(found, 'X', sizeof(found));
	r = devspec_find(&fake_sys, d, found, sizeof(found));
	FUZZ_CHECK(r == 0 || r == -ENOENT);
	if (r == 0) {
		FUZZ_CHECK(memchr(found, '\0', sizeof(found)) != NULL);
		FUZZ_CHECK(found[0] == '/');
	}
	/* a short wait: every slice advances the fake clock, so this ends */
	r = devspec_wait(&fake_sys, d, in->len[P_SPEC] % 3, found, 8);
	FUZZ_CHECK(r == 0 || r == -ETIMEDOUT || r == -ENOENT);
	if (r == 0)
		FUZZ_CHECK(strnlen(found, 8) < 8);
	/* no uevent socket: the polling path */
	fake_fail("uevent_open", fake_count("uevent_open") + 1, EMFILE);
	r = devspec_wait(&fake_sys, d, 1, found, sizeof(found));
	FUZZ_CHECK(r == 0 || r == -ETIMEDOUT || r == -ENOENT);
	devspec_log_present(&fake_sys, "fuzz");
}

static unsigned to_uint(const char *s)
{
	return (unsigned)strtoul(s, NULL, 10);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_log_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_parts in;
	struct devspec d, d2;
	struct blkinfo info;
	const char *spec;
	int r;

	fuzz_split(data, size, '\0', &in);
	spec = in.part[P_SPEC];
	memset(&d, 0x5a, sizeof(d));
	r = devspec_parse(spec, &d);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	memset(&d2, 0xa5, sizeof(d2));
	FUZZ_CHECK(devspec_parse(spec, &d2) == r);
	FUZZ_CHECK(!memcmp(&d, &d2, sizeof(d)));	/* deterministic, all of it written */

	memset(&info, 0, sizeof(info));
	copy_field(info.type, sizeof(info.type), in.part[P_TYPE]);
	copy_field(info.label, sizeof(info.label), in.part[P_LABEL]);
	copy_field(info.uuid, sizeof(info.uuid), in.part[P_UUID]);
	copy_field(info.partuuid, sizeof(info.partuuid), in.part[P_PARTUUID]);
	copy_field(info.partlabel, sizeof(info.partlabel), in.part[P_PARTLABEL]);
	unsigned maj = to_uint(in.part[P_MAJOR]), min = to_uint(in.part[P_MINOR]);

	if (r == 0) {
		check_parsed(spec, &d);
		check_self_match(&d);
		bool m = devspec_match(&d, in.part[P_NAME], maj, min, &info);
		if (d.kind == DEVSPEC_UUID)
			FUZZ_CHECK(m == !strcasecmp(info.uuid, d.value));
		else if (d.kind == DEVSPEC_LABEL)
			FUZZ_CHECK(m == !strcmp(info.label, d.value));
		if (make_machine(&in, &info, maj, min))
			check_find(&d, &in);
	} else {
		FUZZ_CHECK(!*spec || strlen(spec) >= sizeof(d.value) || strpbrk(spec, "=:.") ||
			   !strcmp(spec, "/dev/") || strlen(spec) + 5 >= sizeof(d.value));
	}
	fuzz_parts_free(&in);
	return 0;
}
