/* Finding and mounting block devices, the part rootfs and overlayroot share. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "overroot/blockmount.h"
#include "overroot/devspec.h"
#include "overroot/log.h"

int blockmount_find(struct boot_ctx *ctx, const char *stage, const char *param,
		    const char *spec, unsigned timeout_s, char *ret_dev, size_t size)
{
	struct devspec d;
	int r = devspec_parse(spec, &d);

	if (r < 0) {
		log_err(stage, "%s=%s is not a device: expected /dev/NAME, UUID=, PARTUUID=, "
			"LABEL=, PARTLABEL= or MAJ:MIN", param, spec);
		return r;
	}
	r = devspec_wait(ctx->sys, &d, timeout_s, ret_dev, size);
	if (r == -ETIMEDOUT) {
		log_err(stage, "%s=%s not found after %u s; block devices present:", param, spec,
			timeout_s);
		devspec_log_present(ctx->sys, stage);
		return -ENODEV;
	}
	if (r < 0)
		log_err(stage, "look for %s=%s: %s", param, spec, strerror(-r));
	else
		log_info(stage, "%s=%s is %s", param, spec, ret_dev);
	return r;
}

int blockmount(struct boot_ctx *ctx, const char *stage, const char *dev, const char *target,
	       const char *type, unsigned long flags, const char *data, char *ret_type)
{
	struct blkinfo info;
	bool given = type && *type;	/* typed on the command line, not probed */
	int r;

	if (!given) {
		memset(&info, 0, sizeof(info));
		r = ctx->sys->probe(dev, PROBE_FS, &info);
		if (r < 0 || !info.type[0]) {
			log_err(stage, "probe %s: %s", dev,
				r < 0 ? strerror(-r) : "no filesystem found on it");
			return r < 0 ? r : -ENOMEDIUM;
		}
		type = info.type;
	}
	snprintf(ret_type, 32, "%s", type);
	if (ctx->kmod.dep)
		kmod_load_fs(&ctx->kmod, type);	/* a failure shows as the mount's ENODEV */
	r = ctx->sys->mkdir(target, 0755);
	if (r < 0 && r != -EEXIST) {
		log_err(stage, "mkdir %s: %s", target, strerror(-r));
		return r;
	}
	r = ctx->sys->mount(dev, target, type, flags, data && *data ? data : NULL);
	if (r < 0)
		log_err(stage, "mount %s on %s (%s): %s", dev, target, type, strerror(-r));
	/* A type typed on the command line and wrong: say what the device holds. */
	if (r < 0 && given && ctx->sys->probe(dev, PROBE_FS, &info) == 0 && info.type[0] &&
	    strcmp(info.type, type))
		log_err(stage, "%s holds %s, not %s: check the fstype parameter", dev, info.type,
			type);
	return r;
}
