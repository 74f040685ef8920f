#!/usr/bin/env python3
"""Raw SQLite insert rate for Relance's event rows, the yardstick of issue 8.

Reads an events CSV written by `relance simulate` (the file `relance import events` reads), turns each row
into the event table's columns with the least work possible, and inserts them with one `executemany` in one
transaction into a copy of a Relance database that already holds the organisations and invoices: the same
schema, indexes and foreign keys (on), the same page cache as Relance's connections (64 MiB; `--default-cache`
leaves SQLite's 2 MiB), and the same identity string, so that the same rows are stored and the same
duplicates ignored (by the unique `identity` index and INSERT OR IGNORE, as Relance does). It does not
check the rows against the organisations nor infer departments: that is Relance's extra work.

    python3 benchmarks/sqlite_insert_baseline.py DB_WITH_INVOICES.sqlite EVENTS.csv [--default-cache] [--json]

Prints the rows stored, the time to read and convert the CSV, the time of `executemany` and commit alone,
and both rates (rows stored per second).
"""
import csv, datetime, json, os, shutil, sqlite3, sys, tempfile, time


def zone_for_offset(text):
    """The time-zone name Relance stores for an ISO 8601 offset: GMT+0100 for +01:00, UTC for Z."""
    if text.endswith("Z"):
        return "UTC"
    tail = text[-6:] if text[-3] == ":" else text[-5:]
    if tail[0] in "+-" and len(text) > 19:
        digits = tail[1:].replace(":", "")
        return "GMT" + tail[0] + digits
    return None


def rows(events, stamp):
    with open(events, newline="", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            text = r["at"].strip()
            zone = r.get("time_zone") or zone_for_offset(text) or "Europe/Paris"
            at = int(datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())
            state = (r.get("state") or "").lower()
            state = None if state == "note" else state
            note = r.get("note") or None
            identity = "|".join([r["invoice"], state or "-", str(at), r.get("department") or "-", (r.get("source") or "erp").lower(),
                                 r.get("raw_code") or "-", r.get("contact") or "-", note[:40] if note else "-"])
            yield (r["invoice"], state, at, zone, r.get("department") or None, r.get("contact") or None,
                   (r.get("source") or "erp").lower(), r.get("raw_code") or None, r.get("reason") or None, r.get("action") or None, note,
                   None, None, r.get("date") or None, identity, None, stamp)


def main(db, events, default_cache=False, as_json=False):
    work = tempfile.mkdtemp()
    copy = os.path.join(work, "baseline.sqlite")
    shutil.copy(db, copy)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(db + suffix):
            shutil.copy(db + suffix, copy + suffix)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    c0, t0 = time.process_time(), time.perf_counter()
    converted = list(rows(events, stamp))
    c1, t1 = time.process_time(), time.perf_counter()
    con = sqlite3.connect(copy)
    con.execute("PRAGMA foreign_keys = ON")
    if not default_cache:
        con.execute("PRAGMA cache_size = -65536")
    before = con.execute("SELECT COUNT(*) FROM event").fetchone()[0]
    c2, t2 = time.process_time(), time.perf_counter()
    with con:
        con.executemany("""INSERT OR IGNORE INTO event (invoice_id, state, at, time_zone, department_id, contact_id, source, raw_code, reason,
                           action, note, amount_minor, currency, date, identity, import_id, recorded_at)
                           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", converted)
    c3, t3 = time.process_time(), time.perf_counter()
    stored = con.execute("SELECT COUNT(*) FROM event").fetchone()[0] - before
    con.close()
    shutil.rmtree(work)
    insert = t3 - t2
    total = (t1 - t0) + insert
    print(f"rows read {len(converted)}, stored {stored}; read+convert {t1 - t0:.2f} s; executemany+commit {insert:.2f} s = "
          f"{stored / insert:,.0f} rows/s; end to end {total:.2f} s = {stored / total:,.0f} rows/s; "
          f"CPU read+convert {c1 - c0:.2f} s, executemany+commit {c3 - c2:.2f} s"
          + (" (default 2 MiB cache)" if default_cache else " (64 MiB cache, as Relance)"))
    if as_json:
        # The last line, for relance-bench: rows stored and the two timings.
        print(json.dumps({"rows": stored, "read_seconds": round(t1 - t0, 4), "insert_seconds": round(insert, 4),
                          "end_to_end_seconds": round(total, 4)}))


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(args[0], args[1], default_cache="--default-cache" in sys.argv, as_json="--json" in sys.argv)
