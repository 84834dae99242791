#!/bin/sh
# mkinitramfs.sh INIT OUT.cpio.gz [PAD_MIB]
# The bench's initramfs: what `make initramfs` builds from initramfs.list (mk/initramfs.sh),
# with INIT as /init and the modules the virtio disk needs, named in modules-load.d. The vfat
# modules ship unlisted (found through the fs-vfat alias). PAD_MIB adds /pad, that many MiB
# of random data. INITRAMFS_EXTRA=DIR (environment) copies DIR's tree on top.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
die() { echo "mkinitramfs.sh: ERROR: $*" >&2; exit 1; }

[ $# -ge 2 ] || die "usage: mkinitramfs.sh INIT OUT.cpio.gz [PAD_MIB]"
init=$1 out=$2 pad=${3:-0}
[ -f "$init" ] || die "no init binary at $init"
[ -f "$top/build/qemu/kernel.env" ] || "$top/tests/qemu/fetch.sh" >/dev/null
# shellcheck source=/dev/null
. "$top/build/qemu/kernel.env"

mkdir -p "$top/build/qemu" "$(dirname "$out")"
extra=$(mktemp -d "$top/build/qemu/initramfs-extra.XXXXXX")
trap 'rm -rf "$extra"' EXIT
if [ -n "${INITRAMFS_EXTRA:-}" ]; then
	cp -R "$INITRAMFS_EXTRA/." "$extra/" || die "cannot copy INITRAMFS_EXTRA=$INITRAMFS_EXTRA"
fi
if [ "$pad" -gt 0 ]; then
	dd if=/dev/urandom of="$extra/pad" bs=1M count="$pad" status=none
fi

INIT=$(cd "$(dirname "$init")" && pwd)/$(basename "$init") \
KMODULES="virtio_mmio virtio_blk crc32c_generic ext4 overlay" \
KMODULES_EXTRA="vfat fat nls_cp437 nls_iso8859_1" KMODDIR=$MODDIR EXTRA_DIR=$extra \
	sh "$top/mk/initramfs.sh" "$top/initramfs.list" "$out" ||
	die "mk/initramfs.sh failed"
echo "mkinitramfs.sh: $out ($(du -k "$out" | cut -f1) KiB, kernel $KVER)" >&2
