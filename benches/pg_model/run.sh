#!/bin/bash
# The server's side of a batched append, without the crate (DESIGN.md,
# "Round 21"): eight pgbench clients each inserting batches of 1,000 of the
# store's rows, into three tables that differ only in their indexes —
# today's (`text`), the stream as an integer key (`key`), none (`bare`).
# Prints rows a second for each, in turn, ROUNDS times:
#
#   source .ci/postgres.sh   # or GRASSROOTS_POSTGRES_URL set already
#   benches/pg_model/run.sh [ROUNDS] [BATCHES_EACH]
#
# ROUNDS defaults to 3, BATCHES_EACH (per client per run) to 40. The
# tables are dropped and made again first; they are left behind after.
set -euo pipefail
here=$(dirname "$0")
url=${GRASSROOTS_POSTGRES_URL:?set GRASSROOTS_POSTGRES_URL or source .ci/postgres.sh}
rounds=${1:-3}
batches=${2:-40}
bin=$(dirname "$(command -v pgbench 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/pgbench | sort -V | tail -n 1)")
"$bin/psql" -qX -v ON_ERROR_STOP=1 -f "$here/setup.sql" "$url" >/dev/null
for i in $(seq 1 "$rounds"); do
  # model:script:table
  for run in text:rows:model_text key:key:model_key bare:rows:model_bare; do
    IFS=: read -r model script table <<<"$run"
    # pgbench's own words when it fails, instead of an empty figure.
    if ! out=$("$bin/pgbench" -n -c 8 -j 2 -t "$batches" -D table="$table" -f "$here/$script.sql" "$url" 2>&1); then
      echo "$out" >&2
      exit 1
    fi
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out")
    echo "$model round $i $(date +%T) load $(cut -d' ' -f1 /proc/loadavg): ${tps:-?} batches/s, $(awk -v t="${tps:-0}" 'BEGIN { printf "%.0f", t * 1000 }') rows/s"
  done
done
