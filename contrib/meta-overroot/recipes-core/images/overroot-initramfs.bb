SUMMARY = "Initramfs whose /init is overroot, and nothing else"
DESCRIPTION = "overroot as /init, the kernel modules listed in OVERROOT_KERNEL_MODULES, \
/dev/console and overroot's mount points, e2fsck for the rw partition (OVERROOT_E2FSCK) and \
meta-security's dm-verity.env (OVERROOT_VERITY_ENV). No shell, no udev; overroot is static, \
and the C library is there only for e2fsck. Meant for INITRAMFS_IMAGE (and \
INITRAMFS_IMAGE_BUNDLE)."
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

# e2fsck, for overroot's check of the rw partition before it becomes the upper (README.md, "The
# rw partition checked"): "1" adds overroot-e2fsck (/etc/e2fsck.conf) and, through it, poky's
# e2fsprogs-e2fsck with what it runs with: its libraries (libext2fs, libcom_err, libe2p, and
# util-linux's libblkid and libuuid) and the C library with its dynamic loader, a few MB. "0"
# leaves them out, and overroot warns once at every boot that it has no e2fsck.
OVERROOT_E2FSCK ?= "1"

PACKAGE_INSTALL = "overroot ${OVERROOT_KERNEL_MODULES} ${@overroot_e2fsck_packages(d)}"

# rpm (poky's default PACKAGE_CLASSES) cannot install them here: every package of a shared
# library gets an ldconfig postinst, rpm makes that require /bin/sh, and this image has no
# shell, so dnf stops ("nothing provides /bin/sh"). With rpm, e2fsck is left out and each build
# of the image says so (overroot_e2fsck_check); ipk and deb have no such requirement.
def overroot_e2fsck_packages(d):
    if not oe.types.boolean(d.getVar('OVERROOT_E2FSCK')) or d.getVar('IMAGE_PKGTYPE') == 'rpm':
        return ''
    return 'overroot-e2fsck'

python overroot_e2fsck_check() {
    if oe.types.boolean(d.getVar('OVERROOT_E2FSCK')) and d.getVar('IMAGE_PKGTYPE') == 'rpm':
        bb.warn('overroot-initramfs: no e2fsck in the initramfs, although OVERROOT_E2FSCK = "1": '
                'with rpm packages its libraries require /bin/sh, which this image has not; '
                'put package_ipk or package_deb first in PACKAGE_CLASSES to have it, or set '
                'OVERROOT_E2FSCK = "0" to leave it out without this warning')
}
do_rootfs[prefuncs] += "overroot_e2fsck_check"

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
	# Likewise /sbin: usrmerge puts e2fsck in /usr/sbin; overroot looks in /sbin first (then
	# /usr/sbin), and the link keeps /sbin/e2fsck where it is without usrmerge.
	if ${@bb.utils.contains('DISTRO_FEATURES', 'usrmerge', 'true', 'false', d)} && \
	   [ -e ${IMAGE_ROOTFS}${base_sbindir}/e2fsck ] && [ ! -e ${IMAGE_ROOTFS}/sbin ]; then
		ln -s usr/sbin ${IMAGE_ROOTFS}/sbin
	fi
	if [ -n "${OVERROOT_MODULES_LOAD}" ]; then
		install -d ${IMAGE_ROOTFS}${sysconfdir}/modules-load.d
		printf '%s\n' ${OVERROOT_MODULES_LOAD} \
			> ${IMAGE_ROOTFS}${sysconfdir}/modules-load.d/overroot.conf
	fi
}

# meta-security's dm-verity convention (README.md, "A verified root"): "1" copies the env file
# that dm-verity-img.bbclass (IMAGE_CLASSES += "dm-verity-img") writes when it makes the root
# image DM_VERITY_IMAGE's DM_VERITY_IMAGE_TYPE.verity (veritysetup's output: ROOT_HASH, SALT,
# DATA_SIZE, ...) into this initramfs as /usr/share/misc/dm-verity.env, where overroot reads it
# and opens root= through dm-verity. As meta-security's dm-verity-image-initramfs does: the
# file is taken from STAGING_VERITY_DIR in do_image, which waits for the root image's
# do_image_<type> and runs at every build (nostamp), so that a rebuilt root never boots with
# the previous root's hash. Off by default.
OVERROOT_VERITY_ENV ?= "0"
# dm-verity-img.bbclass's variables (the user sets the first two in local.conf, as for that
# class), with its default for the directory when the class is not inherited by this image.
DM_VERITY_IMAGE ??= ""
DM_VERITY_IMAGE_TYPE ??= ""
STAGING_VERITY_DIR ?= "${TMPDIR}/work-shared/${MACHINE}/dm-verity"

python __anonymous() {
    if not oe.types.boolean(d.getVar('OVERROOT_VERITY_ENV')):
        return
    image, fstype = d.getVar('DM_VERITY_IMAGE'), d.getVar('DM_VERITY_IMAGE_TYPE')
    if not image or not fstype or len(fstype.split()) != 1:
        raise bb.parse.SkipRecipe('OVERROOT_VERITY_ENV = "1" needs DM_VERITY_IMAGE (the root '
                                  'image) and one DM_VERITY_IMAGE_TYPE (e.g. "ext4"), as '
                                  'dm-verity-img.bbclass does')
    d.appendVarFlag('do_image', 'depends', ' %s:do_image_%s' % (image, fstype.replace('-', '_')))
    d.setVarFlag('do_image', 'nostamp', '1')
    d.appendVar('IMAGE_PREPROCESS_COMMAND', ' overroot_verity_env; ')
}

overroot_verity_env() {
	env=${STAGING_VERITY_DIR}/${DM_VERITY_IMAGE}.${DM_VERITY_IMAGE_TYPE}.verity.env
	if [ ! -f "$env" ]; then
		bbfatal "OVERROOT_VERITY_ENV: no $env: ${DM_VERITY_IMAGE} was not made by dm-verity-img.bbclass (IMAGE_CLASSES += \"dm-verity-img\", DM_VERITY_IMAGE_TYPE = \"${DM_VERITY_IMAGE_TYPE}\")"
	fi
	install -D -m 0644 "$env" ${IMAGE_ROOTFS}${datadir}/misc/dm-verity.env
}
