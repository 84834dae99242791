#!/bin/sh
# mkdtb.sh IN.dtb OUT.dtb: the Raspberry Pi 4's device tree as the kernel built it
# (bcm2711-rpi-4-b.dtb), changed where QEMU's raspi4b differs from the board, so that a
# mainline kernel reaches the card (boot-facts §6). With fdtput (device-tree-compiler):
#  1. the "aon" L2 interrupt controller (7ef00100) is not emulated: reading it aborts in
#     brcmstb_l2_intc_of_init; only HDMI uses it, so the node goes;
#  2. QEMU attaches -drive if=sd to the legacy SDHCI (mmc@7e300000), which the board wires to
#     the Wi-Fi chip: without its power sequence, pins, non-removable and wifi child it is a
#     plain card slot, and the card shows as mmcblk0 with p1 p2 p3, the names a real Pi 4 gives;
#  3. the PL011 (ttyAMA0) carries the Bluetooth node, which QEMU does not emulate: without it
#     ttyAMA0 is a plain console with input.
# The third thing §6 lists, clk_ignore_unused, is a kernel parameter: the scenarios put it in
# front of the Pi's command line, where the firmware puts its own words on a real Pi.
set -eu
[ $# = 2 ] || { echo "usage: mkdtb.sh IN.dtb OUT.dtb" >&2; exit 2; }
command -v fdtput >/dev/null || { echo "mkdtb.sh: fdtput not found (device-tree-compiler)" >&2; exit 1; }
cp "$1" "$2.tmp"
fdtput -r "$2.tmp" /soc/interrupt-controller@7ef00100
for p in mmc-pwrseq non-removable pinctrl-0 pinctrl-names; do
	fdtput -d "$2.tmp" /soc/mmc@7e300000 "$p"
done
fdtput -r "$2.tmp" /soc/mmc@7e300000/wifi@1
fdtput -r "$2.tmp" /soc/serial@7e201000/bluetooth
mv "$2.tmp" "$2"
