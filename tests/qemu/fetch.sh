#!/bin/sh
# Download Debian's arm64 kernel and static busybox for the QEMU bench, unpack them
# under build/qemu/cache/ and write build/qemu/kernel.env (KVER, VMLINUZ, MODDIR, BUSYBOX), and
# Debian's e2fsck-static for the @fsck scenarios (E2FSCK, through mk/e2fsck.sh).
# Downloads are cached: a .deb already in the cache is not fetched again.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/qemu
cache=$out/cache
mkdir -p "$cache"

die() { echo "fetch.sh: ERROR: $*" >&2; exit 1; }

# Newest cached .deb whose file name starts with $1_ (empty if none).
cached() { ls "$cache"/"$1"_*_arm64.deb 2>/dev/null | sort -V | tail -n 1; }

# apt-get download PKG into the cache, once. Runs apt-get update if the lists lack arm64.
download() {
	pkg=$1
	[ -n "$(cached "$pkg")" ] && return 0
	if ! apt-cache show "$pkg:arm64" >/dev/null 2>&1; then
		echo "fetch.sh: $pkg:arm64 unknown to apt, running apt-get update" >&2
		if ! dpkg --print-foreign-architectures | grep -qx arm64; then
			dpkg --add-architecture arm64 || die "cannot add the arm64 architecture (not root?)"
		fi
		apt-get update >&2 || die "apt-get update failed (no network to the Debian mirror?)"
	fi
	echo "fetch.sh: downloading $pkg:arm64" >&2
	(cd "$cache" && apt-get download "$pkg:arm64" >&2) ||
		die "apt-get download $pkg:arm64 failed (mirror unreachable, or package gone?)"
	[ -n "$(cached "$pkg")" ] || die "apt-get download $pkg:arm64 left no .deb in $cache"
}

# Unpack a .deb into DIR once (a stamp file records which .deb it came from).
unpack() {
	deb=$1 dir=$2
	[ "$(cat "$dir/.from" 2>/dev/null)" = "$(basename "$deb")" ] && return 0
	rm -rf "$dir"
	mkdir -p "$dir"
	dpkg -x "$deb" "$dir" || die "dpkg -x $deb failed (corrupt download? delete it and rerun)"
	basename "$deb" >"$dir/.from"
}

# linux-image-arm64 is a meta package: its Depends names the real image package.
download linux-image-arm64
meta=$(cached linux-image-arm64)
real=$(dpkg-deb -f "$meta" Depends | tr ',' '\n' | sed -n 's/^ *\(linux-image-[0-9][^ ]*\).*/\1/p' |
	head -n 1)
[ -n "$real" ] || die "cannot find the real kernel package in the Depends of $meta"
download "$real"
unpack "$(cached "$real")" "$cache/linux"

download busybox-static
unpack "$(cached busybox-static)" "$cache/busybox"

kver=${real#linux-image-}
vmlinuz=$cache/linux/boot/vmlinuz-$kver
moddir=$cache/linux/lib/modules/$kver
[ -d "$moddir" ] || moddir=$cache/linux/usr/lib/modules/$kver
busybox=$cache/busybox/bin/busybox
[ -f "$vmlinuz" ] || die "no kernel image at $vmlinuz"
# Debian's package ships no modules.dep (its postinst runs depmod): make one in the cache.
if [ ! -f "$moddir/modules.dep" ]; then
	depmod -b "${moddir%/lib/modules/*}" "$kver" || die "depmod on $moddir failed"
fi
[ -f "$busybox" ] || die "no busybox at $busybox"
e2fsck=$(sh "$top/mk/e2fsck.sh" aarch64 "$cache") || die "no e2fsck-static (mk/e2fsck.sh)"

cat >"$out/kernel.env" <<EOF
KVER=$kver
VMLINUZ=$vmlinuz
MODDIR=$moddir
BUSYBOX=$busybox
E2FSCK=$e2fsck
EOF
cat "$out/kernel.env"
