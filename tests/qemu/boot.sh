#!/bin/bash
# boot.sh -i INITRD|none [-K KERNEL] [-D DTB] [-d DISK | -R DISK]... [-c CONSOLE] [-a APPEND]
#         [-l LOG] [-t SECONDS] [-k PATTERN] [-g SECONDS] [-9] [-I] [-M MACHINE]
# Boot one qemu-system-aarch64 guest, by default with the Debian arm64 kernel from fetch.sh.
#   -M MACHINE  virt (default: -cpu cortex-a72, virtio-blk disks), raspi3b (QEMU's Raspberry
#               Pi 3B: 1 GiB and 4 CPUs, fixed) or raspi4b (QEMU 10's Raspberry Pi 4B: 2 GiB,
#               4 CPUs; needs -D, e.g. build/kernel/dtbs/bcm2711-rpi-4-b-qemu.dtb from
#               tests/qemu/mkdtb.sh). A Pi has one disk, as the SD card (-drive if=sd; its size
#               must be a power of two); the PL011 is ttyAMA0 and the mini UART goes to LOG.aux
#   -K KERNEL   the kernel Image (default: Debian's, from fetch.sh)
#   -D DTB      the device tree (default for raspi3b: the Debian kernel package's
#               bcm2837-rpi-3-b.dtb)
#   -i INITRD   the initramfs (.cpio.gz), or none: no -initrd (a bundled kernel, or no
#               initramfs at all)
#   -d DISK     a raw disk image, as a virtio-blk-device (repeat for more; the first is vda)
#   -R DISK     the same, read-only (-drive ...,readonly=on: the guest sees a read-only disk)
#   -c CONSOLE  the command line's first words instead of "console=ttyAMA0" (e.g. console=null:
#               then the log shows nothing, as the kernel has no console; -c '' for none)
#   -a APPEND   appended to the kernel command line "CONSOLE panic=-1"
#   -l LOG      console log file (default build/qemu/console.log); -I ignores it
#   -t SECONDS  kill (whole seconds) the guest if it is still running then (default $BOOT_TIMEOUT or 120)
#   -k PATTERN  kill the guest once the log matches this grep -E PATTERN, after -g SECONDS
#               grace (default 3; fractions allowed, e.g. 0.35): for a PID 1 that waits forever
#               after a fatal error. The kill is SIGTERM, then SIGKILL 2 s later
#   -9          with -k: SIGKILL at once instead (a power cut: QEMU gets no chance to flush)
#   -I          interactive: console on this terminal (Ctrl-A X quits QEMU), no timeout
# Environment: QEMU_MEM (MiB, default 512), QEMU_EXTRA (more QEMU arguments, word-split).
# Prints one line "end=exit|pattern|timeout seconds=N.N" on stdout; exit status 0 when QEMU
# exited by itself (guest power off or reboot: -no-reboot), 3 when killed after PATTERN,
# 124 on timeout, 2 on a usage or setup error. With panic=-1 a kernel panic reboots, so QEMU
# exits: tell the ends apart from the log (reboot: Power down / Restarting system / Kernel panic).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
die() { echo "boot.sh: ERROR: $*" >&2; exit 2; }

initrd='' append='' log=$top/build/qemu/console.log timeout=${BOOT_TIMEOUT:-120}
pattern='' grace=3 interactive='' sigkill='' console=console=ttyAMA0 machine=virt
kernel='' dtb=''
disks=()
while getopts i:K:D:d:R:c:a:l:t:k:g:9IM: opt; do
	case $opt in
	i) initrd=$OPTARG ;;
	K) kernel=$OPTARG ;;
	D) dtb=$OPTARG ;;
	d) disks+=("rw:$OPTARG") ;;
	R) disks+=("ro:$OPTARG") ;;
	c) console=$OPTARG ;;
	a) append=$OPTARG ;;
	l) log=$OPTARG ;;
	t) timeout=$OPTARG ;;
	k) pattern=$OPTARG ;;
	g) grace=$OPTARG ;;
	9) sigkill=1 ;;
	I) interactive=1 ;;
	M) machine=$OPTARG ;;
	*) die "bad option (see the header of $0)" ;;
	esac
