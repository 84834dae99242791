#!/bin/sh
# mkverity.sh same|sep FS HASHFILE ENVFILE
# The dm-verity hash tree of the filesystem image FS (issue 23), with Debian's veritysetup,
# on the command line meta-security's dm-verity-img.bbclass uses: 1 KiB data blocks, 4 KiB
# hash blocks, a superblock;
#   same  the tree in FS itself at --hash-offset=<FS's size rounded up to 4 KiB> (FS grows)
#   sep   the tree in HASHFILE (its superblock first)
# plus a fixed salt and UUID so that two builds give the same root hash (veritysetup picks
# random ones; the bbclass leaves them random, which changes nothing but the values).
# ENVFILE: the env file as the bbclass writes it (veritysetup's output without its first line,
# each key upper-cased with spaces as _, each value without whitespace; DATA_SIZE=,
# SEPARATE_HASH=; with sep ROOT_UUID= and RHASH_UUID=, the root hash's halves as UUIDs), for
# /usr/share/misc/dm-verity.env in the initramfs.
# Prints, for the disk's .env (the scenarios' @KEY@): VERITY_MODE, VERITY_ROOT_HASH,
# VERITY_ROOT_HASH_WRONG (the last digit changed), VERITY_SALT, VERITY_DATA_BLOCKS,
# VERITY_DATA_SECTORS (dm-mod.create='s length), VERITY_HASH_OFFSET (bytes, same only: 0 for
# sep), VERITY_HASH_START (the table's hash_start_block: boot-facts §7), VERITY_ROOT_UUID,
# VERITY_RHASH_UUID.
set -eu

die() { echo "mkverity.sh: ERROR: $*" >&2; exit 1; }
[ $# -eq 4 ] || die "usage: mkverity.sh same|sep FS HASHFILE ENVFILE"
mode=$1 fs=$2 hashf=$3 envf=$4
command -v veritysetup >/dev/null ||
	die "no veritysetup: install Debian's cryptsetup-bin (tools/setup-host.sh)"
dbs=1024 hbs=4096
salt=0e0e0e0e00000000400080000000f0230e0e0e0e00000000400080000000f023
vuuid=0e0e0e0e-0000-4000-8000-00000000f023

# The bbclass's SIZE: the image's size rounded up to the larger block size.
size=$(stat -c %s "$fs")
size=$(((size + hbs - 1) / hbs * hbs))
truncate -s "$size" "$fs"
case $mode in
same) hashdev=$fs offset="--hash-offset=$size" ;;
sep) hashdev=$hashf offset='' ; rm -f "$hashf" ;;
*) die "mode must be same or sep, not '$mode'" ;;
esac
# shellcheck disable=SC2086 # offset: no word or one
veritysetup --data-block-size=$dbs --hash-block-size=$hbs $offset --salt=$salt --uuid=$vuuid \
	format "$fs" "$hashdev" >"$envf.out" || die "veritysetup format failed"

# The bbclass's process_verity, written afresh: KEY=VALUE from "Key words:<tab>value".
tail -n +2 "$envf.out" | awk -F: '{
	k = toupper($1); gsub(/ /, "_", k)
	v = substr($0, length($1) + 2); gsub(/[ \t]/, "", v)
	print k "=" v }' >"$envf"
rm -f "$envf.out"
echo "DATA_SIZE=$size" >>"$envf"
hash=$(sed -n 's/^ROOT_HASH=//p' "$envf")
[ "${#hash}" = 64 ] || die "no 64-digit root hash in veritysetup's output"
uuid() { echo "$1" | sed 's/^\(.\{8\}\)\(.\{4\}\)\(.\{4\}\)\(.\{4\}\)/\1-\2-\3-\4-/'; }
ruuid=$(uuid "$(echo "$hash" | cut -c1-32)") huuid=$(uuid "$(echo "$hash" | cut -c33-64)")
if [ "$mode" = sep ]; then
	printf 'SEPARATE_HASH=1\nROOT_UUID=%s\nRHASH_UUID=%s\n' "$ruuid" "$huuid" >>"$envf"
	hstart=1
else
	echo "SEPARATE_HASH=0" >>"$envf"
	# the superblock (512 bytes) sits at the offset; the tree starts at the next hash block
	hstart=$(((size + 512 + hbs - 1) / hbs))
fi
blocks=$(sed -n 's/^DATA_BLOCKS=//p' "$envf")
[ "$blocks" -gt 0 ] || die "no DATA_BLOCKS in veritysetup's output"
last=$(echo "$hash" | cut -c64)
[ "$last" = 0 ] && wrong=1 || wrong=0
cat <<EOF
VERITY_MODE=$mode
VERITY_ROOT_HASH=$hash
VERITY_ROOT_HASH_WRONG=$(echo "$hash" | cut -c1-63)$wrong
VERITY_SALT=$salt
VERITY_DATA_BLOCKS=$blocks
VERITY_DATA_SECTORS=$((blocks * dbs / 512))
VERITY_HASH_OFFSET=$([ "$mode" = same ] && echo "$size" || echo 0)
VERITY_HASH_START=$hstart
VERITY_ROOT_UUID=$ruuid
VERITY_RHASH_UUID=$huuid
EOF
