#!/usr/bin/env python3
"""Where overroot's time goes, from boots with `debug` (every sys_ops call logged with its
duration: `overroot: [sys] mount(...) = 0 (312 us)`).

    python3 tests/bench/bench.py boot --rounds 3 --only overroot --append debug \
        --run build/bench/debug
    python3 tests/bench/trace.py build/bench/debug/overroot/*.log

Prints, per call (grouped by name and first argument, module paths shortened), the median over
the boots of its total duration, and the time from /init to the real init that no logged call
accounts for (program start, parsing, probing set-up, logging itself). debug adds one kmsg
line (and console output) per call, so the totals are larger than a normal boot's.
"""
import re
import statistics
import sys
from collections import defaultdict

SYS = re.compile(r"^\[\s*(\d+\.\d+)\] overroot: \[sys\] (\w+)\(([^,)]*)[^)]*\)?.*\((\d+) us\)$")
TS = re.compile(r"^\[\s*(\d+\.\d+)\]")


def key(name, arg):
    arg = re.sub(r"^/lib/modules/[^/]+/.*/", "", arg)
    arg = re.sub(r"^/sys/module/.*", "/sys/module/*", arg)
    if name in ("finit_module",):
        return "finit_module(%s)" % arg
    if name in ("mount", "umount2", "blkid_probe", "ioctl", "remove_tree", "poll"):
        return "%s(%s)" % (name, arg)
    return "%s(%s)" % (name, arg) if arg.startswith(("/lib/modules", "/proc", "/sys")) \
        else name + "(...)"


def one(path):
    per = defaultdict(float)
    t_init = t_real = None
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            m = TS.match(line)
            if m and "Run /init as init process" in line:
                t_init = float(m.group(1)) * 1000
            if m and "testinit: start" in line and t_real is None:
                t_real = float(m.group(1)) * 1000
            s = SYS.match(line)
            if s:
                per[key(s.group(2), s.group(3))] += int(s.group(4)) / 1000
    total = (t_real - t_init) if t_init is not None and t_real is not None else None
    return per, total


def main():
    runs = [one(p) for p in sys.argv[1:]]
    runs = [r for r in runs if r[1] is not None]
    if not runs:
        sys.exit("trace.py: no complete debug boot logs given")
    keys = set().union(*(r[0] for r in runs))
    rows = []
    for k in keys:
        rows.append((statistics.median(r[0].get(k, 0.0) for r in runs), k))
    rows.sort(reverse=True)
    totals = [r[1] for r in runs]
    in_calls = [sum(r[0].values()) for r in runs]
    print("%d boots; Run /init -> real init: median %.1f ms; in logged calls: %.1f ms; "
          "elsewhere: %.1f ms" % (len(runs), statistics.median(totals),
                                  statistics.median(in_calls),
                                  statistics.median(t - c for t, c in zip(totals, in_calls))))
    print("%9s  %s" % ("ms", "call (median of its total per boot)"))
    for ms, k in rows:
        if ms >= 0.2:
            print("%9.1f  %s" % (ms, k))


if __name__ == "__main__":
    main()
