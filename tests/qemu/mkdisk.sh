#!/bin/sh
# mkdisk.sh OUT.img mbr|gpt|ab|systemd|sysvinit|busybox|verity|vhash|systemd-verity|systemd-vhash
# Build, without root, a raw disk laid out like the Raspberry Pi card:
#   p1 boot  vfat  20 MiB  label BOOT   (MBR type c, GPT basic data, PARTLABEL boot)
#   p2 root  ext4  48 MiB  label root   (PARTLABEL rootfs): busybox, the test init
#   p3 data  ext4  20 MiB  label data   (PARTLABEL data): empty, for rootrw=
# and OUT.img.env with the ids read back from the image and each partition's byte range.
# Every layout also gets OUT.img.root2, the root "rebuilt" (issue 19): another filesystem UUID,
# "rebuilt" added to /etc/overroot-test-root and a BUILD_ID in its os-release, for the
# scenarios' `reroot rebuilt`. ab: an A/B disk, p2 root A, p3 root B (that rebuilt root, label
# rootb), p4 data; ROOTB_* in the .env.
# systemd, sysvinit, busybox: an MBR disk whose root is a real system from mkrealroot.sh (sized
# for it) and whose data partition has 64 MiB; systemd and sysvinit need root (see there).
# A verified root (issue 23, dm-verity; mkverity.sh): verity and systemd-verity keep the hash
# tree in the root partition after the filesystem (MBR, meta-security's layout); vhash and
# systemd-vhash put it on a partition of its own, p4 (GPT, the PARTUUIDs of p2 and p4 the
# first and last 128 bits of the root hash). Their root holds /usr/share/overroot-test/victim
# (`corrupt` in scenarios.txt); OUT.img.dmverity.env is the initramfs's env file.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
die() { echo "mkdisk.sh: ERROR: $*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: mkdisk.sh OUT.img LAYOUT (see the header)"
out=$1 layout=$2 vmode=
case $layout in
mbr | gpt | ab) real='' table=$layout ;;
systemd | sysvinit | busybox) real=$layout table=real ;;
verity) real='' table=mbr vmode=same ;;
vhash) real='' table=gpt vmode=sep ;;
systemd-verity) real=systemd table=real vmode=same ;;
systemd-vhash) real=systemd table=gpt vmode=sep ;;
*) die "layout must be mbr, gpt, ab, systemd, sysvinit, busybox, verity, vhash,$(
	) systemd-verity or systemd-vhash, not '$layout'" ;;
esac
[ -f "$top/build/qemu/kernel.env" ] || "$top/tests/qemu/fetch.sh" >/dev/null
# shellcheck source=/dev/null
. "$top/build/qemu/kernel.env"

# Fixed ids and times so that two runs give the same image.
export SOURCE_DATE_EPOCH=1700000000 E2FSPROGS_FAKE_TIME=1700000000
root_uuid=0e0e0e0e-0000-4000-8000-00000000f002
data_uuid=0e0e0e0e-0000-4000-8000-00000000f003
root2_uuid=0e0e0e0e-0000-4000-8000-00000000f012
boot_volid=0BADB007
mbr_id=0x0badcafe
gpt_id=0badcafe-0000-4000-8000-000000000000
mib=2048 # sectors of 512 bytes

