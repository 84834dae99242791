#!/bin/sh
# mkinitramfs.sh INIT OUT.cpio.gz [VARIANT]
# The bench's initramfs: what `make initramfs` builds from initramfs.list (mk/initramfs.sh),
# with INIT as /init and the modules the virtio disk needs, named in modules-load.d. The vfat
# modules ship unlisted (found through the fs-vfat alias). VARIANT:
#   default   as above
#   padN      adds /pad, N MiB of incompressible data, the same bytes on every run (a fixed-seed
#             generator; a bare number N means the same)
#   nomods    no module at all (no .ko, no modules.dep), but modules-load.d still names the
#             usual ones: an image whose module packages were forgotten
#   raspi     for QEMU's Raspberry Pi 3B (boot.sh -M raspi3b): bcm2835 (the sdhost driver:
#             the SD card as mmcblk0; mmc_block is built in) and bcm2835_wdt (without it
#             poweroff ends in "System halted" and QEMU never exits) instead of the virtio ones
#   nodirs    no mount point at all (no /proc /sys /run /rootfs /overlay): an initramfs a user
#             built by hand; overroot must make every mount point it uses
#   fsck      default with e2fsck (initramfs-e2fsck.list: Debian's e2fsck-static as
#             /sbin/e2fsck, mk/e2fsck.conf as /etc/e2fsck.conf), as `make initramfs` makes it
#   fakefsck  default with fakefsck.c as /sbin/e2fsck: it hangs, kills itself, crashes or exits
#             as tfsck= on the command line says
#   builtin   no module and no modules-load.d entry: for make kernel's Image, which has every
#             driver built in (what `make initramfs` gives, as bundled in Image-overroot)
# A verified root (issue 23), builtin plus /usr/share/misc/dm-verity.env (meta-security's env
# file) made from build/qemu/disk-LAYOUT.img.dmverity.env (mkdisk.sh, mkverity.sh):
#   env-LAYOUT       as built
#   envwrong-LAYOUT  ROOT_HASH well-formed but wrong (its last digit changed)
#   envbad-LAYOUT    malformed: line 3 has no "="
#   envbadnum-LAYOUT malformed: DATA_BLOCK_SIZE=abc (line 4)
# INITRAMFS_EXTRA=DIR (environment) copies DIR's tree on top.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
die() { echo "mkinitramfs.sh: ERROR: $*" >&2; exit 1; }

[ $# -ge 2 ] || die "usage: mkinitramfs.sh INIT OUT.cpio.gz [VARIANT]"
init=$1 out=$2 variant=${3:-default} pad=0
kmodules="virtio_mmio virtio_blk crc32c_generic ext4 overlay"
kmodules_extra="vfat fat nls_cp437 nls_iso8859_1"
case $variant in
default) ;;
pad[0-9]* | [0-9]*) pad=${variant#pad} ;;
nomods | nodirs | fsck | fakefsck) ;;
builtin) kmodules='' kmodules_extra='' ;;
env-* | envwrong-* | envbad-* | envbadnum-*)
	kmodules='' kmodules_extra=''
	venv=$top/build/qemu/disk-${variant#*-}.img.dmverity.env
	[ -f "$venv" ] || die "no $venv: build the disk ${variant#*-} first (mkdisk.sh)"
	;;
raspi) kmodules="bcm2835 bcm2835_wdt crc32c_generic ext4 overlay" ;;
*) die "unknown variant '$variant' (default, padN, nomods, nodirs, raspi, fsck, fakefsck, builtin, env-L...)" ;;
esac
[ -f "$init" ] || die "no init binary at $init"
grep -q '^E2FSCK=' "$top/build/qemu/kernel.env" 2>/dev/null || "$top/tests/qemu/fetch.sh" >/dev/null
# shellcheck source=/dev/null
. "$top/build/qemu/kernel.env"

mkdir -p "$top/build/qemu" "$(dirname "$out")"
extra=$(mktemp -d "$top/build/qemu/initramfs-extra.XXXXXX")
trap 'rm -rf "$extra" "$extra.list"' EXIT
if [ -n "${INITRAMFS_EXTRA:-}" ]; then
	cp -R "$INITRAMFS_EXTRA/." "$extra/" || die "cannot copy INITRAMFS_EXTRA=$INITRAMFS_EXTRA"
fi
if [ "$pad" -gt 0 ]; then
	python3 -c 'import random, sys
sys.stdout.buffer.write(random.Random(20261202).randbytes(int(sys.argv[1]) << 20))' "$pad" \
		>"$extra/pad" || die "cannot write the padding (python3)"
fi
if [ -n "${venv:-}" ]; then
	mkdir -p "$extra/usr/share/misc"
	case $variant in
	env-*) cat "$venv" ;;
	envwrong-*) sed 's/^\(ROOT_HASH=.*\)0$/\11/; t; s/^\(ROOT_HASH=.*\).$/\10/' "$venv" ;;
	envbad-*) sed '3i\
this line has no equals sign' "$venv" ;;
	envbadnum-*) sed 's/^DATA_BLOCK_SIZE=.*/DATA_BLOCK_SIZE=abc/' "$venv" ;;
	esac >"$extra/usr/share/misc/dm-verity.env.tmp"
	mv "$extra/usr/share/misc/dm-verity.env.tmp" "$extra/usr/share/misc/dm-verity.env"
	[ "$variant" = "env-${variant#*-}" ] || ! cmp -s "$venv" "$extra/usr/share/misc/dm-verity.env" ||
		die "$variant: the env file is unchanged"
fi
if [ "$variant" = nomods ]; then
	mkdir -p "$extra/etc/modules-load.d"
	for m in $kmodules; do echo "$m"; done >"$extra/etc/modules-load.d/overroot.conf"
	kmodules='' kmodules_extra=''
fi

list=$top/initramfs.list lists=
case $variant in
fsck) lists=$top/initramfs-e2fsck.list ;;
fakefsck)
	lists=$top/initramfs-e2fsck.list E2FSCK=$top/build/qemu/fakefsck
	if [ ! -f "$E2FSCK" ] || [ "$top/tests/qemu/fakefsck.c" -nt "$E2FSCK" ]; then
		aarch64-linux-gnu-gcc -specs /usr/lib/aarch64-linux-musl/musl-gcc.specs -static -Os \
			-s -o "$E2FSCK" "$top/tests/qemu/fakefsck.c" || die "cannot build fakefsck.c"
	fi
	;;
esac
if [ "$variant" = nodirs ]; then
	list=$extra.list
	grep -vE '^dir /(proc|sys|run|rootfs|overlay) ' "$top/initramfs.list" >"$list"
fi

INIT=$(cd "$(dirname "$init")" && pwd)/$(basename "$init") \
KMODULES=$kmodules KMODULES_EXTRA=$kmodules_extra KMODDIR=$MODDIR EXTRA_DIR=$extra E2FSCK=$E2FSCK \
	sh "$top/mk/initramfs.sh" "$list" $lists "$out" ||
	die "mk/initramfs.sh failed"
echo "mkinitramfs.sh: $out ($(du -k "$out" | cut -f1) KiB, kernel $KVER)" >&2
