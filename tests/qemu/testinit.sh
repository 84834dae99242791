#!/bin/sh
# The bench's /sbin/init on the root disk (busybox sh). Started by overroot after switch_root.
# tinit unset: interactive demo shell. tinit=a,b,c: run those actions in order, then power off.
# Every output line starts with a fixed prefix (name= or name: ) so tests can grep it.

# First, for the speed bench: the time at which the real init started, in the kernel log.
{ echo "testinit: start" >/dev/kmsg; } 2>/dev/null || echo "testinit: start (no /dev/kmsg)"

export PATH=/bin:/sbin:/usr/bin:/usr/sbin

# overroot should hand over /proc /sys /dev /run mounted; if one is missing, say so and mount it
# so the actions still work.
selfmount=
for m in proc:proc sys:sysfs dev:devtmpfs run:tmpfs; do
	d=/${m%%:*}
	if ! grep -q "^[^ ]* $d " /proc/mounts 2>/dev/null; then
		mount -t "${m#*:}" "${m%%:*}" "$d" 2>/dev/null && selfmount="$selfmount ${d#/}"
	fi
done
[ -n "$selfmount" ] && echo "testinit: mounted itself:$selfmount"

lines() { # PREFIX FILE: print each line of FILE as PREFIX: line
	sed "s|^|$1: |" "$2"
}

act_report() {
	echo "=== TESTINIT REPORT ==="
	echo "pid=$$"
	echo "args=$*"
	echo "argc=$#"
	lines mount /proc/mounts
	echo "memavailable_kb=$(sed -n 's/^MemAvailable: *\([0-9]*\) kB/\1/p' /proc/meminfo)"
	echo "ls_root=$(ls -a / | tr '\n' ' ')"
	[ -d /rofs ] && echo "ls_rofs=$(ls -a /rofs | tr '\n' ' ')"
	if [ -f /run/overroot/status ]; then
		lines status /run/overroot/status
	else
		echo "status=MISSING"
	fi
	if [ -r /etc/overroot-test-root ]; then
		echo "marker=$(cat /etc/overroot-test-root)"
	else
		echo "marker=UNREADABLE"
	fi
	env | sort | sed 's/^/env: /'
	dmesg 2>/dev/null | grep overroot | sed 's/^/dmesg: /'
	echo "=== END REPORT ==="
}

act_write() {
	n=1
	[ -f /persist.txt ] && n=$(($(wc -l </persist.txt) + 1))
	echo "write $n" >>/persist.txt
	sync
	echo "persist=$(tr '\n' ';' </persist.txt)"
}

act_readback() {
	if [ -f /persist.txt ]; then
		echo "persist=$(tr '\n' ';' </persist.txt)"
	else
		echo "persist=MISSING"
	fi
	if [ -f /rofs/persist.txt ]; then
		echo "rofs_persist=$(tr '\n' ';' </rofs/persist.txt)"
	else
		echo "rofs_persist=MISSING"
	fi
}

if [ -z "${tinit+set}" ]; then
	hostname -F /etc/hostname 2>/dev/null
	echo
	echo "overroot QEMU demo: PID $$, args: $*"
	cat /proc/mounts
	echo "Exit the shell to power off."
	setsid cttyhack sh -l
else
	echo "testinit: actions $tinit"
	IFS=,
	for a in $tinit; do
		IFS=' '
		case $a in
		report | write | readback) "act_$a" "$@" ;;
		*) echo "testinit: unknown action '$a'" ;;
		esac
	done
	IFS=' '
	echo "testinit: done"
fi
sync
poweroff -f
# PID 1 must not exit (the kernel would panic): wait if poweroff failed.
while :; do sleep 1000; done
