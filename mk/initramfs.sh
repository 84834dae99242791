#!/bin/sh
# mk/initramfs.sh LIST... OUT.cpio.gz: the initramfs from gen_init_cpio lists, without root.
# LIST is the kernel's gen_init_cpio format (usr/gen_init_cpio.c): `dir NAME MODE UID GID`,
# `nod NAME MODE UID GID c|b MAJ MIN`, `file NAME LOCATION MODE UID GID`,
# `slink NAME TARGET MODE UID GID`; `#` comments. LOCATION is absolute, relative to the top
# directory, or starts with ${OVERROOT}/, the top directory (as the kernel's build expands it);
# any other ${NAME} in it is NAME from the environment (E2FSCK in initramfs-e2fsck.list), as the
# kernel's gen_init_cpio expands it. Several lists make one initramfs, as the kernel's
# CONFIG_INITRAMFS_SOURCE takes several.
# Environment:
#   ARCH         build/aarch64/ in LOCATION becomes build/$ARCH/ (default aarch64)
#   INIT         a different file for /init
#   KMODULES     kernel modules to load at boot ("overlay ext4"): copied with their
#                dependencies from KMODDIR, with modules.dep, and named in
#                /etc/modules-load.d/overroot.conf
#   KMODULES_EXTRA  modules shipped (with dependencies) but not listed, e.g. for fs-<type>
#   KMODDIR      a staged lib/modules/<release> directory (its name is the release)
#   EXTRA_DIR    a directory tree copied on top
set -eu

die() { echo "initramfs.sh: ERROR: $*" >&2; exit 1; }
[ $# -ge 2 ] || die "usage: mk/initramfs.sh LIST... OUT.cpio.gz"
top=$(cd "$(dirname "$0")/.." && pwd)
arch=${ARCH:-aarch64}
lists=
while [ $# -gt 1 ]; do
	[ -f "$1" ] || die "no list $1"
	lists="$lists $1"
	shift
done
list=$(echo $lists | tr ' ' '+')
out=$1
command -v bsdtar >/dev/null || die "bsdtar not found (Debian package libarchive-tools)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/overroot-initramfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/root spec=$tmp/spec
mkdir -p "$stage"
echo "#mtree" >"$spec"
echo "/set uid=0 gid=0 time=0.0" >>"$spec"

# One mtree line per list entry, in list order (the kernel's unpacker needs parents first).
while read -r kind name a b c d e f; do
	case $kind in "" | \#*) continue ;; esac
	case $name in /*) ;; *) die "$list: '$name' is not an absolute path" ;; esac
	p=.$name
	case $kind in
	dir)
		mkdir -p "$stage/$p"
		echo "$p type=dir mode=$a uid=$b gid=$c" >>"$spec"
		;;
	nod)
		[ "$d" = c ] && t=char || t=block
		echo "$p type=$t device=native,$e,$f mode=$a uid=$b gid=$c" >>"$spec"
		;;
	file)
		src=$a
		[ "$name" = /init ] && [ -n "${INIT:-}" ] && src=$INIT
		case $src in '${OVERROOT}'/*) src=${src#'${OVERROOT}'/} ;; esac
		while case $src in *'${'*'}'*) ;; *) false ;; esac; do
			var=${src#*'${'} && var=${var%%'}'*}
			val=$(printenv "$var") || die "$list: $name: \${$var} is not set"
			src=${src%%'${'*}$val${src#*'}'}
		done
		case $src in /*) ;; *) src=$top/$(echo "$src" | sed "s|^build/aarch64/|build/$arch/|") ;; esac
		[ -f "$src" ] || die "$list: $name: no file $src (build it first: make ARCH=$arch)"
		mkdir -p "$(dirname "$stage/$p")"
		cp "$src" "$stage/$p"
		echo "$p type=file mode=$b uid=$c gid=$d contents=$p" >>"$spec"
		;;
	slink)
		echo "$p type=link link=$a mode=$b uid=$c gid=$d" >>"$spec"
		;;
	*) die "$list: unknown entry '$kind'" ;;
	esac
done <<EOF
$(for l in $lists; do cat "$l"; echo; done)
EOF

# Modules: the named ones and everything modules.dep says they need.
if [ -n "${KMODULES:-}${KMODULES_EXTRA:-}" ]; then
	[ -n "${KMODDIR:-}" ] && [ -f "$KMODDIR/modules.dep" ] ||
		die "KMODULES needs KMODDIR=<staged lib/modules/RELEASE> with a modules.dep"
	command -v depmod >/dev/null || die "depmod not found (Debian package kmod)"
	kver=$(basename "$KMODDIR")
	paths=$(awk -v want="${KMODULES:-} ${KMODULES_EXTRA:-}" '
		BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) { gsub(/-/, "_", w[i]); wanted[w[i]] = 1 } }
		{
			f = $1; sub(/:$/, "", f)
			m = f; sub(/.*\//, "", m); sub(/\.ko(\.[a-z]+)?$/, "", m); gsub(/-/, "_", m)
			if (!(m in wanted)) next
			found[m] = 1
			for (i = 1; i <= NF; i++) { p = $i; sub(/:$/, "", p); print p }
		}
		END { for (m in wanted) if (!(m in found)) print "MISSING " m }' "$KMODDIR/modules.dep" |
		sort -u)
	case $paths in *MISSING*) die "not in $KMODDIR/modules.dep: $(echo "$paths" | grep MISSING | tr '\n' ' ')" ;; esac
	mods=$stage/lib/modules/$kver
	for p in $paths; do
		mkdir -p "$mods/$(dirname "$p")"
		case $p in
		*.ko) cp "$KMODDIR/$p" "$mods/$p" ;;
		*.ko.xz) xz -dc "$KMODDIR/$p" >"$mods/${p%.xz}" ;;
		*.ko.zst) zstd -qdc "$KMODDIR/$p" >"$mods/${p%.zst}" ;;
		*.ko.gz) gzip -dc "$KMODDIR/$p" >"$mods/${p%.gz}" ;;
		*) die "unknown module file type: $p" ;;
		esac
	done
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		[ -f "$KMODDIR/$f" ] && cp "$KMODDIR/$f" "$mods/"
	done
	depmod -b "$stage" "$kver" || die "depmod -b $stage $kver failed"
	mkdir -p "$stage/etc/modules-load.d"
	{
		echo "# Loaded by overroot at boot, dependencies first (mk/initramfs.sh)"
		for m in ${KMODULES:-}; do echo "$m"; done
	} >"$stage/etc/modules-load.d/overroot.conf"
fi
if [ -n "${EXTRA_DIR:-}" ]; then
	cp -R "$EXTRA_DIR/." "$stage/" || die "cannot copy EXTRA_DIR=$EXTRA_DIR"
fi

# Whatever the list did not name (modules, EXTRA_DIR) goes in after it, parents first.
(cd "$stage" && find . -mindepth 1 | sort) | while read -r p; do
	grep -q "^$p type=" "$spec" && continue
	if [ -d "$stage/$p" ]; then
		echo "$p type=dir mode=0755"
	elif [ -x "$stage/$p" ]; then
		echo "$p type=file mode=0755 contents=$p"
	else
		echo "$p type=file mode=0644 contents=$p"
	fi
done >>"$spec"

mkdir -p "$(dirname "$out")"
(cd "$stage" && bsdtar --format newc -cf - "@$spec") | gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
echo "initramfs.sh: $out ($(wc -c <"$out") bytes)" >&2
