#!/bin/sh
# The bench's "shell way": the /init of a busybox initramfs that boots the way OpenEmbedded's
# initramfs-framework does (see docs/bench.md), written for the bench, not taken from it:
# one busybox process per mount/mkdir/insmod step, the root polled once a second
# (rootdelay=1, roottimeout=5 by default), the overlay as the framework's overlayroot module
# builds it, busybox switch_root at the end. run.sh replaces @MODULES@ with the module files in
# dependency order (what the framework gets from modprobe).
PATH=/bin:/sbin
export PATH

mkdir -p /proc /sys /run /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs none /dev
mount -t tmpfs tmpfs /run
mkdir -p /rootfs

# Kernel parameters as bootparam_NAME (the framework's naming), without eval.
# shellcheck disable=SC2013 # words, as the framework splits them
for word in $(cat /proc/cmdline); do
	name=${word%%=*}
	value=${word#*=}
	[ "$value" = "$word" ] && value=true
	case $name in
	root) bootparam_root=$value ;;
	rootrw) bootparam_rootrw=$value ;;
	rootfstype) bootparam_rootfstype=$value ;;
	rootdelay) bootparam_rootdelay=$value ;;
	roottimeout) bootparam_roottimeout=$value ;;
	init) bootparam_init=$value ;;
	esac
done

# The framework stops here (or reboots); the bench powers off so that a failed boot ends.
fatal() {
	echo "shellinit: FATAL: $1" >/dev/console
	echo o >/proc/sysrq-trigger
	while :; do sleep 1000; done
}

# The framework's `mountpoint -q` (Debian's busybox has no such applet): one process a call.
mountpoint_q() {
	grep -q " $1 " /proc/mounts
}

# shellcheck disable=SC2043 # run.sh puts the list here
for m in @MODULES@; do
	insmod "$m"
done

# rootfs: try, then sleep rootdelay seconds, until roottimeout.
delay=${bootparam_rootdelay:-1}
timeout=${bootparam_roottimeout:-5}
tries=0
while ! mountpoint_q /rootfs; do
	[ $((tries * delay)) -gt "$timeout" ] && fatal "root '$bootparam_root' doesn't exist"
	if [ -e "$bootparam_root" ]; then
		mount ${bootparam_rootfstype:+-t $bootparam_rootfstype} -o ro "$bootparam_root" /rootfs
	fi
	if ! mountpoint_q /rootfs; then
		sleep "$delay"
		tries=$((tries + 1))
	fi
done

# overlayroot: the rw device on /overlay, upper/work, the root bound read-only, the overlay.
if [ -n "${bootparam_rootrw:-}" ]; then
	mkdir -p /overlay
	mount -o rw,noatime "$bootparam_rootrw" /overlay || fatal "cannot mount $bootparam_rootrw"
	mkdir -p /overlay/upper /overlay/work /overlay/rofs
	mount -n --bind /rootfs /overlay/rofs
	mount -n -o remount,bind,ro /overlay/rofs
	umount -l /rootfs
	mount -t overlay overlay \
		-o lowerdir=/overlay/rofs,upperdir=/overlay/upper,workdir=/overlay/work /rootfs
	mount -n --move /overlay/rofs /rootfs/rofs
	mount -n --move /overlay /rootfs/overlay
fi

# finish: move the API filesystems, hand over.
for d in dev proc sys run; do
	mount -n --move /$d /rootfs/$d
done
exec switch_root /rootfs "${bootparam_init:-/sbin/init}"
