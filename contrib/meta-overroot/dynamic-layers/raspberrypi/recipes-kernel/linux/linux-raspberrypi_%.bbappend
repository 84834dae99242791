# overroot as init=/usr/sbin/overroot, without an initramfs (README.md, "Without an initramfs"):
# the Pi's defconfigs build overlayfs as a module, and meta-raspberrypi builds it in only for a
# bundled initramfs (its initramfs-image-bundle.cfg). overroot mounts the overlay before the
# booted system exists, with no kernel module loading of its own, and the kernel cannot load
# one itself then (its modprobe is on the root, which overroot has just moved aside). So
# OVERROOT_OVERLAYFS_BUILTIN = "1" in local.conf builds overlayfs in; nothing changes without it.
OVERROOT_OVERLAYFS_BUILTIN ??= "0"
FILESEXTRAPATHS:prepend := "${THISDIR}/files:"
SRC_URI += "${@oe.utils.vartrue('OVERROOT_OVERLAYFS_BUILTIN', 'file://overroot-overlayfs.cfg', '', d)}"
