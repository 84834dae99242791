#!/bin/sh
# mkinitramfs.sh INIT OUT.cpio.gz [PAD_MIB]
# Build, without root, the bench initramfs: INIT as /init, /dev/console, the empty mount points,
# the kernel modules the boot needs (plus their dependencies and modules.* indexes) and
# /etc/modules-load.d/bench.conf. PAD_MIB adds /pad, that many MiB of random data.
# INITRAMFS_EXTRA=DIR (environment) copies DIR's tree on top (e.g. a busybox for a stand-in init).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
die() { echo "mkinitramfs.sh: ERROR: $*" >&2; exit 1; }

[ $# -ge 2 ] || die "usage: mkinitramfs.sh INIT OUT.cpio.gz [PAD_MIB]"
init=$1 out=$2 pad=${3:-0}
[ -f "$init" ] || die "no init binary at $init"
[ -f "$top/build/qemu/kernel.env" ] || "$top/tests/qemu/fetch.sh" >/dev/null
# shellcheck source=/dev/null
. "$top/build/qemu/kernel.env"

# Loaded at boot, in this order, through bench.conf.
load="virtio_mmio virtio_blk crc32c_generic ext4 overlay"
# Shipped but not listed: found later through the fs-vfat alias.
extra="vfat fat nls_cp437 nls_iso8859_1"

mkdir -p "$top/build/qemu" "$(dirname "$out")"
tmp=$(mktemp -d "$top/build/qemu/initramfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/root

for d in proc sys dev run rootfs overlay etc/modules-load.d lib/modules/$KVER; do
	mkdir -p "$stage/$d"
done
cp "$init" "$stage/init"
chmod 0755 "$stage/init"

# The module names and their dependencies, as kernel/... paths from the package's modules.dep.
# Module names treat '-' and '_' alike (nls_iso8859-1.ko is module nls_iso8859_1).
paths=$(awk -v want="$load $extra" '
	BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) wanted[w[i]] = 1 }
	{
		f = $1; sub(/:$/, "", f)
		m = f; sub(/.*\//, "", m); sub(/\.ko(\.[a-z]+)?$/, "", m); gsub(/-/, "_", m)
		if (!(m in wanted)) next
		found[m] = 1
		for (i = 1; i <= NF; i++) { p = $i; sub(/:$/, "", p); print p }
	}
	END { for (m in wanted) if (!(m in found)) print "MISSING " m }' "$MODDIR/modules.dep" |
	sort -u)
case $paths in *MISSING*) die "modules not in $MODDIR/modules.dep: $(echo "$paths" | grep MISSING)" ;; esac

mods=$stage/lib/modules/$KVER
for p in $paths; do
	mkdir -p "$mods/$(dirname "$p")"
	case $p in
	*.ko) cp "$MODDIR/$p" "$mods/$p" ;;
	*.ko.xz) xz -dc "$MODDIR/$p" >"$mods/${p%.xz}" ;;
	*.ko.zst) zstd -qdc "$MODDIR/$p" >"$mods/${p%.zst}" ;;
	*) die "unknown module file type: $p" ;;
	esac
done
for f in modules.builtin modules.builtin.modinfo modules.order; do
	[ -f "$MODDIR/$f" ] && cp "$MODDIR/$f" "$mods/"
done
depmod -b "$stage" "$KVER" || die "depmod -b $stage $KVER failed"

{
	echo "# Modules the overroot QEMU bench loads at boot (tests/qemu/mkinitramfs.sh)"
	for m in $load; do echo "$m"; done
} >"$stage/etc/modules-load.d/bench.conf"

if [ -n "${INITRAMFS_EXTRA:-}" ]; then
	cp -R "$INITRAMFS_EXTRA/." "$stage/" || die "cannot copy INITRAMFS_EXTRA=$INITRAMFS_EXTRA"
fi

if [ "$pad" -gt 0 ]; then
	dd if=/dev/urandom of="$stage/pad" bs=1M count="$pad" status=none
fi

# An mtree spec lets bsdtar write root-owned entries and a device node without root.
{
	echo "#mtree"
	echo "/set uid=0 gid=0 time=0.0"
	(cd "$stage" && find . -mindepth 1 | sort) | while read -r p; do
		if [ -d "$stage/$p" ]; then
			echo "$p type=dir mode=0755"
		else
			mode=0644
			[ -x "$stage/$p" ] && mode=0755
			echo "$p type=file mode=$mode contents=$p"
		fi
	done
	# After ./dev: the kernel's unpacker does not create missing parent directories.
	echo "./dev/console type=char device=native,5,1 mode=0600"
} >"$tmp/spec"

(cd "$stage" && bsdtar --format newc -cf - "@$tmp/spec") | gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs.sh: $out ($(du -k "$out" | cut -f1) KiB, kernel $KVER)" >&2
