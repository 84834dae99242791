#!/bin/sh
# mk/kernel.sh OUT [NAME=SOURCE ...]: an arm64 kernel from Debian's linux-source-6.1, built out
# of tree under OUT/obj from `allnoconfig` plus mk/kernel.config (everything the Pi 4, the Pi 3
# and QEMU virt need built in, no modules). Writes:
#   OUT/Image              the plain kernel (no initramfs: the kernel mounts root= itself)
#   OUT/Image-NAME         the same kernel with SOURCE bundled as CONFIG_INITRAMFS_SOURCE, the
#                          way Yocto's kernel.bbclass bundles INITRAMFS_IMAGE: SOURCE is a
#                          .cpio (the kernel compresses it as its config says) or a
#                          gen_init_cpio list such as overroot's initramfs.list; A+B gives
#                          several, as one space-separated CONFIG_INITRAMFS_SOURCE
#   OUT/dtbs/*.dtb         bcm2711-rpi-4-b.dtb and bcm2837-rpi-3-b.dtb, as the kernel built them
#   OUT/kernel.env         KVER, IMAGE, DTBS for the scripts that boot it
# Environment: INITRAMFS_COMPRESSION (gzip, xz, lz4, zstd, lzo, lzma, bzip2, none) for the
# bundled images (default gzip, the kernel's own default); JOBS (nproc).
# Cached: a second run with the same fragment, source and inputs only relinks what changed.
set -eu

