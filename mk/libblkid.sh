#!/bin/sh
# mk/libblkid.sh ARCH OUTDIR
#
# Builds a static, musl-linked libblkid (from Debian's util-linux source
# package) for one architecture.
#
#   ARCH    x86_64 | aarch64
#   OUTDIR  e.g. build/aarch64/blkid (relative to the current directory or
#           absolute; created if missing)
#
# Outputs:
#   OUTDIR/lib/libblkid.a            static library (objects built with
#                                    -Os -ffunction-sections -fdata-sections,
#                                    build paths mapped out of __FILE__;
#                                    link the final program with
#                                    -Wl,--gc-sections)
#   OUTDIR/include/blkid/blkid.h     the generated public header
#                                    (#include <blkid/blkid.h> with -I OUTDIR/include)
#   OUTDIR/kheaders/{linux,asm,asm-generic}
#                                    symlinks to the kernel UAPI headers for
#                                    ARCH.  musl's gcc specs use -nostdinc, which
#                                    hides them; compile overroot itself with
#                                    -isystem OUTDIR/kheaders too.
#   OUTDIR/obj/                      util-linux build tree (scratch)
#   OUTDIR/build.log                 all tool output of the last run
#
# Source cache: <repo top>/build/src/ (shared by both arches, fetched once
# with `apt-get source --download-only util-linux` + `dpkg-source -x`;
# needs a deb-src entry for the Debian suite and `apt-get update`).
# Delete build/src/ to fetch again.
#
# Compilers: x86_64  -> musl-gcc
#            aarch64 -> aarch64-linux-gnu-gcc -specs /usr/lib/aarch64-linux-musl/musl-gcc.specs
#
# Cached: when OUTDIR/lib/libblkid.a and OUTDIR/include/blkid/blkid.h exist
# and are newer than this script (and OUTDIR/kheaders is intact), it exits 0
# at once.  Otherwise it
# reconfigures from scratch in OUTDIR/obj.
# Exit status: 0 ok, 1 failure (the failed step and the log's last 30 lines
# are printed), 2 usage error.

set -u
LC_ALL=C
export LC_ALL

me=libblkid
usage() {
	echo "usage: $0 x86_64|aarch64 OUTDIR" >&2
	exit 2
}
[ $# -eq 2 ] || usage
ARCH=$1
case $ARCH in
x86_64|aarch64) ;;
*) echo "$me: unknown ARCH '$ARCH' (want x86_64 or aarch64)" >&2; usage ;;
esac
[ -n "$2" ] || usage

# Absolute paths: the script's own, the repo top, OUTDIR.
SCRIPT=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
TOP=$(cd "$(dirname "$SCRIPT")/.." && pwd)
mkdir -p "$2" || { echo "$me: cannot create $2" >&2; exit 1; }
OUT=$(cd "$2" && pwd)
LOG=$OUT/build.log
SRCCACHE=$TOP/build/src
LIB=$OUT/lib/libblkid.a
HDR=$OUT/include/blkid/blkid.h

# newer FILE REF: FILE exists and is newer than REF (find, as POSIX test lacks -nt).
newer() { [ -f "$1" ] && [ -n "$(find "$1" -newer "$2" 2>/dev/null)" ]; }
if newer "$LIB" "$SCRIPT" && newer "$HDR" "$SCRIPT" &&
	[ -d "$OUT/kheaders/linux" ] && [ -d "$OUT/kheaders/asm" ] && [ -d "$OUT/kheaders/asm-generic" ]; then
	echo "$me: $ARCH up to date ($LIB)"
	exit 0
fi

: >"$LOG" || { echo "$me: cannot write $LOG" >&2; exit 1; }
STEP=
step() {
	STEP=$*
	echo "$me: $STEP ..."
	printf '\n===== %s: %s\n' "$me" "$STEP" >>"$LOG"
}
fail() {
	echo "$me: FAILED while ${STEP:-starting}${1:+: $1}" >&2
	echo "$me: ---- last 30 lines of $LOG ----" >&2
	tail -n 30 "$LOG" >&2
	echo "$me: ---- end of log ----" >&2
	exit 1
}
# run CMD...: run with output to the log; fail on non-zero status.
run() {
	echo "+ $*" >>"$LOG"
	"$@" >>"$LOG" 2>&1 || fail "'$1' exited with status $?"
}

