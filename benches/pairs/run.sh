#!/bin/bash
# Interleaved before/after pairs of criterion bench binaries, for a machine
# whose speed drifts within minutes (BENCHMARKS.md, "Round 15").
#
#   benches/pairs/run.sh PAIRS FILTER BINARY...
#
# Runs every BINARY (built with `cargo bench --all-features --no-run --bench
# NAME` and copied aside, one per revision) PAIRS times, in turn, as
# `BINARY --bench FILTER --warm-up-time 1 --measurement-time ${SECONDS_EACH:-3}
# --noplot` (with QUICK=1: `BINARY --bench FILTER --quick --noplot`), and
# prints one line per run: the binary, the pair, the time, the load average
# and criterion's estimate lines. Put
# `GLIBC_TUNABLES=glibc.malloc.hugetlb=1` in front to run with huge pages
# (README, "A city in memory: huge pages"). Never run two of these at once.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 PAIRS FILTER BINARY..." >&2
  exit 2
fi
pairs=$1
filter=$2
shift 2
for i in $(seq 1 "$pairs"); do
  for bin in "$@"; do
    if [ -n "${QUICK:-}" ]; then
      timing=(--quick)
    else
      timing=(--warm-up-time 1 --measurement-time "${SECONDS_EACH:-3}")
    fi
    out=$("$bin" --bench "$filter" "${timing[@]}" --noplot 2>&1 |
      grep -E '^[a-z_0-9/ ]*time:|^[a-z_]+/[^ ]+$|memory:' | sed 's/  */ /g' | tr '\n' ' ' ||
      true)
    # A filter that matches no bench, or a binary that failed, says so
    # instead of ending every pair after it.
    out=${out:-"(no estimate: check the filter, or run the binary alone)"}
    echo "$(basename "$bin") pair $i $(date +%T) load $(cut -d' ' -f1 /proc/loadavg): $out"
  done
done
