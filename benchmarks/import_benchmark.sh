#!/bin/sh
# Event (and invoice) import against Python's sqlite3, issue 8: three runs each, in the same sitting.
#
#   benchmarks/import_benchmark.sh RELANCE_BINARY DATA_FOLDER [RUNS]
#
# DATA_FOLDER holds invoices.csv and events.csv from `relance simulate --out`. The script builds
# base.sqlite (organisations and invoices, timed as the invoice import), then for each run copies it and
# times `relance import events` end to end (/usr/bin/time -v: wall time and peak memory), and runs
# benchmarks/sqlite_insert_baseline.py on another copy of the same database with the same file.
set -eu
R=$(realpath "$1")
D=$(realpath "$2")
RUNS=${3:-3}
HERE=$(dirname "$(realpath "$0")")
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export RELANCE_PROGRESS=0
cd "$W"
"$R" init --db base.sqlite > /dev/null
"$R" import org "$HERE"/../samples/orgs/*.yaml --db base.sqlite > /dev/null
echo "invoices: $(wc -l < "$D/invoices.csv") lines; events: $(wc -l < "$D/events.csv") lines; load: $(cut -d' ' -f1-3 /proc/loadavg)"
cp base.sqlite inv.sqlite
/usr/bin/time -f "invoice import: %e s wall, %U s user, %S s sys, %M KiB peak" "$R" import invoices "$D/invoices.csv" --db inv.sqlite
mv inv.sqlite base.sqlite
sqlite3 base.sqlite "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null 2>&1 || true
i=1
while [ "$i" -le "$RUNS" ]; do
    cp base.sqlite run.sqlite
    /usr/bin/time -f "relance run $i: %e s wall, %U s user, %S s sys, %M KiB peak" "$R" import events "$D/events.csv" --db run.sqlite
    rm -f run.sqlite run.sqlite-wal run.sqlite-shm
    python3 "$HERE/sqlite_insert_baseline.py" base.sqlite "$D/events.csv" | sed "s/^/python run $i: /"
    i=$((i + 1))
done