# ---------------------------------------------------------------- toolchain
BUILD_TRIPLET=$(gcc -dumpmachine 2>/dev/null) || BUILD_TRIPLET=x86_64-linux-gnu
case $ARCH in
x86_64)
	CC=musl-gcc
	HOSTOPT=
	KH_LINUX=/usr/include/linux
	KH_ASMG=/usr/include/asm-generic
	KH_ASM=/usr/include/x86_64-linux-gnu/asm
	command -v musl-gcc >/dev/null 2>&1 || { STEP="checking tools"; fail "musl-gcc not found (apt-get install musl-tools musl-dev)"; }
	;;
aarch64)
	SPECS=/usr/lib/aarch64-linux-musl/musl-gcc.specs
	CC="aarch64-linux-gnu-gcc -specs $SPECS"
	HOSTOPT="--host=aarch64-linux-gnu --build=$BUILD_TRIPLET"
	KH_LINUX=/usr/aarch64-linux-gnu/include/linux
	KH_ASMG=/usr/aarch64-linux-gnu/include/asm-generic
	KH_ASM=/usr/aarch64-linux-gnu/include/asm
	STEP="checking tools"
	command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || fail "aarch64-linux-gnu-gcc not found (apt-get install gcc-aarch64-linux-gnu)"
	[ -f "$SPECS" ] || fail "$SPECS missing (apt-get install musl-dev:arm64)"
	;;
esac

# ----------------------------------------------------------------- kheaders
step "making kernel-header dir $OUT/kheaders for $ARCH"
for d in "$KH_LINUX" "$KH_ASMG" "$KH_ASM"; do
	[ -d "$d" ] || fail "$d missing (linux-libc-dev / linux-libc-dev-arm64-cross)"
done
run rm -rf "$OUT/kheaders"
run mkdir -p "$OUT/kheaders"
run ln -s "$KH_LINUX" "$OUT/kheaders/linux"
run ln -s "$KH_ASMG" "$OUT/kheaders/asm-generic"
run ln -s "$KH_ASM" "$OUT/kheaders/asm"

