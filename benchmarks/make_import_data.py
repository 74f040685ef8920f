#!/usr/bin/env python3
"""Invoices and events CSV files for the import benchmark (issue 8), in seconds rather than minutes.

`relance simulate` writes realistic histories but takes minutes for a few hundred thousand events. For
timing the import, what matters is the shape of the rows: this writes invoices of the sample customers
(each at a delivery site of its entity) and, per invoice, a chain of lifecycle events as the simulator
writes them (ISO 8601 times with the Paris offset, the department of the customer, a source, sometimes a
note), about 1 in 10 without a department (inferred on import), and about 2 in 100 repeated (duplicates
to ignore). Reads the organisations from a database where `relance import org samples/orgs/*.yaml` ran.

    python3 benchmarks/make_import_data.py DB_WITH_ORGS.sqlite OUT_FOLDER --invoices 60000 [--seed 3]
"""
import argparse, datetime, os, random, sqlite3
from zoneinfo import ZoneInfo

STATES = ["received", "goods-received", "approved", "posted", "scheduled", "payment-sent"]
SOURCES = ["erp", "erp", "erp", "cdar", "call", "portal"]
NOTES = ["", "", "", "Relance téléphonique, rappel demandé", "Scanned by the shared-service centre", "Bon à payer signé"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("db")
    p.add_argument("out")
    p.add_argument("--invoices", type=int, default=60000)
    p.add_argument("--seed", type=int, default=3)
    a = p.parse_args()
    rng = random.Random(a.seed)
    con = sqlite3.connect(a.db)
    sites = con.execute("SELECT s.id, s.entity_id, s.group_id FROM site s WHERE s.receives_deliveries = 1 ORDER BY s.id").fetchall()
    departments = {}
    for d, g in con.execute("SELECT id, group_id FROM department ORDER BY id"):
        departments.setdefault(g, []).append(d)
    con.close()
    paris = ZoneInfo("Europe/Paris")
    os.makedirs(a.out, exist_ok=True)
    start = datetime.date(2025, 12, 1)
    events_written = 0
    with open(os.path.join(a.out, "invoices.csv"), "w", encoding="utf-8") as inv, \
         open(os.path.join(a.out, "events.csv"), "w", encoding="utf-8") as ev:
        inv.write("invoice,entity,site,issue_date,amount,currency,order_number,sales_rep\n")
        ev.write("invoice,state,at,time_zone,department,contact,source,raw_code,reason,action,note,amount,currency,date\n")
        for i in range(a.invoices):
            site, entity, group = rng.choice(sites)
            number = f"FB-2026-{i:07d}"
            issue = start + datetime.timedelta(days=rng.randrange(300))
            inv.write(f"{number},{entity},{site},{issue},{rng.randrange(10000, 9000000) / 100:.2f},EUR,PO-{rng.randrange(10**9)},Julien Perrin\n")
            at = datetime.datetime.combine(issue, datetime.time(9), tzinfo=paris)
            rows = []
            for state in STATES[: rng.randrange(2, len(STATES) + 1)]:
                at += datetime.timedelta(days=rng.randrange(1, 10), minutes=rng.randrange(480))
                department = "" if rng.random() < 0.1 else rng.choice(departments[group])
                note = rng.choice(NOTES)
                note = f'"{note}"' if "," in note else note
                rows.append(f"{number},{state},{at.isoformat(timespec='seconds')},,{department},,{rng.choice(SOURCES)},,,,{note},,,\n")
            if rng.random() < 0.02:
                rows.append(rows[0])
            ev.writelines(rows)
            events_written += len(rows)
    print(f"{a.invoices} invoices, {events_written} event rows in {a.out}")


if __name__ == "__main__":
    main()
