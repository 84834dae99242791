# Sourced (bash) by run.sh and demo.sh: build what a boot needs when it is missing or stale.
# Needs $top (the repo top). INIT (default build/aarch64/init) is the overroot binary;
# INITRAMFS_EXTRA (see mkinitramfs.sh) is passed through.
# shellcheck disable=SC2154 # top is set by the caller

qdir=$top/tests/qemu
out=$top/build/qemu
mkdir -p "$out"
INIT=${INIT:-$top/build/aarch64/init}
export INIT	# mkdisk.sh installs it as /usr/sbin/overroot

ensure_kernel() {
	[ -f "$out/kernel.env" ] || "$qdir/fetch.sh" >/dev/null || return 1
}

# ensure_builtkernel: build/kernel/ from `make kernel` (Image, Image-overroot, dtbs), and the
# Pi 4 device tree changed for QEMU's raspi4b (mkdtb.sh). The first run compiles the kernel.
kdir=$top/build/kernel
ensure_builtkernel() {
	make -C "$top" --no-print-directory kernel >&2 || return 1
	if stale "$kdir/dtbs/bcm2711-rpi-4-b-qemu.dtb" "$kdir/dtbs/bcm2711-rpi-4-b.dtb" \
		"$qdir/mkdtb.sh"; then
		"$qdir/mkdtb.sh" "$kdir/dtbs/bcm2711-rpi-4-b.dtb" "$kdir/dtbs/bcm2711-rpi-4-b-qemu.dtb" ||
			return 1
	fi
}

# stale FILE DEP...: true when FILE is missing or a DEP is newer.
stale() {
	local f=$1 d
	shift
	[ -f "$f" ] || return 0
	for d in "$@"; do [ "$d" -nt "$f" ] && return 0; done
	return 1
}

# ensure_disk LAYOUT: the pristine image build/qemu/disk-LAYOUT.img (never booted itself; the
# layouts: mkdisk.sh). The real roots (mkrealroot.sh) also depend on mmdebstrap's cached tree,
# built first; when that fails the image is removed, so no stale one is used.
ensure_disk() {
	local img=$out/disk-$1.img base=${1%-verity}
	local -a deps=("$qdir/mkdisk.sh" "$qdir/testinit.sh" "$out/kernel.env" "$INIT")
	base=${base%-vhash}
	case $1 in *verity | *vhash) deps+=("$qdir/mkverity.sh") ;; esac
	case $base in
	systemd | sysvinit | busybox)
		if ! "$qdir/mkrealroot.sh" --base "$base"; then
			rm -f "$img" "$img.env"
			return 1
		fi
		deps+=("$qdir/mkrealroot.sh" "$qdir"/realroot/* "$top/contrib/sysv/overroot-shutdown"
			"$top/contrib/sysv/overroot-boot-ok" "$top/contrib/systemd/overroot-boot-ok.service")
		[ "$base" = busybox ] || deps+=("$out/cache/realroot-$base.tar")
		;;
	esac
	if stale "$img.env" "${deps[@]}"; then
		"$qdir/mkdisk.sh" "$img" "$1" || { rm -f "$img" "$img.env"; return 1; }
	fi
}

# ensure_initramfs VARIANT: build/qemu/initramfs-VARIANT.cpio.gz for $INIT (the variants:
# mkinitramfs.sh). env-LAYOUT and its faulty kin hold the env file of disk LAYOUT: built first.
ensure_initramfs() {
	local img from
	local -a deps=()
	case $1 in
	default | pad[0-9]* | nomods | nodirs | raspi | fsck | fakefsck | builtin) ;;
	env-* | envwrong-* | envbad-* | envbadnum-*)
		ensure_disk "${1#*-}" || return 1
		deps=("$out/disk-${1#*-}.img.dmverity.env")
		;;
	*) echo "unknown initramfs variant '$1' (default, padN, nomods, raspi, fsck, fakefsck, builtin, env-LAYOUT...)" >&2
		return 1 ;;
	esac
	img=$out/initramfs-$1.cpio.gz
	from="$INIT ${INITRAMFS_EXTRA:-}"
	[ "$(cat "$img.from" 2>/dev/null)" = "$from" ] || rm -f "$img"
	if stale "$img" "$INIT" "$qdir/mkinitramfs.sh" "$top/mk/initramfs.sh" "$top/initramfs.list" \
		"$out/kernel.env" "$top/initramfs-e2fsck.list" "$top/mk/e2fsck.conf" "$qdir/fakefsck.c" \
		"${deps[@]}"; then
		"$qdir/mkinitramfs.sh" "$INIT" "$img" "$1" || return 1
		echo "$from" >"$img.from"
	fi
}

need_init() {
	if [ ! -f "$INIT" ]; then
		echo "no overroot binary at $INIT: build it (make ARCH=aarch64) or set INIT=path" >&2
		return 1
	fi
}

# sd_pad IMG: grow IMG (sparse) to the next power of two, as QEMU's SD card model wants.
sd_pad() {
	local size p=1
	size=$(stat -c %s "$1") || return 1
	while [ "$p" -lt "$size" ]; do p=$((p * 2)); done
	[ "$p" = "$size" ] || truncate -s "$p" "$1"
}