# ------------------------------------------------------------------- source
# $SRCCACHE/util-linux.srcdir names the extracted, patched tree; it is
# written last, so its presence means the tree is complete.  A lock keeps two
# arches built in parallel from fetching at the same time.
fetch_source() {
	if [ -f "$SRCCACHE/util-linux.srcdir" ]; then
		SRC=$SRCCACHE/$(cat "$SRCCACHE/util-linux.srcdir")
		[ -f "$SRC/configure" ] && return 0
	fi
	step "fetching util-linux source (apt-get source) into $SRCCACHE"
	command -v apt-get >/dev/null 2>&1 || fail "apt-get not found"
	command -v dpkg-source >/dev/null 2>&1 || fail "dpkg-source not found (apt-get install dpkg-dev)"
	echo "+ (cd $SRCCACHE && apt-get source --download-only util-linux)" >>"$LOG"
	if ! (cd "$SRCCACHE" && apt-get -q source --download-only util-linux) >>"$LOG" 2>&1; then
		if grep -q "deb-src' URIs" "$LOG"; then
			echo "$me: apt-get source failed: no deb-src entry is configured." >&2
			echo "$me: add a 'deb-src' line (or a Types: deb-src stanza) for the Debian suite under /etc/apt/sources.list.d/, run 'apt-get update', and retry." >&2
			exit 1
		fi
		if grep -q "Unable to find a source package" "$LOG"; then
			fail "apt-get knows no source package util-linux (deb-src configured but 'apt-get update' not run?)"
		fi
		fail "apt-get source util-linux failed"
	fi
	# Newest .dsc if several versions were downloaded over time.
	dsc=$(cd "$SRCCACHE" && for f in util-linux_*.dsc; do [ -f "$f" ] && echo "$f"; done | sort -V | tail -n 1)
	[ -n "$dsc" ] || fail "no util-linux_*.dsc in $SRCCACHE after apt-get source"
	ver=${dsc#util-linux_}
	ver=${ver%.dsc}
	name=util-linux-$ver
	step "unpacking $dsc (dpkg-source -x, Debian patches applied)"
	run rm -rf "$SRCCACHE/$name" "$SRCCACHE/$name.tmp"
	echo "+ (cd $SRCCACHE && dpkg-source -x $dsc $name.tmp)" >>"$LOG"
	(cd "$SRCCACHE" && dpkg-source -x "$dsc" "$name.tmp") >>"$LOG" 2>&1 ||
		fail "dpkg-source -x $dsc failed"
	# Debian's patches touch configure.ac and some Makemodule.am files, so
	# those are newer than the shipped configure/Makefile.in and make would
	# try to rerun aclocal/autoconf/automake (util-linux has no maintainer
	# mode to switch that off).  None of those patches matter for libblkid:
	# give every autotools input an mtime one hour older than aclocal.m4,
	# the oldest generated file, so the shipped generated files are used.
	t=$(stat -c %Y "$SRCCACHE/$name.tmp/aclocal.m4") || fail "no aclocal.m4 in the source"
	t=$((t - 3600))
	echo "+ setting mtime of autotools inputs to @$t" >>"$LOG"
	(cd "$SRCCACHE/$name.tmp" &&
		find . -path ./.pc -prune -o -type f \
			\( -name configure.ac -o -name Makefile.am -o -name Makemodule.am \
			   -o -name '*.m4' ! -name aclocal.m4 \) \
			-exec touch -d "@$t" {} +) >>"$LOG" 2>&1 ||
		fail "could not reset autotools input timestamps"
	run mv "$SRCCACHE/$name.tmp" "$SRCCACHE/$name"
	echo "$name" >"$SRCCACHE/util-linux.srcdir" || fail "cannot write $SRCCACHE/util-linux.srcdir"
	SRC=$SRCCACHE/$name
}

STEP="preparing $SRCCACHE"
mkdir -p "$SRCCACHE" || fail "cannot create $SRCCACHE"
if command -v flock >/dev/null 2>&1; then
	exec 9>"$SRCCACHE/.lock" || fail "cannot open $SRCCACHE/.lock"
	flock 9 || fail "cannot lock $SRCCACHE/.lock"
	fetch_source
	exec 9>&-
else
	fetch_source
fi
echo "$me: using source $SRC"

# ---------------------------------------------------------------- configure
OBJ=$OUT/obj
step "configuring for $ARCH in $OBJ"
run rm -rf "$OBJ"
run mkdir -p "$OBJ"
# No pkg-config look-ups: nothing from the build machine's libraries may leak in.
mkdir -p "$OBJ/no-pkgconfig"
echo "+ (cd $OBJ && $SRC/configure ...)" >>"$LOG"
# shellcheck disable=SC2086 # HOSTOPT is a list of words on purpose
(cd "$OBJ" && env \
	PKG_CONFIG_LIBDIR="$OBJ/no-pkgconfig" PKG_CONFIG_PATH= \
	"$SRC/configure" $HOSTOPT \
	CC="$CC" \
	CPPFLAGS="-isystem $OUT/kheaders" \
	CFLAGS="-Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables -ffile-prefix-map=$SRC/=util-linux/ -ffile-prefix-map=$OBJ/=" \
	LDFLAGS="-static" \
	--prefix=/usr --sysconfdir=/etc --localstatedir=/var --runstatedir=/run \
	--disable-all-programs --enable-libblkid \
	--enable-static --disable-shared \
	--disable-nls --disable-rpath --disable-dependency-tracking \
	--disable-asciidoc --disable-poman --disable-bash-completion \
	--without-python --without-systemd --without-udev \
	--without-readline --without-ncursesw --without-ncurses --without-tinfo \
	--without-libz --without-libmagic --without-cap-ng --without-btrfs \
	--without-user --without-econf --without-selinux --without-audit \
	--without-smack --without-cryptsetup \
) >>"$LOG" 2>&1 || fail "configure failed (see $OBJ/config.log)"

# -------------------------------------------------------------------- build
step "building libblkid.la for $ARCH (make -j2)"
run make -C "$OBJ" -j2 libblkid.la

# ------------------------------------------------------------------ install
step "installing into $OUT/lib and $OUT/include"
[ -f "$OBJ/.libs/libblkid.a" ] || fail "$OBJ/.libs/libblkid.a was not built"
[ -f "$OBJ/libblkid/src/blkid.h" ] || fail "$OBJ/libblkid/src/blkid.h was not generated"
run mkdir -p "$OUT/lib" "$OUT/include/blkid"
run cp "$OBJ/.libs/libblkid.a" "$LIB.tmp"
run mv -f "$LIB.tmp" "$LIB"
run cp "$OBJ/libblkid/src/blkid.h" "$HDR.tmp"
run mv -f "$HDR.tmp" "$HDR"

echo "$me: done: $LIB ($(wc -c <"$LIB") bytes), $HDR"
