/* sys_ops.probe for real: what libblkid says about one block device. Kept apart from
 * sys_linux.c so the unit tests (built for the host, without libblkid) can use the rest. */
#include <blkid/blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include "sys_linux.h"

static void copy(blkid_probe pr, const char *name, char *dst, size_t size)
{
	const char *v = NULL;

	dst[0] = '\0';
	if (blkid_probe_lookup_value(pr, name, &v, NULL) == 0 && v)
		snprintf(dst, size, "%s", v);
}

/* The block filesystems the kernel has now ("\text4" lines of /proc/filesystems; "nodev"
 * ones need no device), NULL-terminated in names. Returns how many. */
static size_t kernel_filesystems(char *buf, size_t size, char **names, size_t max)
{
	int fd = open("/proc/filesystems", O_RDONLY | O_CLOEXEC);
	size_t n = 0;

	if (fd < 0)
		return 0;
	ssize_t len = read(fd, buf, size - 1);
	close(fd);
	buf[len > 0 ? len : 0] = '\0';
	for (char *line = buf, *next; *line && n + 1 < max; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (line[0] == '\t')
			names[n++] = line + 1;
	}
	names[n] = NULL;
	return n;
}

/* Probe once: only the kernel's filesystems when known is set (a handful of probers, not
 * fifty: under emulation every prober's first run is expensive, and the kernel could not
 * mount the others anyway until their module is loaded). */
static int probe_once(const char *devpath, unsigned what, char **known, struct blkinfo *ret);

int sys_linux_probe(const char *devpath, unsigned what, struct blkinfo *ret)
{
	char buf[2048], *names[64];

	if ((what & PROBE_FS) && kernel_filesystems(buf, sizeof(buf), names, 64) > 0) {
		int r = probe_once(devpath, what, names, ret);
		if (r < 0 || ret->type[0])
			return r;
		/* nothing the kernel knows yet: its module may still be loaded (fs-<type>) */
	}
	return probe_once(devpath, what, NULL, ret);
}

static int probe_once(const char *devpath, unsigned what, char **known, struct blkinfo *ret)
{
	blkid_probe pr = blkid_new_probe_from_filename(devpath);

	memset(ret, 0, sizeof(*ret));
	if (!pr)
		return errno ? -errno : -EIO;
	/* Only what was asked: filesystems (not RAID or crypto members, whose probers read
	 * the end of the device), and the partition table only for PART* specs. */
	blkid_probe_enable_superblocks(pr, (what & PROBE_FS) != 0);
	if (what & PROBE_FS) {
		blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_LABEL | BLKID_SUBLKS_UUID |
						  BLKID_SUBLKS_TYPE);
		if (known)
			blkid_probe_filter_superblocks_type(pr, BLKID_FLTR_ONLYIN, known);
		else
			blkid_probe_filter_superblocks_usage(pr, BLKID_FLTR_ONLYIN,
							     BLKID_USAGE_FILESYSTEM);
	}
	/* PART_ENTRY_* come from the parent disk's partition table: PARTUUID is not in the
	 * kernel's uevent on stock kernels, so it has to be read here. */
	blkid_probe_enable_partitions(pr, (what & PROBE_PART) != 0);
	if (what & PROBE_PART)
		blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	/* safeprobe: two filesystem signatures on one device is an error, not a guess */
	int r = blkid_do_safeprobe(pr);
	if (r < 0) {
		blkid_free_probe(pr);
		return r == -2 ? -EUCLEAN : -EIO;
	}
	copy(pr, "TYPE", ret->type, sizeof(ret->type));
	copy(pr, "LABEL", ret->label, sizeof(ret->label));
	copy(pr, "UUID", ret->uuid, sizeof(ret->uuid));
	copy(pr, "PART_ENTRY_UUID", ret->partuuid, sizeof(ret->partuuid));
	copy(pr, "PART_ENTRY_NAME", ret->partlabel, sizeof(ret->partlabel));
	copy(pr, "PTTYPE", ret->pttype, sizeof(ret->pttype));
	blkid_free_probe(pr);
	return 0;
}
