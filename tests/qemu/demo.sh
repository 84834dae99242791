#!/bin/bash
# demo.sh [CMDLINE...]: boot overroot interactively on this terminal (what `make qemu` runs).
# Kernel command line: root=/dev/vda2 rootrw=/dev/vda3, then the arguments, if any.
# The test init starts a shell on the console; leaving it powers the guest off. Ctrl-A X quits
# QEMU at any time. Environment: INIT (default build/aarch64/init), DEMO_LAYOUT=mbr|gpt,
# DEMO_KEEP=1 keeps the previous demo disk (and what was written to its data partition).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib.sh
. "$top/tests/qemu/lib.sh"
layout=${DEMO_LAYOUT:-mbr}

need_init || exit 2
ensure_kernel || exit 2
ensure_disk "$layout" || exit 2
ensure_initramfs default || exit 2
disk=$out/demo-$layout.img
if [ "${DEMO_KEEP:-}" != 1 ] || [ ! -f "$disk" ]; then
	cp --sparse=always "$out/disk-$layout.img" "$disk"
fi
echo "demo.sh: booting $INIT with $disk (Ctrl-A X quits QEMU)" >&2
exec "$qdir/boot.sh" -I -i "$out/initramfs-default.cpio.gz" -d "$disk" \
	-a "root=/dev/vda2 rootrw=/dev/vda3 $*"
