SUMMARY = "/init for an initramfs: root read-only under a writable overlay, then switch_root"
DESCRIPTION = "overroot is one static C program (libblkid) that replaces initramfs-framework: \
it finds root= (/dev/..., UUID=, LABEL=, PARTUUID=, PARTLABEL=) without udev, waits for it on \
kernel events, mounts it read-only, puts an overlay on it with rootrw= and hands over to the \
real init with switch_root. Without an initramfs, the kernel runs it as init=/usr/sbin/overroot \
(overroot-tools) and it does the same on the root the kernel mounted."
SECTION = "base"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://LICENSE;md5=baa0a0cbc917f390f231b6f1279c64f3"

# The source is the git repository this layer lives in (OVERROOT_REPO_DIR, from conf/layer.conf),
# fetched like any git source: a build takes a commit of OVERROOT_GIT_BRANCH, never uncommitted
# changes (for those: devtool modify overroot). Another clone or a server, in local.conf:
#   OVERROOT_GIT_URI = "git://example.com/overroot.git;protocol=https"
#   SRCREV:pn-overroot = "<commit>"
# A local repository is read without network access, even by ${AUTOREV}.
OVERROOT_GIT_URI ?= "git://${OVERROOT_REPO_DIR};protocol=file"
OVERROOT_GIT_BRANCH ?= "main"
SRC_URI = "${OVERROOT_GIT_URI};branch=${OVERROOT_GIT_BRANCH};destsuffix=overroot"
SRCREV ?= "${AUTOREV}"
# SRCPV: kirkstone needs it to follow ${AUTOREV}; it is empty from scarthgap on, where the
# "+git" alone makes the package version carry the commit.
PV = "0.1.0+git${SRCPV}"

# ${UNPACKDIR} from styhead on (whinlatter and later refuse an S under ${WORKDIR});
# kirkstone and scarthgap have no UNPACKDIR and unpack into ${WORKDIR}.
S = "${@d.getVar('UNPACKDIR') or d.getVar('WORKDIR')}/overroot"

# libblkid.a: util-linux_%.bbappend in this layer builds it (poky disables static libraries).
DEPENDS = "util-linux"
inherit pkgconfig

# The kernel's page size (aarch64 links for 64 KiB pages otherwise, padding /init); 16384 for a
# 16 KiB-page kernel.
OVERROOT_PAGE_SIZE ?= "4096"

# CC is passed, so the Makefile uses it as is and builds no libblkid of its own; CFLAGS and
# LDFLAGS come from the environment, and the Makefile adds -static to them.
# PKGCONFIG_BLKID=1: libblkid from `pkg-config --static blkid` in the recipe sysroot.
# STRIP_INIT=0: do_package strips /init and puts its debug info into overroot-dbg.
# SHELL_FALLBACK=0: no path to a shell; this initramfs has none.
EXTRA_OEMAKE = "'CC=${CC}' ARCH=${TARGET_ARCH} PKGCONFIG_BLKID=1 STRIP_INIT=0 SHELL_FALLBACK=0"
EXTRA_OEMAKE += "PAGE_SIZE=${OVERROOT_PAGE_SIZE} MANDIR=${mandir}"

# /init is read into RAM at every boot: optimise for size (the last -O wins; DEBUG_BUILD's
# optimisation is left alone).
FULL_OPTIMIZATION:append = " -Os"

# The Makefile's install also puts boot counting's unit and rc script in place (SYSCONFDIR,
# SYSTEMDUNITDIR), and enables the unit with a link in /etc/systemd/system: that link is not
# packaged, systemd.bbclass enables the unit in the image instead (below).
EXTRA_OEMAKE += "SYSCONFDIR=${sysconfdir} SYSTEMDUNITDIR=${systemd_system_unitdir}"
do_install() {
	oe_runmake install DESTDIR=${D}
	rm -rf ${D}${sysconfdir}/systemd
}

# /init only: the mount points and /dev/console are the image's (overroot-initramfs).
# The man page goes to overroot-doc.
FILES:${PN} = "/init"

# Both are /init.
RCONFLICTS:${PN} = "initramfs-framework-base"

# overroot-shutdown, for the ROOT image (IMAGE_INSTALL), not the initramfs. systemd needs
# nothing: it hands its shutdown back to /run/initramfs/shutdown, which overroot leaves at
# boot. sysvinit and busybox init never do, and their umountfs / "umount -a" unmount /overlay
# while the overlay on / still holds the rw filesystem, which is then left needing journal
# recovery at every power-off. This rc step syncs and remounts /overlay read-only first.
PACKAGES =+ "${PN}-shutdown"
FILES:${PN}-shutdown = "${sysconfdir}/init.d/overroot-shutdown"
# sysvinit: an S link in rc0.d and rc6.d (poky's rc runs those with "stop"), after sendsigs
# (S20), save-rtc.sh (S25) and urandom (S38), before umountfs (S40).
inherit update-rc.d
INITSCRIPT_PACKAGES = "${PN}-shutdown"
INITSCRIPT_NAME:${PN}-shutdown = "overroot-shutdown"
INITSCRIPT_PARAMS:${PN}-shutdown = "start 39 0 6 ."