done
[ -n "$initrd" ] || die "no initramfs given (-i)"
# The grace in ms, from whole or fractional seconds.
[[ $grace =~ ^([0-9]+)(\.([0-9]{1,3}))?$ ]] || die "-g wants seconds (3, 0.25), not '$grace'"
frac=${BASH_REMATCH[3]}000
grace_ms=$((10#${BASH_REMATCH[1]} * 1000 + 10#${frac:0:3}))
[ "$initrd" = none ] || [ -f "$initrd" ] || die "no initramfs at $initrd"
if [ -z "$kernel" ] || { [ "$machine" = raspi3b ] && [ -z "$dtb" ]; }; then
	[ -f "$top/build/qemu/kernel.env" ] || "$top/tests/qemu/fetch.sh" >/dev/null || exit 2
	# shellcheck source=/dev/null
	. "$top/build/qemu/kernel.env"
fi
kernel=${kernel:-$VMLINUZ}
[ -f "$kernel" ] || die "no kernel at $kernel"

case $machine in
virt)
	cmd=(qemu-system-aarch64 -M virt -cpu cortex-a72 -m "${QEMU_MEM:-512}")
	;;
raspi3b | raspi4b)
	# raspi3b's default dtb ships in Debian's kernel package: usr/lib/linux-image-KVER/.
	[ -n "$dtb" ] || [ "$machine" = raspi4b ] ||
		dtb=${MODDIR%/lib/modules/*}/usr/lib/linux-image-$KVER/broadcom/bcm2837-rpi-3-b.dtb
	[ -n "$dtb" ] || die "raspi4b needs a device tree (-D; tests/qemu/mkdtb.sh makes one)"
	[ -f "$dtb" ] || die "no Raspberry Pi device tree at $dtb"
	[ "${#disks[@]}" -le 1 ] || die "$machine has one SD card slot: one disk at most"
	cmd=(qemu-system-aarch64 -M "$machine" -dtb "$dtb")
	;;
*) die "unknown machine '$machine' (virt, raspi3b or raspi4b)" ;;
esac
cmd+=(-nographic -no-reboot -nic none -kernel "$kernel")
[ "$initrd" = none ] || cmd+=(-initrd "$initrd")
cmd+=(-append "${console:+$console }panic=-1 $append")
n=0
for d in "${disks[@]}"; do
	ro=${d%%:*} d=${d#*:}
	[ -f "$d" ] || die "no disk image at $d"
	[ "$ro" = ro ] && ro=,readonly=on || ro=
	if [ "$machine" != virt ]; then
		size=$(stat -c %s "$d")
		[ $((size & (size - 1))) = 0 ] ||
			die "$d: an SD card's size must be a power of two ($size)"
		cmd+=(-drive "file=$d,if=sd,format=raw$ro")
	else
		cmd+=(-drive "file=$d,if=none,format=raw,id=d$n$ro"
			-device "virtio-blk-device,drive=d$n")
	fi
	n=$((n + 1))
done
# shellcheck disable=SC2206 # word splitting wanted
cmd+=(${QEMU_EXTRA:-})

# Run QEMU with THP disabled (see nothp.c); build the helper on first use, go without if no cc.
nothp=$top/build/qemu/nothp
if [ ! -x "$nothp" ]; then
	cc -O2 -o "$nothp" "$top/tests/qemu/nothp.c" 2>/dev/null || nothp=
fi
[ -n "$nothp" ] && cmd=("$nothp" "${cmd[@]}")

if [ -n "$interactive" ]; then
	# raspi3b: the PL011 (ttyAMA0) belongs to the Bluetooth node of the Pi 3's device tree
	# (serdev): it prints the console but takes no input, and /dev/ttyAMA0 does not exist. As
	# on a real Pi 3, the terminal is the mini UART, the second serial port (ttyS1: -c).
	# raspi4b: tests/qemu/mkdtb.sh drops the Bluetooth node, so ttyAMA0 is a plain console.
	[ "$machine" = raspi3b ] && cmd+=(-serial null -serial mon:stdio)
	exec "${cmd[@]}"
fi

# Console to a file, monitor off, stdin from /dev/null: QEMU never waits on the terminal.
mkdir -p "$(dirname "$log")"
: >"$log"
now_ms() { date +%s%3N; }
start=$(now_ms)
[ "$machine" = virt ] || cmd+=(-serial "file:$log" -serial "file:$log.aux")
[ "$machine" = virt ] && cmd+=(-serial "file:$log")
"${cmd[@]}" -monitor none </dev/null >"$log.qemu" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; exit 130' INT TERM

# Poll every 0.05 s: QEMU gone (exit), PATTERN seen (then sleep the grace and check again:
# pattern), or TIMEOUT (timeout).
end='exit'
while kill -0 "$pid" 2>/dev/null; do
	ms=$(($(now_ms) - start))
	if [ -n "$pattern" ] && grep -qE -- "$pattern" "$log"; then
		left=$((grace_ms - ($(now_ms) - start - ms)))
		[ "$left" -gt 0 ] && sleep "$((left / 1000)).$(printf %03d $((left % 1000)))"
		kill -0 "$pid" 2>/dev/null && end=pattern
		echo "pattern seen at ${ms} ms, grace ${grace_ms} ms" >>"$log.qemu"
		break
	fi
	if [ "$ms" -ge $((timeout * 1000)) ]; then
		end=timeout
		break
	fi
	sleep 0.05
done
if [ "$end" != exit ]; then
	if [ -n "$sigkill" ] && [ "$end" = pattern ]; then
		kill -9 "$pid" 2>/dev/null
	else
		kill "$pid" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
		kill -9 "$pid" 2>/dev/null
	fi
fi
wait "$pid"
qemu_status=$?
ms=$(($(now_ms) - start))
# The serial line ends lines with CR LF: keep plain LF so that grep '...$' works.
tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
if [ "$end" = exit ] && [ "$qemu_status" != 0 ]; then
	echo "boot.sh: qemu exited with status $qemu_status:" >&2
	cat "$log.qemu" >&2
fi
printf 'end=%s seconds=%d.%d\n' "$end" $((ms / 1000)) $((ms % 1000 / 100))
case $end in
exit) [ "$qemu_status" = 0 ] || exit 2 ;;
pattern) exit 3 ;;
timeout) echo "boot.sh: guest still running after ${timeout}s: killed" >&2; exit 124 ;;
esac
exit 0
