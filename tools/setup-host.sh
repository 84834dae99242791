#!/bin/sh
# Install, from Debian's packages, what overroot's build and tests need on a Debian 12 host.
# Run by the Makefile when a tool is missing; safe to run again. Says what it changes.
set -eu

PKGS_NATIVE="make gcc pkg-config file check musl-tools musl-dev
	gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross linux-libc-dev-arm64-cross
	qemu-system-arm e2fsprogs fdisk kmod dosfstools mtools libarchive-tools cpio
	dpkg-dev xz-utils gzip ca-certificates clang libclang-rt-dev
	mmdebstrap qemu-user-static binfmt-support arch-test"
PKGS_ARM64="musl-dev:arm64"
SRC_LIST=/etc/apt/sources.list.d/overroot-deb-src.sources

say() { printf 'setup-host: %s\n' "$*"; }

if [ "$(id -u)" != 0 ]; then
	say "not root: nothing changed. Run this as root instead:"
	echo "  sudo sh $0"
	exit 1
fi
if ! command -v apt-get >/dev/null; then
	say "this is not a Debian-based host (no apt-get): install by hand: $PKGS_NATIVE $PKGS_ARM64"
	exit 1
fi

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	say "adding the arm64 foreign architecture (dpkg --add-architecture arm64)"
	dpkg --add-architecture arm64
fi

# util-linux's source (for libblkid) comes from Debian's source packages.
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
	say "adding a deb-src entry for Debian bookworm in $SRC_LIST"
	cat >"$SRC_LIST" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

say "apt-get update"
apt-get update -q >/dev/null || { say "apt-get update failed"; exit 1; }
say "installing: $(echo $PKGS_NATIVE $PKGS_ARM64 | tr -s ' \t\n' ' ')"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	$PKGS_NATIVE $PKGS_ARM64 >/tmp/overroot-apt.log 2>&1 || {
	say "apt-get install failed; the last lines of /tmp/overroot-apt.log:"
	tail -n 20 /tmp/overroot-apt.log
	exit 1
}

# The real-root scenarios (tests/qemu/mkrealroot.sh) run arm64 maintainer scripts under
# qemu-user: binfmt_misc must be mounted and qemu-aarch64 registered.
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
	say "mounting binfmt_misc on /proc/sys/fs/binfmt_misc"
	mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc ||
		say "FAILED to mount binfmt_misc: the real-root scenarios cannot be built here"
fi
if [ -e /proc/sys/fs/binfmt_misc/register ] &&
	! grep -qsx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64; then
	say "enabling qemu-aarch64 in binfmt_misc (update-binfmts --enable qemu-aarch64)"
	update-binfmts --enable qemu-aarch64 ||
		say "FAILED: update-binfmts --enable qemu-aarch64: the real-root scenarios cannot be built here"
fi
say "done"
