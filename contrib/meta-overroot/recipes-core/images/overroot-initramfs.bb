SUMMARY = "Initramfs whose /init is overroot, and nothing else"
DESCRIPTION = "overroot as /init, the kernel modules listed in OVERROOT_KERNEL_MODULES, \
/dev/console and overroot's mount points. No shell, no udev, no libc: overroot is static. \
Meant for INITRAMFS_IMAGE (and INITRAMFS_IMAGE_BUNDLE)."
LICENSE = "MIT"

# Kernel modules needed before root can be mounted (storage driver, filesystem, overlay), as
# package names, e.g. "kernel-module-overlay kernel-module-ext4". Empty by default: a kernel
# with them built in needs none (meta-raspberrypi's has them, and makes OVERLAY_FS built in when
# the initramfs is bundled). depmod runs on them at do_rootfs (USE_DEPMOD).
OVERROOT_KERNEL_MODULES ?= ""
# The modules overroot loads at boot, dependencies first: written to
# /etc/modules-load.d/overroot.conf. Default: the modules of OVERROOT_KERNEL_MODULES.
OVERROOT_MODULES_LOAD ?= "${@' '.join(p[len('kernel-module-'):] for p in \
    d.getVar('OVERROOT_KERNEL_MODULES').split() if p.startswith('kernel-module-'))}"

PACKAGE_INSTALL = "overroot ${OVERROOT_KERNEL_MODULES}"

# Nothing but PACKAGE_INSTALL: no image features, no locales, no recommendations (a
# kernel-module-* package pulls kernel-<version>, which recommends the kernel image), and never
# a kernel in the initramfs.
IMAGE_FEATURES = ""
IMAGE_LINGUAS = ""
NO_RECOMMENDATIONS = "1"
PACKAGE_EXCLUDE = "kernel-image-*"

# kernel.bbclass looks for ${INITRAMFS_IMAGE}-${MACHINE}.<fstype>, without ".rootfs".
IMAGE_NAME_SUFFIX ?= ""
IMAGE_FSTYPES = "${INITRAMFS_FSTYPES}"

inherit core-image

# A cpio has no size to pad: the numbers only feed the INITRAMFS_MAXSIZE check.
IMAGE_ROOTFS_SIZE = "0"
IMAGE_ROOTFS_EXTRA_SPACE = "0"
IMAGE_OVERHEAD_FACTOR = "1.0"

# /dev/console and the mount points come from a device table (makedevs under pseudo), since no
# package may ship a device node. /dev stays otherwise empty: overroot mounts devtmpfs on it.
USE_DEVFS = "0"
IMAGE_DEVICE_TABLES = "files/overroot-initramfs-devtable.txt"

ROOTFS_POSTPROCESS_COMMAND += "overroot_initramfs_modules; "

# Runs before depmod (rootfs.py), so depmod finds the modules through /lib.
overroot_initramfs_modules() {
	# usrmerge puts modules under /usr/lib/modules; the /lib symlink comes from base-files,
	# which this image leaves out, and overroot reads /lib/modules/<release>.
	if ${@bb.utils.contains('DISTRO_FEATURES', 'usrmerge', 'true', 'false', d)} && \
	   [ ! -e ${IMAGE_ROOTFS}/lib ]; then
		ln -s usr/lib ${IMAGE_ROOTFS}/lib
	fi
	if [ -n "${OVERROOT_MODULES_LOAD}" ]; then
		install -d ${IMAGE_ROOTFS}${sysconfdir}/modules-load.d
		printf '%s\n' ${OVERROOT_MODULES_LOAD} \
			> ${IMAGE_ROOTFS}${sysconfdir}/modules-load.d/overroot.conf
	fi
}
