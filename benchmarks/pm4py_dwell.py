#!/usr/bin/env python3
"""pm4py's side of the dwell-time learning comparison (issue 8, docs/performance.md).

Reads the canonical events CSV that `relance export events` writes, maps case = invoice,
activity = canonical state @ department (Relance learns its dwell laws per department and step),
timestamp = at, and runs pm4py.discover_performance_dfg: for every pair of activities that follow
each other in a case, the statistics of the time between them.

    .build-bench-py/bin/python benchmarks/pm4py_dwell.py events.csv

Prints one JSON object on standard output (pm4py's banner goes to standard error): the seconds spent
(a) reading the CSV with pandas and formatting it for pm4py (`read_format_s`), (b) discovering the
performance DFG (`discovery_s`), their sum (`total_s`), and `import_s`, the time `import pandas, pm4py`
took before that (not counted in `total_s`); then the sizes of the input and of the result.
"""

import contextlib
import json
import sys
import time

t_start = time.perf_counter()
with contextlib.redirect_stdout(sys.stderr):
    import pandas as pd
    import pm4py
t_imported = time.perf_counter()


def main(path):
    t0 = time.perf_counter()
    df = pd.read_csv(path, usecols=["invoice", "state", "at", "department"], dtype=str, keep_default_na=False)
    df["activity"] = df["state"] + "@" + df["department"]
    df["at"] = pd.to_datetime(df["at"], utc=True, format="ISO8601")
    log = pm4py.format_dataframe(df, case_id="invoice", activity_key="activity", timestamp_key="at")
    t1 = time.perf_counter()
    dfg, start_activities, end_activities = pm4py.discover_performance_dfg(log)
    t2 = time.perf_counter()
    print(json.dumps({
        "tool": "pm4py " + pm4py.__version__ + ", pandas " + pd.__version__,
        "events": int(len(df)),
        "cases": int(df["invoice"].nunique()),
        "activities": int(df["activity"].nunique()),
        "edges": len(dfg),
        "import_s": round(t_imported - t_start, 3),
        "read_format_s": round(t1 - t0, 3),
        "discovery_s": round(t2 - t1, 3),
        "total_s": round(t2 - t0, 3),
    }))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: pm4py_dwell.py EVENTS.csv")
    main(sys.argv[1])
