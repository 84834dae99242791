#!/bin/bash
# build.sh: everything the speed/size bench boots, under build/bench/ (run.sh calls it).
#   floor, floor-ro          tests/bench/floor.c, static aarch64 musl (with and without rootrw)
#   initramfs-overroot       build/aarch64/init (make ARCH=aarch64 first) as /init
#   initramfs-floor[-ro]     the floor as /init
#   initramfs-shell          Debian's busybox-static + tests/bench/shellinit.sh as /init
#   initramfs-tiny           Debian's tiny-initramfs-core init-static as /init, /modules list
#   disk-mbr.img             the pristine disk (tests/qemu/mkdisk.sh), copied for every boot
#   disk-verity.img          the same with a verified root (mkdisk.sh verity), for the kv- boots
# Every initramfs carries the same kernel modules (BENCH_MODULES, with their dependencies) and
# is built by mk/initramfs.sh, gzip -9. Downloads (apt-get download + dpkg -x, cached in
# build/qemu/cache/): the arm64 kernel and busybox-static through tests/qemu/fetch.sh, and
# tiny-initramfs-core:arm64 here. Writes build/bench/build.env for run.sh and bench.py.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
bdir=$top/tests/bench
out=$top/build/bench
cache=$top/build/qemu/cache
die() { echo "bench/build.sh: ERROR: $*" >&2; exit 1; }
say() { echo "bench/build.sh: $*" >&2; }
mkdir -p "$out" "$cache"

# virtio_pci for the hot-plug boots (the disk on a PCIe root port); the rest for every boot.
BENCH_MODULES=${BENCH_MODULES:-virtio_mmio virtio_pci virtio_blk crc32c_generic ext4 overlay}
INIT=${INIT:-$top/build/aarch64/init}
[ -f "$INIT" ] || die "no overroot binary at $INIT: run make ARCH=aarch64 first"

[ -f "$top/build/qemu/kernel.env" ] || "$top/tests/qemu/fetch.sh" >/dev/null ||
	die "tests/qemu/fetch.sh failed"
# shellcheck source=/dev/null
. "$top/build/qemu/kernel.env"

# --- tiny-initramfs-core:arm64 (Debian's binary package; only its init binary is used) ----
# shellcheck disable=SC2012 # Debian's .deb names are plain
tiny_deb=$(ls "$cache"/tiny-initramfs-core_*_arm64.deb 2>/dev/null | sort -V | tail -n 1)
if [ -z "$tiny_deb" ]; then
	say "downloading tiny-initramfs-core:arm64 from Debian (apt-get download)"
	(cd "$cache" && apt-get download tiny-initramfs-core:arm64 >&2) ||
		die "apt-get download tiny-initramfs-core:arm64 failed (is the arm64 architecture" \
			"added, apt-get update run? tests/qemu/fetch.sh does both)"
	# shellcheck disable=SC2012
	tiny_deb=$(ls "$cache"/tiny-initramfs-core_*_arm64.deb | sort -V | tail -n 1)
fi
if [ "$(cat "$cache/tiny/.from" 2>/dev/null)" != "$(basename "$tiny_deb")" ]; then
	rm -rf "$cache/tiny"
	dpkg -x "$tiny_deb" "$cache/tiny" || die "dpkg -x $tiny_deb failed"
	basename "$tiny_deb" >"$cache/tiny/.from"
fi
TINY_INIT=$(find "$cache/tiny/usr/lib" -path '*tiny-initramfs/init-static' | head -n 1)
[ -f "$TINY_INIT" ] || die "no init-static in $tiny_deb"