# Applets linked into /bin on the root filesystem (the arm64 busybox cannot run on this host
# to list its own applets). Add here what testinit.sh or a scenario needs.
applets="sh ash cat cp cttyhack cut date dd df dmesg echo env false grep head hostname id kill
	ln ls mkdir mknod mount mv poweroff printf ps readlink reboot rm rmdir sed setsid sha256sum sleep
	sort stat sync tail test touch tr true umount uname vi wc [ [["

tmp=$(mktemp -d "$top/build/qemu/mkdisk.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$(dirname "$out")"
r=$tmp/root
root_mib=48 data_mib=20
if [ -n "$real" ]; then
	# The real root first: its size makes the partition's (ext4's overhead, room for a boot).
	mkdir -p "$r"
	"$top/tests/qemu/mkrealroot.sh" "$real" "$r" || die "mkrealroot.sh $real failed"
	root_mib=$((($(du -sm "$r" | cut -f1) * 5 / 4 + 64 + 15) / 16 * 16))
	data_mib=64
fi
# The hash tree: 32 bytes for each 1 KiB data block, a little more for its upper levels and
# the superblock; in the root partition (same) or in p4 (sep).
tree_mib=0 rootp_mib=$root_mib
[ -n "$vmode" ] && tree_mib=$((root_mib * 33 / 1024 + 2))
[ "$vmode" = same ] && rootp_mib=$((root_mib + tree_mib))

# The partition table, on a plain file.
truncate -s 0 "$out.tmp"
ab_mib=0 data_n=3
[ "$table" = ab ] && ab_mib=48 data_n=4
truncate -s $((root_mib + ab_mib + data_mib + tree_mib + 22))M "$out.tmp"
lfs=0FC63DAF-8483-4772-8E79-3D69D8477DE4 # GPT: Linux filesystem data
if [ "$table" = real ] || [ "$table" = mbr ]; then
	sfdisk -q "$out.tmp" <<EOF
label: dos
label-id: $mbr_id
start=$((1 * mib)), size=$((20 * mib)), type=c
start=$((21 * mib)), size=$((rootp_mib * mib)), type=83
start=$(((21 + rootp_mib) * mib)), size=$((data_mib * mib)), type=83
EOF
elif [ "$table" = ab ]; then
	sfdisk -q "$out.tmp" <<EOF
label: dos
label-id: $mbr_id
start=$((1 * mib)), size=$((20 * mib)), type=c
start=$((21 * mib)), size=$((48 * mib)), type=83
start=$((69 * mib)), size=$((48 * mib)), type=83
start=$((117 * mib)), size=$((20 * mib)), type=83
EOF
else
	sfdisk -q "$out.tmp" <<EOF
label: gpt
label-id: $gpt_id
start=$((1 * mib)), size=$((20 * mib)), type=EBD0A0A2-B9E5-4433-87C0-68B6B9726699, uuid=0badcafe-0000-4000-8000-000000000001, name=boot
start=$((21 * mib)), size=$((root_mib * mib)), type=$lfs, uuid=0badcafe-0000-4000-8000-000000000002, name=rootfs
start=$(((21 + root_mib) * mib)), size=$((data_mib * mib)), type=$lfs, uuid=0badcafe-0000-4000-8000-000000000003, name=data
EOF
	# vhash: p4, the hash partition (p2's and p4's PARTUUIDs are set once the hash is known)
	[ "$vmode" = sep ] && echo "start=$(((21 + root_mib + data_mib) * mib)), size=$((tree_mib * mib)), type=$lfs, uuid=0badcafe-0000-4000-8000-000000000004, name=verityhash" |
		sfdisk -q --append "$out.tmp"
fi

# Byte offset and size of partition N, read back from the table.
part_field() { # N start|size
	sfdisk -d "$out.tmp" | sed -n "s|^$out.tmp$1 *:.* $2= *\([0-9]*\).*|\1|p"
}
place() { # N FSFILE
	dd if="$2" of="$out.tmp" bs=1M seek=$(($(part_field "$1" start) / mib)) conv=notrunc,sparse \
		status=none
}

# p1: boot (vfat), a marker file like the Pi's firmware partition.
truncate -s $((20 * 1024 * 1024)) "$tmp/boot.fs"
mkfs.vfat -F 16 -n BOOT -i "$boot_volid" "$tmp/boot.fs" >/dev/null
echo "overroot QEMU bench boot partition" >"$tmp/README.txt"
touch -d "@$SOURCE_DATE_EPOCH" "$tmp/README.txt"
mcopy -m -i "$tmp/boot.fs" "$tmp/README.txt" ::/README.txt
place 1 "$tmp/boot.fs"

# p2: root (ext4), filled from a directory.
if [ -z "$real" ]; then
	mkdir -p "$r/bin" "$r/sbin" "$r/etc"
	for d in proc sys dev run tmp rofs overlay mnt data; do mkdir -p "$r/$d"; done
	cp "$BUSYBOX" "$r/bin/busybox"
	for a in $applets; do ln -s busybox "$r/bin/$a"; done
	cp "$top/tests/qemu/testinit.sh" "$r/sbin/init"
	# Links for init= faults: one that leads nowhere, one to itself (a loop).
	ln -s /lib/gone/init "$r/sbin/init-dangling"
	ln -s init-loop "$r/sbin/init-loop"
	chmod 0755 "$r/bin/busybox" "$r/sbin/init"
	echo overroot-test >"$r/etc/hostname"
	echo "pristine root" >"$r/etc/overroot-test-root"
fi
if [ -n "$vmode" ]; then
	# The file a `corrupt` scenario changes one block of: read only by the tests.
	mkdir -p "$r/usr/share/overroot-test"
	awk 'BEGIN { for (i = 1; i <= 256; i++)
		printf "verity victim line %03d of 256, the same on every build\n", i }' \
		>"$r/usr/share/overroot-test/victim"
fi
# The overroot command of the booted system (overroot status, reset, chroot): the binary that
# is /init, installed as `make install` does.
install -D -m 0755 "${INIT:-$top/build/aarch64/init}" "$r/usr/sbin/overroot"
# mkfs.ext4 -d copies the host's timestamps.
find "$r" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
mkfs_ext4() { # LABEL UUID DIR FSFILE MIB
	truncate -s "$5M" "$4"
	mkfs.ext4 -q -F -L "$1" -U "$2" -E "hash_seed=$2,root_owner=0:0" ${3:+-d "$3"} "$4"
}
mkfs_ext4 root "$root_uuid" "$r" "$tmp/root.fs" "$root_mib"
if [ -n "$vmode" ]; then
	# The hash tree (meta-security's veritysetup line): into root.fs after the filesystem, or
	# into root.vhash; VERITY_* keys for the disk's .env, and the initramfs's env file.
	sh "$top/tests/qemu/mkverity.sh" "$vmode" "$tmp/root.fs" "$tmp/root.vhash" \
		"$out.dmverity.env" >"$tmp/verity.env" || die "mkverity.sh failed"
	[ "$vmode" = sep ] && place 4 "$tmp/root.vhash"
fi
place 2 "$tmp/root.fs"

# The same root rebuilt (issue 19): what an update writes to the root partition, or slot B.
# /etc/os-release is usually a link to ../usr/lib/os-release: the file itself gets the BUILD_ID.
echo "$(cat "$r/etc/overroot-test-root"), rebuilt" >"$r/etc/overroot-test-root"
osr=$r/etc/os-release
[ -L "$osr" ] && osr=$r/usr/lib/os-release
echo "BUILD_ID=overroot-test-rebuilt" >>"$osr"
find "$r/etc" "$osr" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
mkfs_ext4 "$([ "$table" = ab ] && echo rootb || echo root)" "$root2_uuid" "$r" "$tmp/root2.fs" \
	"$root_mib"
[ "$table" = ab ] && place 3 "$tmp/root2.fs"

# p3 (ab: p4): data (ext4), empty.
mkfs_ext4 data "$data_uuid" "" "$tmp/data.fs" "$data_mib"
place "$data_n" "$tmp/data.fs"

# Read every id back from the finished image rather than trusting what was asked for.
probe() { # N TAG
	blkid -p -o value -s "$2" -O "$(($(part_field "$1" start) * 512))" "$out.tmp"
}
ptuuid=$(blkid -p -o value -s PTUUID "$out.tmp")
if [ -n "$vmode" ] && [ "$table" = gpt ]; then
	# systemd's discovery: p2 and p4 named by the root hash's halves (mkverity.sh's UUIDs)
	sfdisk -q --part-uuid "$out.tmp" 2 "$(sed -n 's/^VERITY_ROOT_UUID=//p' "$tmp/verity.env")"
	sfdisk -q --part-uuid "$out.tmp" 4 "$(sed -n 's/^VERITY_RHASH_UUID=//p' "$tmp/verity.env")"
fi
if [ "$table" != gpt ]; then
	root_partuuid=$ptuuid-02 data_partuuid=$ptuuid-0$data_n root_partlabel='' data_partlabel=''
else
	root_partuuid=$(sfdisk --part-uuid "$out.tmp" 2 | tr '[:upper:]' '[:lower:]')
	data_partuuid=$(sfdisk --part-uuid "$out.tmp" 3 | tr '[:upper:]' '[:lower:]')
	root_partlabel=$(sfdisk --part-label "$out.tmp" 2)
	data_partlabel=$(sfdisk --part-label "$out.tmp" 3)
fi
cat >"$out.env.tmp" <<EOF
LAYOUT=$layout
PTUUID=$ptuuid
BOOT_UUID=$(probe 1 UUID)
ROOT_UUID=$(probe 2 UUID)
ROOT_LABEL=$(probe 2 LABEL)
ROOT_PARTUUID=$root_partuuid
ROOT_PARTLABEL=$root_partlabel
ROOT_OFFSET=$(($(part_field 2 start) * 512))
ROOT_SIZE=$(($(part_field 2 size) * 512))
DATA_UUID=$(probe $data_n UUID)
DATA_LABEL=$(probe $data_n LABEL)
DATA_PARTUUID=$data_partuuid
DATA_PARTLABEL=$data_partlabel
DATA_OFFSET=$(($(part_field $data_n start) * 512))
DATA_SIZE=$(($(part_field $data_n size) * 512))
ROOT2_UUID=$root2_uuid
EOF
if [ -n "$vmode" ]; then
	cat "$tmp/verity.env" >>"$out.env.tmp"
	if [ "$vmode" = sep ]; then
		echo "HASH_PARTUUID=$(sfdisk --part-uuid "$out.tmp" 4 | tr '[:upper:]' '[:lower:]')"
		echo "HASH_OFFSET=$(($(part_field 4 start) * 512))"
		echo "HASH_SIZE=$(($(part_field 4 size) * 512))"
	fi >>"$out.env.tmp"
fi
if [ "$table" = ab ]; then
	cat >>"$out.env.tmp" <<EOF
ROOTB_UUID=$(probe 3 UUID)
ROOTB_OFFSET=$(($(part_field 3 start) * 512))
ROOTB_SIZE=$(($(part_field 3 size) * 512))
EOF
fi
grep -q '^ROOT_UUID=.' "$out.env.tmp" || die "cannot read the root filesystem UUID back"
mv "$tmp/root2.fs" "$out.root2"
mv "$out.tmp" "$out"
mv "$out.env.tmp" "$out.env"
echo "mkdisk.sh: $out ($layout)" >&2