die() { echo "kernel.sh: ERROR: $*" >&2; exit 1; }
say() { echo "kernel.sh: $*" >&2; }
[ $# -ge 1 ] || die "usage: mk/kernel.sh OUT [NAME=SOURCE ...]"
top=$(cd "$(dirname "$0")/.." && pwd)
out=$1
shift
mkdir -p "$out"
out=$(cd "$out" && pwd)
tarball=/usr/src/linux-source-6.1.tar.xz
frag=$top/mk/kernel.config
jobs=${JOBS:-$(nproc)}
kmake() { make -s -C "$out/src" O="$out/obj" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
	-j"$jobs" "$@"; }

# One build at a time in OUT: the kernel's make and the .config edits below are not safe to run
# twice at once (two scenario runners, a bench beside make kernel).
exec 9>"$out/.lock"
flock 9

[ -f "$tarball" ] || die "no $tarball: install Debian's linux-source-6.1 (tools/setup-host.sh)"
for t in aarch64-linux-gnu-gcc flex bison bc; do
	command -v $t >/dev/null || die "$t not found: run tools/setup-host.sh as root"
done

# 1. The source, unpacked once per tarball.
stamp=$(stat -c '%s %Y' "$tarball")
if [ "$(cat "$out/src/.from" 2>/dev/null)" != "$stamp" ]; then
	say "unpacking $tarball into $out/src (once)"
	rm -rf "$out/src" "$out/src.tmp"
	mkdir -p "$out/src.tmp"
	tar -xJf "$tarball" -C "$out/src.tmp" --strip-components=1 || die "cannot unpack $tarball"
	echo "$stamp" >"$out/src.tmp/.from"
	mv "$out/src.tmp" "$out/src"
	rm -rf "$out/obj"
fi

# 2. The configuration: allnoconfig + the fragment, and every =y of the fragment must survive
# (merge_config.sh only warns about an option whose dependencies are missing).
want=$(sha256sum "$frag" | cut -c1-16)
if [ "$(cat "$out/obj/.fragment" 2>/dev/null)" != "$want" ]; then
	say "configuring: allnoconfig + mk/kernel.config"
	mkdir -p "$out/obj"
	kmake allnoconfig >/dev/null
	(cd "$out/obj" && ARCH=arm64 "$out/src/scripts/kconfig/merge_config.sh" -m -O "$out/obj" \
		"$out/obj/.config" "$frag" >"$out/obj/merge.log" 2>&1) || die "merge_config.sh failed"
	kmake olddefconfig >/dev/null
	missing=$(grep '^CONFIG_.*=' "$frag" | while IFS= read -r l; do
		grep -qx "$l" "$out/obj/.config" || echo "$l"; done)
	[ -z "$missing" ] || die "not in the merged .config (a dependency is missing):" $missing
	echo "$want" >"$out/obj/.fragment"
fi

# 3. The plain Image and the dtbs. The kernel's make is incremental: a cached tree relinks only.
dtbs="broadcom/bcm2711-rpi-4-b.dtb broadcom/bcm2837-rpi-3-b.dtb"
if [ ! -f "$out/Image" ] || [ "$(cat "$out/Image.from" 2>/dev/null)" != "$want" ]; then
	say "building Image and the Raspberry Pi dtbs (the first time: about 15 minutes on 2 cores)"
	start=$(date +%s)
	kmake Image $dtbs || die "the kernel build failed (see above)"
	say "built in $(($(date +%s) - start)) s"
	cp "$out/obj/arch/arm64/boot/Image" "$out/Image"
	mkdir -p "$out/dtbs"
	for d in $dtbs; do cp "$out/obj/arch/arm64/boot/dts/$d" "$out/dtbs/"; done
	echo "$want" >"$out/Image.from"
fi

# 4. Bundled images: CONFIG_INITRAMFS_SOURCE on make's command line, as kernel.bbclass does.
comp=${INITRAMFS_COMPRESSION:-gzip}
case $comp in
gzip | xz | lz4 | zstd | lzo | lzma | bzip2 | none) ;;
*) die "INITRAMFS_COMPRESSION=$comp: one of gzip xz lz4 zstd lzo lzma bzip2 none" ;;
esac
# The compression choice exists only when .config names a source (usr/Kconfig): a source given
# on make's command line alone, as kernel.bbclass does, is bundled uncompressed. So the source
# and the compression go into .config, and out again afterwards.
set_source() {
	cfg=$out/obj/.config
	sed -i '/^CONFIG_INITRAMFS_SOURCE=/d; /CONFIG_INITRAMFS_COMPRESSION_/d' "$cfg"
	echo "CONFIG_INITRAMFS_SOURCE=\"$1\"" >>"$cfg"
	[ -z "$1" ] || echo "CONFIG_INITRAMFS_COMPRESSION_$(echo "$2" | tr a-z A-Z)=y" >>"$cfg"
	kmake olddefconfig >/dev/null
	[ -z "$1" ] || grep -qx "CONFIG_INITRAMFS_COMPRESSION_$(echo "$2" | tr a-z A-Z)=y" "$cfg" ||
		die "the kernel did not take INITRAMFS_COMPRESSION=$2"
}
bundled=
for spec in "$@"; do
	name=${spec%%=*} srcs=${spec#*=} src=
	for s in $(echo "$srcs" | tr '+' ' '); do
		[ -f "$s" ] || die "$name: no $s"
		src="$src${src:+ }$(cd "$(dirname "$s")" && pwd)/$(basename "$s")"
	done
	img=$out/Image-$name
	# The list's files count too: its inputs are what the kernel's make depends on.
	# shellcheck disable=SC2086 # a list of sources
	key="$want $comp $(cat $src | sha256sum | cut -c1-16) ${BUNDLE_KEY:-}"
	[ -f "$img" ] && [ "$(cat "$img.from" 2>/dev/null)" = "$key" ] && continue
	say "bundling $src into Image-$name ($comp)"
	set_source "$src" "$comp"
	kmake Image || { set_source ""; die "bundling $src failed (see above)"; }
	# An Image the same as the plain one has no initramfs in it: say so, never keep it. (Its
	# size can be the same: the initramfs section grows in 128 KiB steps.)
	! cmp -s "$out/obj/arch/arm64/boot/Image" "$out/Image" ||
		{ set_source ""; die "Image-$name is the plain Image: $src was not bundled"; }
	# Into place by rename: a boot started from the old one (another checkout sharing OUT)
	# keeps reading the file it opened.
	cp "$out/obj/arch/arm64/boot/Image" "$img.tmp" && mv -f "$img.tmp" "$img"
	echo "$key" >"$img.from"
	bundled=1
done
[ -z "$bundled" ] || set_source ""

kver=$(cat "$out/obj/include/config/kernel.release" 2>/dev/null || echo 6.1)
cat >"$out/kernel.env" <<EOF
KVER=$kver
IMAGE=$out/Image
DTBS=$out/dtbs
EOF
say "$out/Image: $(stat -c %s "$out/Image") bytes ($kver)"
