#!/bin/sh
# Install, from Debian's packages, what overroot's build and tests need on a Debian 12 host.
# Run by the Makefile when a tool is missing; safe to run again. Says what it changes.
# New apt sources (deb-src for util-linux, bookworm-backports for QEMU 10's raspi4b) take
# their URI from the machine's own apt configuration: no registry is named here.
set -eu

PKGS_NATIVE="make gcc pkg-config file check musl-tools musl-dev
	gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross linux-libc-dev-arm64-cross
	qemu-system-arm e2fsprogs fdisk kmod dosfstools mtools libarchive-tools cpio
	dpkg-dev xz-utils gzip lz4 zstd lzop bzip2 ca-certificates clang libclang-rt-dev
	mmdebstrap qemu-user-static binfmt-support arch-test
	linux-source-6.1 flex bison bc libssl-dev libelf-dev device-tree-compiler python3
	cryptsetup-bin"
PKGS_ARM64="musl-dev:arm64"
# QEMU 10 (raspi4b) from bookworm-backports; bookworm's 7.2 has no Raspberry Pi 4.
PKGS_BACKPORTS="qemu-system-arm qemu-system-data"
SRC_LIST=/etc/apt/sources.list.d/overroot-deb-src.sources
BPO_LIST=/etc/apt/sources.list.d/overroot-backports.sources

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

# The URI this machine already uses for Debian bookworm's main archive: a deb822 stanza whose
# Suites name bookworm, or a one-line "deb URI bookworm ..." entry.
debian_uri() {
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'BEGIN { RS = ""; FS = "\n" }
		{ uri = ""; ok = 0; deb = 0
		  for (i = 1; i <= NF; i++) {
			if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, u, /[ \t]+/); uri = u[1] }
			if ($i ~ /^Suites:/ && $i ~ /[ \t]bookworm([ \t]|$)/) ok = 1
			if ($i ~ /^Types:/ && $i ~ /[ \t]deb([ \t]|$)/) deb = 1 }
		  if (ok && deb && uri != "") { print uri; exit } }' "$f"
	done
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) while ($i !~ /\]$/) i++; if ($2 ~ /^\[/) i++
			if ($(i + 1) == "bookworm") { print $i; exit } }'
}
URI=$(debian_uri | head -n 1)
need_uri() {
	[ -n "$URI" ] && return 0
	say "FAILED: no Debian bookworm entry in /etc/apt (sources.list or sources.list.d) to take"
	say "the archive's URI from; add one, or add $1 by hand"
	exit 1
}

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	say "adding the arm64 foreign architecture (dpkg --add-architecture arm64)"
	dpkg --add-architecture arm64
fi

# util-linux's source (for libblkid) comes from Debian's source packages.
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
	need_uri "a deb-src entry for bookworm"
	say "adding a deb-src entry for Debian bookworm ($URI) in $SRC_LIST"
	printf 'Types: deb-src\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"$URI" >"$SRC_LIST"
fi
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	need_uri "a bookworm-backports entry"
	say "adding Debian bookworm-backports ($URI) in $BPO_LIST (for QEMU 10's raspi4b)"
	printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"$URI" >"$BPO_LIST"
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
if ! qemu-system-aarch64 -machine help 2>/dev/null | grep -q '^raspi4b'; then
	say "installing from bookworm-backports: $PKGS_BACKPORTS (QEMU 10, for raspi4b)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		-t bookworm-backports $PKGS_BACKPORTS >>/tmp/overroot-apt.log 2>&1 || {
		say "apt-get install -t bookworm-backports failed; the last lines of /tmp/overroot-apt.log:"
		tail -n 20 /tmp/overroot-apt.log
		exit 1
	}
fi

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
