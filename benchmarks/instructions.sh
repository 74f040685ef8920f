#!/usr/bin/env bash
# Instructions executed by `relance forecast` and `relance agenda` (CSV and JSON, as the harness runs them),
# counted by Valgrind's callgrind: the same count at every run, unlike times on a shared 2-core machine, so a
# change of a few per cent shows. The binary is stripped first (Valgrind 3.19 gives up on the debug
# information of a Swift release build). Needs `valgrind` (apt-get install valgrind).
#
#   benchmarks/instructions.sh DB DAY BINARY...
#   benchmarks/instructions.sh small/s.sqlite 2026-11-27 .build/release/relance /tmp/relance-before
set -euo pipefail
db=$1; day=$2; shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | grep -o "refs: *[0-9,]*" | tr -dc 0-9; }
for bin in "$@"; do
  strip -o "$tmp/relance" "$bin"
  f=$(count "$tmp/relance" forecast --as-of "$day" --format csv --db "$db")
  a=$(count "$tmp/relance" agenda --date "$day" --format json --db "$db")
  echo "$bin: forecast $((f / 1000000)) M instructions, agenda $((a / 1000000)) M instructions"
done
