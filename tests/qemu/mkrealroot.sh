#!/bin/sh
# mkrealroot.sh VARIANT DIR
# Fill the empty directory DIR with a real arm64 root filesystem for the "real systems" scenarios
# (issue 10), each keeping the /sbin/init shape real images have, with no init= needed:
#   systemd   Debian bookworm minbase + systemd-sysv, udev: /sbin/init -> /lib/systemd/systemd
#             (Debian's absolute link), merged /usr (/sbin -> usr/sbin)
#   sysvinit  Debian bookworm minbase + sysvinit-core, in OpenEmbedded's update-alternatives shape:
#             the real init renamed /sbin/init.sysvinit, /sbin/init -> /sbin/init.sysvinit
#             (absolute, through the /sbin -> usr/sbin link); poky's default fstab
#   busybox   Debian's busybox-static alone, like a Yocto core-image-minimal with busybox init:
#             /sbin/init -> /bin/busybox, an inittab modelled on poky's busybox-inittab, our rcS/rcK
# Each gets the test "unit" of tests/qemu/realroot/ (overroot-rtest: reports on the console,
# then asks its init for a normal poweroff or reboot, as rtest=ACTIONS on the kernel command line
# says) and, sysvinit and busybox, contrib/sysv/overroot-shutdown installed as a Yocto image
# would get it. Each also gets the boot confirmation of boot counting (rootrwtries=, issue 24),
# as contrib/ says to install it: systemd contrib/systemd/overroot-boot-ok.service (enabled),
# sysvinit contrib/sysv/overroot-boot-ok (update-rc.d), busybox the same script and its
# ::once: line in realroot/inittab.busybox.
# mmdebstrap's output is cached as build/qemu/cache/realroot-VARIANT.tar, keyed on its command
# line (build/qemu/cache/realroot-VARIANT.key): only the first run pays (3-4 min under qemu-user).
# systemd and sysvinit need root (mmdebstrap, owners kept), qemu-user-static and binfmt_misc:
# this script sets them up (tools/setup-host.sh) when missing and says so.
# mkrealroot.sh --base VARIANT builds the cached tarball only.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
rdir=$top/tests/qemu/realroot
cache=$top/build/qemu/cache
say() { echo "mkrealroot.sh: $*" >&2; }
die() { echo "mkrealroot.sh: ERROR: $*" >&2; exit 1; }

base_only=
[ "${1:-}" = --base ] && { base_only=1; shift; }
[ $# -ge 1 ] || die "usage: mkrealroot.sh [--base] systemd|sysvinit|busybox [DIR]"
variant=$1 dir=${2:-}
[ -n "$base_only" ] || [ -n "$dir" ] || die "usage: mkrealroot.sh VARIANT DIR"

# The mmdebstrap command line of each Debian variant (this is the cache key).
suite=bookworm
case $variant in
systemd) inc=systemd-sysv,udev ;;
sysvinit) inc=sysvinit-core,sysv-rc,initscripts ;;
busybox) inc= ;;
*) die "unknown variant '$variant' (systemd, sysvinit or busybox)" ;;
esac
mmargs="--architectures=arm64 --variant=minbase --include=$inc $suite"

# binfmt: the arm64 maintainer scripts (and update-rc.d in the tree) run under qemu-aarch64.
binfmt_ready() {
	if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
		say "binfmt_misc is not mounted: mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc"
		mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc ||
			die "cannot mount binfmt_misc (a container without it? run on a host or VM)"
	fi
	if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] ||
		! grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64; then
		say "qemu-aarch64 binfmt entry missing or disabled: update-binfmts --enable qemu-aarch64"
		update-binfmts --enable qemu-aarch64 || die "update-binfmts --enable qemu-aarch64 failed"
	fi
	arch-test arm64 >/dev/null 2>&1 ||
		die "arch-test arm64: this host cannot run arm64 programs (binfmt_misc + qemu-user-static)"
}

debian_base() { # the cached tarball of mmdebstrap's tree
	tar=$cache/realroot-$variant.tar
	[ -f "$tar" ] && [ "$(cat "$cache/realroot-$variant.key" 2>/dev/null)" = "$mmargs" ] && return 0
	[ "$(id -u)" = 0 ] ||
		die "the $variant root is built by mmdebstrap as root (owners, devices, chroot): run as root"
	missing=
	for t in mmdebstrap update-binfmts qemu-aarch64-static arch-test; do
		command -v "$t" >/dev/null || missing="$missing $t"
	done
	if [ -n "$missing" ]; then
		say "missing:$missing: running tools/setup-host.sh"
		sh "$top/tools/setup-host.sh" >&2 || die "host set-up failed (see above)"
	fi
	binfmt_ready
	mkdir -p "$cache"
	say "mmdebstrap $mmargs (first run only: a few minutes)"
	t0=$(date +%s)
	rm -f "$tar" "$cache/realroot-$variant.key"
	# shellcheck disable=SC2086 # mmargs is a word list
	mmdebstrap --quiet --format=tar $mmargs "$tar.tmp.tar" >&2 ||
		{ rm -f "$tar.tmp.tar"; die "mmdebstrap failed"; }
	mv "$tar.tmp.tar" "$tar"
	echo "$mmargs" >"$cache/realroot-$variant.key"
	say "$tar built in $(($(date +%s) - t0)) s"
}

if [ "$variant" != busybox ]; then
	debian_base
fi
[ -n "$base_only" ] && exit 0