# --- the module files, dependencies first (modules.dep lists a module's deps deepest last) --
mod_order=$(awk -v want="$BENCH_MODULES" '
	BEGIN {
		n = split(want, w, " ")
		for (i = 1; i <= n; i++) { gsub(/-/, "_", w[i]); order[i] = w[i] }
	}
	{
		f = $1; sub(/:$/, "", f)
		m = f; sub(/.*\//, "", m); sub(/\.ko.*$/, "", m); gsub(/-/, "_", m)
		line[m] = $0
	}
	END {
		for (i = 1; i <= n; i++) {
			if (!(order[i] in line)) { print "MISSING " order[i]; continue }
			k = split(line[order[i]], p, " "); sub(/:$/, "", p[1])
			for (j = k; j >= 2; j--) if (!(p[j] in seen)) { seen[p[j]] = 1; print p[j] }
			if (!(p[1] in seen)) { seen[p[1]] = 1; print p[1] }
		}
	}' "$MODDIR/modules.dep")
case $mod_order in *MISSING*) die "not in modules.dep: $mod_order" ;; esac
for p in $mod_order; do
	case $p in *.ko) ;; *) die "compressed module $p: the bench expects plain .ko files" ;; esac
done
mod_paths=$(for p in $mod_order; do echo "/lib/modules/$KVER/$p"; done)

# --- the floor ---------------------------------------------------------------------------
CC="aarch64-linux-gnu-gcc -specs /usr/lib/aarch64-linux-musl/musl-gcc.specs"
kh=$top/build/aarch64/blkid/kheaders
[ -d "$kh" ] || die "no kernel headers at $kh (make ARCH=aarch64 builds them)"
cmods=$(for p in $mod_paths; do printf '"%s",' "$p"; done)
floor_build() { # OUT EXTRA_CFLAGS...
	local o=$1
	shift
	# shellcheck disable=SC2086 # CC is a command with arguments
	$CC -Os -static -Wall -Wextra -Wno-unused-result -Wno-type-limits -isystem "$kh" \
		-Wl,--gc-sections -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
		-DFLOOR_MODULES="${FLOOR_MODS-${cmods%,}}" -DFLOOR_ROOT='"/dev/vda2"' -DFLOOR_ROOT_TYPE='"ext4"' \
		"$@" -o "$o" "$bdir/floor.c" || die "cannot build $o"
	aarch64-linux-gnu-strip "$o"
}
floor_build "$out/floor" -DFLOOR_RW='"/dev/vda3"' -DFLOOR_RW_TYPE='"ext4"'
floor_build "$out/floor-ro"
# For overroot's own kernel (make kernel: drivers built in), the floor loads nothing.
FLOOR_MODS='' floor_build "$out/floor-k" -DFLOOR_RW='"/dev/vda3"' -DFLOOR_RW_TYPE='"ext4"'

# --- the initramfs images ----------------------------------------------------------------
mkinitramfs() { # NAME INIT LIST [EXTRA_DIR] [KMODULES]
	local name=$1 init=$2 list=$3 extra=${4:-} kmods=${5-$BENCH_MODULES}
	INIT=$init KMODULES="$kmods" KMODULES_EXTRA='' KMODDIR=$MODDIR EXTRA_DIR=$extra \
		sh "$top/mk/initramfs.sh" "$list" "$out/initramfs-$name.cpio.gz" 2>/dev/null ||
		die "mk/initramfs.sh failed for $name"
	cp "$init" "$out/init-$name"
}
mkinitramfs overroot "$INIT" "$top/initramfs.list"
mkinitramfs floor "$out/floor" "$top/initramfs.list"
mkinitramfs floor-ro "$out/floor-ro" "$top/initramfs.list"

# The shell way: the same tree plus busybox and its applet links.
applets="sh mkdir mount umount cat insmod grep sleep switch_root echo"
sed "s|@MODULES@|$(echo "$mod_paths" | tr '\n' ' ')|" "$bdir/shellinit.sh" >"$out/shellinit.sh"
chmod 0755 "$out/shellinit.sh"
{
	grep -v '^file /init ' "$top/initramfs.list"
	echo "dir /bin 0755 0 0"
	echo "file /bin/busybox $BUSYBOX 0755 0 0"
	for a in $applets; do echo "slink /bin/$a busybox 0777 0 0"; done
	echo "file /init build/aarch64/init 0755 0 0"
} >"$out/shell.list"
mkinitramfs shell "$out/shellinit.sh" "$out/shell.list"
cp "$BUSYBOX" "$out/busybox"

# tiny-initramfs: its own layout (README.md of the package): /dev /proc /target, the modules
# at the top level, listed in /modules ("/name.ko [options]", in load order).
tx=$out/tiny-extra
rm -rf "$tx"
mkdir -p "$tx"
for p in $mod_order; do
	cp "$MODDIR/$p" "$tx/"
	echo "/$(basename "$p")"
