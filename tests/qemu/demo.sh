#!/bin/bash
# demo.sh [CMDLINE...]: boot overroot interactively on this terminal (what `make qemu` runs).
# Kernel command line: root=/dev/vda2 rootrw=/dev/vda3, then the arguments, if any.
# The test init starts a shell on the console; leaving it powers the guest off. Ctrl-A X quits
# QEMU at any time. Environment: INIT (default build/aarch64/init), DEMO_LAYOUT=mbr|gpt,
# DEMO_KEEP=1 keeps the previous demo disk (and what was written to its data partition),
# MACHINE=virt|raspi3b (`make qemu MACHINE=raspi3b`): raspi3b boots QEMU's Raspberry Pi 3B, the
# disk as its SD card, with the Pi's command line root=/dev/mmcblk0p2 rootrw=/dev/mmcblk0p3
# and the console on the mini UART (console=ttyS1), as on a real Pi 3. MACHINE=raspi4b (`make
# qemu MACHINE=raspi4b`): QEMU 10's Raspberry Pi 4B with make kernel's Image-overroot (overroot
# bundled, no -initrd), the Pi 4's command line root=/dev/mmcblk0p2 rootrw=/dev/mmcblk0p3
# rootwait behind "console=ttyAMA0 clk_ignore_unused" (see mkdtb.sh).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib.sh
. "$top/tests/qemu/lib.sh"
layout=${DEMO_LAYOUT:-mbr}
machine=${MACHINE:-virt}
case $machine in
virt) rd=default dev=vda con=console=ttyAMA0 ;;
# The Pi 3's PL011 belongs to its Bluetooth (see boot.sh): the terminal is the mini UART.
raspi3b) rd=raspi dev=mmcblk0p con=console=ttyS1 ;;
raspi4b) rd=none dev=mmcblk0p con="console=ttyAMA0 clk_ignore_unused" ;;
*) echo "demo.sh: unknown MACHINE '$machine' (virt, raspi3b or raspi4b)" >&2; exit 2 ;;
esac
kopt=()

need_init || exit 2
ensure_kernel || exit 2
ensure_disk "$layout" || exit 2
if [ "$machine" = raspi4b ]; then
	ensure_builtkernel || exit 2
	kopt=(-K "$kdir/Image-overroot" -D "$kdir/dtbs/bcm2711-rpi-4-b-qemu.dtb")
	rdfile=none
else
	ensure_initramfs "$rd" || exit 2
	rdfile=$out/initramfs-$rd.cpio.gz
fi
disk=$out/demo-$layout.img
[ "$machine" = virt ] || disk=$out/demo-$layout-$machine.img
if [ "${DEMO_KEEP:-}" != 1 ] || [ ! -f "$disk" ]; then
	cp --sparse=always "$out/disk-$layout.img" "$disk"
	[ "$machine" = virt ] || sd_pad "$disk"
fi
echo "demo.sh: booting $INIT on $machine with $disk (Ctrl-A X quits QEMU)" >&2
[ "$machine" = raspi4b ] && set -- rootwait "$@"
exec "$qdir/boot.sh" -I -M "$machine" "${kopt[@]}" -c "$con" -i "$rdfile" -d "$disk" \
	-a "root=/dev/${dev}2 rootrw=/dev/${dev}3 $*"
