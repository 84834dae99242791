#!/bin/sh
# mk/e2fsck.sh ARCH DIR: Debian's static e2fsck for ARCH (aarch64, x86_64, ...), the
# e2fsck-static package fetched as the QEMU bench fetches busybox (apt-get download into DIR,
# dpkg -x), once; prints the path of the binary (DIR/e2fsck/sbin/e2fsck.static).
set -eu
die() { echo "e2fsck.sh: ERROR: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: mk/e2fsck.sh ARCH DIR"
case $1 in
aarch64) deb=arm64 ;;
x86_64) deb=amd64 ;;
arm*) deb=armhf ;;
*) deb=$1 ;;
esac
dir=$2
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)	# the kernel runs gen_init_cpio in its own directory
pkg=$(ls "$dir"/e2fsck-static_*_"$deb".deb 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pkg" ]; then
	apt-cache show "e2fsck-static:$deb" >/dev/null 2>&1 ||
		die "e2fsck-static:$deb unknown to apt (dpkg --add-architecture $deb && apt-get update, as root)"
	echo "e2fsck.sh: downloading e2fsck-static:$deb" >&2
	(cd "$dir" && apt-get download "e2fsck-static:$deb" >&2) ||
		die "apt-get download e2fsck-static:$deb failed (or give E2FSCK=path, or E2FSCK= for none)"
	pkg=$(ls "$dir"/e2fsck-static_*_"$deb".deb | sort -V | tail -n 1)
fi
if [ "$(cat "$dir/e2fsck-$deb/.from" 2>/dev/null)" != "$(basename "$pkg")" ]; then
	rm -rf "$dir/e2fsck-$deb"
	dpkg -x "$pkg" "$dir/e2fsck-$deb" || die "dpkg -x $pkg failed"
	basename "$pkg" >"$dir/e2fsck-$deb/.from"
fi
bin=$dir/e2fsck-$deb/sbin/e2fsck.static
[ -f "$bin" ] || die "no sbin/e2fsck.static in $pkg"
echo "$bin"