done >"$tx/modules"
cat >"$out/tiny.list" <<EOF
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /proc 0755 0 0
dir /target 0755 0 0
file /init build/aarch64/init 0755 0 0
EOF
mkinitramfs tiny "$TINY_INIT" "$out/tiny.list" "$tx" ''

# --- module-less images for overroot's own kernel, bundled into it -------------------------
# build/kernel/ (make kernel) builds every driver in: its initramfs images carry no modules.
# Each plain cpio (the kernel compresses it) is bundled by mk/kernel.sh into
# build/kernel/Image-bench-NAME: overroot (in every compression the kernel offers, for the
# unpack table: Image-bench-overroot-COMP), the floor and the shell way (gzip, the kernel's
# default). BENCH_KERNEL=0 skips this; BENCH_COMPRESSIONS="gzip lz4" bundles fewer.
kcpio() { # NAME INIT LIST
	mkinitramfs "k-$1" "$2" "$3" '' ''
	gzip -dc "$out/initramfs-k-$1.cpio.gz" >"$out/initramfs-k-$1.cpio"
}
kcpio overroot "$INIT" "$top/initramfs.list"
kcpio floor "$out/floor-k" "$top/initramfs.list"
sed "s|@MODULES@||" "$bdir/shellinit.sh" >"$out/shellinit-k.sh"
chmod 0755 "$out/shellinit-k.sh"
kcpio shell "$out/shellinit-k.sh" "$out/shell.list"
kdir=$top/build/kernel
if [ "${BENCH_KERNEL:-1}" != 0 ]; then
	[ -f "$kdir/Image" ] || die "no $kdir/Image: run make kernel first (or BENCH_KERNEL=0)"
	sh "$top/mk/kernel.sh" "$kdir" bench-floor="$out/initramfs-k-floor.cpio" \
		bench-shell="$out/initramfs-k-shell.cpio" || die "bundling failed"
	for c in ${BENCH_COMPRESSIONS:-gzip xz lz4 zstd lzo lzma bzip2 none}; do
		INITRAMFS_COMPRESSION=$c sh "$top/mk/kernel.sh" "$kdir" \
			bench-overroot-"$c"="$out/initramfs-k-overroot.cpio" || die "bundling $c failed"
	done
fi

# --- the disk ----------------------------------------------------------------------------
if [ ! -f "$out/disk-mbr.img.env" ] || [ "$top/tests/qemu/mkdisk.sh" -nt "$out/disk-mbr.img" ] ||
	[ "$top/tests/qemu/testinit.sh" -nt "$out/disk-mbr.img" ]; then
	"$top/tests/qemu/mkdisk.sh" "$out/disk-mbr.img" mbr || die "mkdisk.sh failed"
fi
# The verified root's disk (bench.py's kv- contenders: the tree after the root, Debian's
# veritysetup through tests/qemu/mkverity.sh).
if [ ! -f "$out/disk-verity.img.env" ] || [ "$top/tests/qemu/mkdisk.sh" -nt "$out/disk-verity.img" ] ||
	[ "$top/tests/qemu/mkverity.sh" -nt "$out/disk-verity.img" ] ||
	[ "$top/tests/qemu/testinit.sh" -nt "$out/disk-verity.img" ] || [ "$INIT" -nt "$out/disk-verity.img" ]; then
	"$top/tests/qemu/mkdisk.sh" "$out/disk-verity.img" verity || die "mkdisk.sh verity failed"
fi

cat >"$out/build.env" <<EOF
KVER=$KVER
VMLINUZ=$VMLINUZ
TINY_DEB=$(basename "$tiny_deb")
BUSYBOX_DEB=$(cat "$cache/busybox/.from" 2>/dev/null)
KERNEL_DEB=$(cat "$cache/linux/.from" 2>/dev/null)
MODULES="$(echo "$mod_order" | tr '\n' ' ' | sed 's|kernel/[^ ]*/||g; s|\.ko||g; s| $||')"
EOF
say "built: $(cd "$out" && echo initramfs-*.cpio.gz)"
