/* sys_ops.probe for real: what libblkid says about one block device. Kept apart from
 * sys_linux.c so the unit tests (built for the host, without libblkid) can use the rest. */
#include <blkid/blkid.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "overroot/sys.h"

int sys_linux_probe(const char *devpath, unsigned what, struct blkinfo *ret);

static void copy(blkid_probe pr, const char *name, char *dst, size_t size)
{
	const char *v = NULL;

	dst[0] = '\0';
	if (blkid_probe_lookup_value(pr, name, &v, NULL) == 0 && v)
		snprintf(dst, size, "%s", v);
}

int sys_linux_probe(const char *devpath, unsigned what, struct blkinfo *ret)
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
		blkid_probe_filter_superblocks_usage(pr, BLKID_FLTR_ONLYIN, BLKID_USAGE_FILESYSTEM);
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
