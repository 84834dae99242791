# overroot as init=/usr/sbin/overroot, without an initramfs (README.md, "Without an initramfs"):
# the Pi's defconfigs build overlayfs as a module, and meta-raspberrypi builds it in only for a
# bundled initramfs (its initramfs-image-bundle.cfg). overroot mounts the overlay before the
# booted system exists, with no kernel module loading of its own, and the kernel cannot load
# one itself then (its modprobe is on the root, which overroot has just moved aside). So
# OVERROOT_OVERLAYFS_BUILTIN = "1" in local.conf builds overlayfs in; nothing changes without it.
OVERROOT_OVERLAYFS_BUILTIN ??= "0"
FILESEXTRAPATHS:prepend := "${THISDIR}/files:"
SRC_URI += "${@oe.utils.vartrue('OVERROOT_OVERLAYFS_BUILTIN', 'file://overroot-overlayfs.cfg', '', d)}"

# A verified root (README.md, "A verified root"): device-mapper, dm-verity, dm-init and SHA-256
# built in. meta-security configures only linux-yocto for dm-verity-img (KERNEL_FEATURES), not
# this kernel, so this follows that class: on when IMAGE_CLASSES has dm-verity-img, and
# OVERROOT_DM_VERITY_BUILTIN = "1" or "0" in local.conf decides otherwise (systemd's roothash=,
# or dm-mod.create= without an initramfs, need no meta-security).
OVERROOT_DM_VERITY_BUILTIN ??= "${@bb.utils.contains('IMAGE_CLASSES', 'dm-verity-img', '1', '0', d)}"
SRC_URI += "${@oe.utils.vartrue('OVERROOT_DM_VERITY_BUILTIN', 'file://overroot-verity.cfg', '', d)}"
