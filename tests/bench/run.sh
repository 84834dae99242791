#!/bin/bash
# run.sh: overroot's speed and size bench (`make bench`). Builds what it boots (build.sh),
# boots every contender BENCH_ROUNDS times under qemu-system-aarch64, interleaved (bench.py),
# then writes docs/bench.md and docs/bench-initramfs.svg and prints the report (report.py);
# kreport.py draws docs/bench.svg from the kernel bench (make kernel).
# Environment:
#   BENCH_ROUNDS=N          rounds (default 15); each round boots every contender once
#   BENCH_ONLY=a,b          only these contenders (names in bench.py CONTENDERS)
#   BENCH_CLOCKS=tcg,icount the clocks each boot runs on (default both; see bench.py CLOCKS):
#                           tcg (host time) and icount (-icount shift=0,sleep=on: 1 guest
#                           instruction = 1 ns, the hardware-like figure)
#   BENCH_HOTPLUG_DELAY=S   seconds after /init starts before the disk is hot-plugged (3)
#   INIT=path               the overroot binary (default build/aarch64/init, built if missing)
#   BENCH_KERNEL=0          skip bundling into build/kernel/ (make kernel first otherwise);
#                           BENCH_COMPRESSIONS="gzip lz4" bundles fewer (build.sh)
# Downloads (once, cached in build/qemu/cache/, from Debian's mirror with apt-get download):
# linux-image-arm64 and busybox-static (tests/qemu/fetch.sh), tiny-initramfs-core (build.sh).
# A round (10 boots on TCG, 3 of them with a hot-plugged disk, and the 7 others again on
# icount) takes about 80 s on an idle 2-core host: 15 rounds, about 20 minutes.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
if [ -z "${INIT:-}" ]; then
	make --no-print-directory ARCH=aarch64 init
fi
command -v python3 >/dev/null ||
	{ echo "bench: python3 is needed (apt-get install python3)" >&2; exit 2; }
command -v qemu-system-aarch64 >/dev/null ||
	{ echo "bench: qemu-system-aarch64 is needed (apt-get install qemu-system-arm)" >&2; exit 2; }

bash tests/bench/build.sh
rounds=${BENCH_ROUNDS:-15}
python3 tests/bench/bench.py boot --rounds "$rounds" ${BENCH_ONLY:+--only "$BENCH_ONLY"} \
	--clocks "${BENCH_CLOCKS:-tcg,icount}"
python3 tests/bench/report.py --rounds "$rounds" --command "make bench (BENCH_ROUNDS=$rounds)"
# The section on overroot's own kernel (make kernel), spliced into docs/bench.md.
python3 tests/bench/kreport.py --command "make bench (BENCH_ROUNDS=$rounds)"