do_install:append() {
	install -D -m 0755 ${S}/contrib/sysv/overroot-shutdown ${D}${sysconfdir}/init.d/overroot-shutdown
}

# busybox init runs no rc0.d: a ::shutdown: line, after the stop scripts (rcK) and before
# poky's "swapoff -a" and "umount -a -r". Done when the image is made ($D set) or on the
# target, once.
pkg_postinst:${PN}-shutdown() {
	inittab=$D${sysconfdir}/inittab
	line='::shutdown:${sysconfdir}/init.d/overroot-shutdown stop'
	if [ -f "$inittab" ] && grep -q '^::shutdown:' "$inittab" && \
	   ! grep -q 'overroot-shutdown' "$inittab"; then
		awk -v line="$line" '
			!done && /^::shutdown:.*(swapoff|umount)/ { print line; done = 1 }
			{ print }
			END { if (!done) print line }' "$inittab" >"$inittab.new" &&
			mv "$inittab.new" "$inittab"
	fi
}

# overroot-tools, for the ROOT image (IMAGE_INSTALL), not the initramfs: the same program as
# /usr/sbin/overroot, the booted system's `overroot status`, `overroot reset` and `overroot
# chroot` (the initramfs's /init is freed at the hand-over), and, without an initramfs, what the
# kernel runs as init=/usr/sbin/overroot. The initramfs keeps /init only.
PACKAGES =+ "${PN}-tools"
FILES:${PN}-tools = "${sbindir}/overroot"
EXTRA_OEMAKE += "SBINDIR=${sbindir}"

# overroot-boot-ok, for the ROOT image (IMAGE_INSTALL), with rootrwtries=N on the command line:
# boot counting's confirmation, `overroot boot-ok` once the boot is known good (README.md, "Boot
# counting"). What the image gets follows DISTRO_FEATURES, as poky's recipes do: both are
# installed, and systemd.bbclass drops the init.d scripts from a systemd-only distro and the
# unit from a distro without systemd.
#   systemd   the unit, After= and Requires=boot-complete.target, enabled (its WantedBy) by
#             systemd.bbclass when the image is made
#   sysvinit  the rc script as S99 in rc2.d to rc5.d: last of the boot, after every other S link
#   busybox   the same script from an ::once: line in /etc/inittab, which busybox init runs once
#             every ::sysinit: line (rcS, the whole boot) has finished
PACKAGES =+ "${PN}-boot-ok"
FILES:${PN}-boot-ok = "${systemd_system_unitdir}/overroot-boot-ok.service \
    ${sysconfdir}/init.d/overroot-boot-ok"
RDEPENDS:${PN}-boot-ok = "${PN}-tools"
inherit systemd
SYSTEMD_PACKAGES = "${PN}-boot-ok"
SYSTEMD_SERVICE:${PN}-boot-ok = "overroot-boot-ok.service"
INITSCRIPT_PACKAGES += "${PN}-boot-ok"
INITSCRIPT_NAME:${PN}-boot-ok = "overroot-boot-ok"
INITSCRIPT_PARAMS:${PN}-boot-ok = "start 99 2 3 4 5 ."

do_install:append() {
	install -D -m 0644 ${S}/contrib/systemd/overroot-boot-ok.service \
		${D}${systemd_system_unitdir}/overroot-boot-ok.service
	install -D -m 0755 ${S}/contrib/sysv/overroot-boot-ok ${D}${sysconfdir}/init.d/overroot-boot-ok
}

# busybox init: the ::once: line (contrib/sysv/README.md), added once, when the image is made
# ($D set) or on the target. sysvinit's inittab (id:runlevels:action:process) has no line that
# starts with ::sysinit:, and is left alone.
pkg_postinst:${PN}-boot-ok() {
	inittab=$D${sysconfdir}/inittab
	if [ -f "$inittab" ] && grep -q '^::sysinit:' "$inittab" && \
	   ! grep -q 'overroot-boot-ok' "$inittab"; then
		echo '::once:${sysconfdir}/init.d/overroot-boot-ok start' >>"$inittab"
	fi
}

# overroot-e2fsck, for the INITRAMFS (overroot-initramfs's OVERROOT_E2FSCK): e2fsck's
# configuration for the check of the rw partition before it is mounted, /etc/e2fsck.conf from
# mk/e2fsck.conf (broken_system_time: a Pi has no real-time clock, and a clock in the past must
# not force a full check at every boot), and poky's e2fsck with its libraries and libc.
PACKAGES =+ "${PN}-e2fsck"
FILES:${PN}-e2fsck = "${sysconfdir}/e2fsck.conf"
RDEPENDS:${PN}-e2fsck = "e2fsprogs-e2fsck"
do_install:append() {
	install -D -m 0644 ${S}/mk/e2fsck.conf ${D}${sysconfdir}/e2fsck.conf
}
