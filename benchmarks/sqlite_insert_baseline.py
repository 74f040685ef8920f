#!/usr/bin/env python3
"""Raw SQLite insert rate for Relance's event rows, the yardstick of issue 8.

Reads an events CSV written by `relance simulate` (the same rows `relance import events` stores), turns each
row into the event table's columns with the least work possible, and inserts them with one `executemany`
in one transaction into a copy of a Relance database that already holds the organisations and invoices (so
the same schema, indexes and foreign keys apply). Prints rows per second.

    python3 benchmarks/sqlite_insert_baseline.py DB_WITH_INVOICES.sqlite EVENTS.csv
"""
import csv, datetime, os, shutil, sqlite3, sys, tempfile, time

def main(db, events):
    work = tempfile.mkdtemp()
    copy = os.path.join(work, "baseline.sqlite")
    shutil.copy(db, copy)
    t0 = time.perf_counter()
    rows = []
    seen = set()
    with open(events, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            at = int(datetime.datetime.fromisoformat(r["at"]).timestamp())
            identity = "|".join([r["invoice"], r.get("state") or "", str(at), r.get("source") or "", r.get("raw_code") or "",
                                 r.get("department") or "", r.get("reason") or "", r.get("date") or "", r.get("note") or ""])
            if identity in seen:
                continue
            seen.add(identity)
            rows.append((r["invoice"], r.get("state") or None, at, r.get("time_zone") or "Europe/Paris", r.get("department") or None, r.get("contact") or None,
                         r.get("source") or "erp", r.get("raw_code") or None, r.get("reason") or None, None, r.get("note") or None,
                         None, None, r.get("date") or None, identity, None, "2026-11-29T00:00:00Z"))
    t1 = time.perf_counter()
    con = sqlite3.connect(copy)
    con.execute("PRAGMA foreign_keys = ON")
    with con:
        con.executemany("""INSERT OR IGNORE INTO event (invoice_id, state, at, time_zone, department_id, contact_id, source, raw_code, reason,
                           action, note, amount_minor, currency, date, identity, import_id, recorded_at)
                           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", rows)
    t2 = time.perf_counter()
    con.close()
    shutil.rmtree(work)
    print(f"rows {len(rows)}; read+convert {t1 - t0:.2f} s; executemany {t2 - t1:.2f} s = {len(rows) / (t2 - t1):,.0f} rows/s; "
          f"end to end {t2 - t0:.2f} s = {len(rows) / (t2 - t0):,.0f} rows/s")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