if [ ! -d "$dir" ] || [ -n "$(ls -A "$dir")" ]; then die "$dir is not an empty directory"; fi
[ -f "$top/build/qemu/kernel.env" ] || "$top/tests/qemu/fetch.sh" >/dev/null
# shellcheck source=/dev/null
. "$top/build/qemu/kernel.env"

inst() { # MODE SRC DST (DST relative to the root)
	mkdir -p "$dir/$(dirname "$3")"
	cp "$2" "$dir/$3"
	chmod "$1" "$dir/$3"
}

case $variant in
systemd)
	tar -C "$dir" --numeric-owner -xpf "$cache/realroot-$variant.tar"
	[ "$(readlink "$dir/sbin/init")" = /lib/systemd/systemd ] ||
		die "systemd root: /sbin/init is '$(readlink "$dir/sbin/init")', not Debian's absolute link"
	inst 0755 "$rdir/overroot-rtest" usr/local/sbin/overroot-rtest
	inst 0644 "$rdir/overroot-rtest.service" etc/systemd/system/overroot-rtest.service
	ln -s ../overroot-rtest.service \
		"$dir/etc/systemd/system/multi-user.target.wants/overroot-rtest.service"
	# as make install does: the unit in the package's place, enabled (its WantedBy=)
	inst 0644 "$top/contrib/systemd/overroot-boot-ok.service" \
		usr/lib/systemd/system/overroot-boot-ok.service
	ln -s /usr/lib/systemd/system/overroot-boot-ok.service \
		"$dir/etc/systemd/system/multi-user.target.wants/overroot-boot-ok.service"
	;;
sysvinit)
	tar -C "$dir" --numeric-owner -xpf "$cache/realroot-$variant.tar"
	[ -L "$dir/sbin" ] || die "sysvinit root: /sbin is not a link (not a merged-/usr root)"
	# OpenEmbedded's update-alternatives shape (sysvinit_*.bb: ALTERNATIVE_LINK_NAME[init]).
	mv "$dir/usr/sbin/init" "$dir/usr/sbin/init.sysvinit"
	ln -s /sbin/init.sysvinit "$dir/usr/sbin/init"
	# poky's default fstab (meta/recipes-core/base-files/base-files/fstab).
	inst 0644 "$rdir/fstab.poky" etc/fstab
	mkdir -p "$dir/var/volatile"
	inst 0755 "$rdir/overroot-rtest" usr/local/sbin/overroot-rtest
	inst 0755 "$rdir/overroot-rtest.init" etc/init.d/overroot-rtest
	inst 0755 "$top/contrib/sysv/overroot-shutdown" etc/init.d/overroot-shutdown
	binfmt_ready
	# Debian's update-rc.d (insserv): links from the LSB headers, as a package's postinst does.
	chroot "$dir" /usr/sbin/update-rc.d overroot-rtest defaults >&2
	inst 0755 "$top/contrib/sysv/overroot-boot-ok" etc/init.d/overroot-boot-ok
	chroot "$dir" /usr/sbin/update-rc.d overroot-shutdown defaults >&2
	chroot "$dir" /usr/sbin/update-rc.d overroot-boot-ok defaults >&2
	;;
busybox)
	for d in bin sbin etc/init.d proc sys dev run tmp var/volatile root rofs overlay; do
		mkdir -p "$dir/$d"
	done
	cp "$BUSYBOX" "$dir/bin/busybox"
	chmod 0755 "$dir/bin/busybox"
	# Every applet as a link to busybox (busybox --list runs here through binfmt, or not at all:
	# then the list below, what the inittab, rcS/rcK and the test need).
	applets=$("$dir/bin/busybox" --list-full 2>/dev/null) || applets="bin/sh bin/ash bin/cat
		bin/mount bin/umount bin/mkdir bin/ln bin/echo bin/grep bin/sed bin/tr bin/sleep bin/sync
		bin/date bin/hostname bin/ls bin/rm bin/awk bin/dmesg sbin/swapon sbin/swapoff
		sbin/poweroff sbin/reboot sbin/halt sbin/getty bin/setsid bin/cut bin/head bin/ps"
	for a in $applets; do
		case $a in bin/busybox | sbin/init) continue ;; esac
		mkdir -p "$dir/$(dirname "$a")"
		ln -sf /bin/busybox "$dir/$a"
	done
	ln -s /bin/busybox "$dir/sbin/init" # OE's alternatives link (busybox.inc)
	inst 0644 "$rdir/inittab.busybox" etc/inittab
	inst 0755 "$rdir/rcS" etc/init.d/rcS
	inst 0755 "$rdir/rcK" etc/init.d/rcK
	inst 0644 "$rdir/fstab.poky" etc/fstab
	echo overroot-busybox >"$dir/etc/hostname"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$dir/etc/passwd"
	printf 'root:x:0:\ntty:x:5:\n' >"$dir/etc/group"
	inst 0755 "$rdir/overroot-rtest" usr/local/sbin/overroot-rtest
	inst 0755 "$rdir/overroot-rtest.init" etc/init.d/overroot-rtest
	inst 0755 "$top/contrib/sysv/overroot-shutdown" etc/init.d/overroot-shutdown
	inst 0755 "$top/contrib/sysv/overroot-boot-ok" etc/init.d/overroot-boot-ok
	# As OE's update-rc.d class would link them for rcS: the test last in rc5.d.
	mkdir -p "$dir/etc/rc5.d"
	ln -s ../init.d/overroot-rtest "$dir/etc/rc5.d/S99overroot-rtest"
	;;
esac
echo "real root, $variant" >"$dir/etc/overroot-test-root"
say "$variant root in $dir: /sbin/init -> $(readlink "$dir/sbin/init")"
