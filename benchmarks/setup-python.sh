#!/bin/sh
# Creates .build-bench-py, the virtual environment of the Python side of the benchmarks (pm4py and pandas
# from PyPI), used by benchmarks/pm4py_dwell.py. .build-* is git-ignored.
#
#     benchmarks/setup-python.sh && .build-bench-py/bin/python benchmarks/pm4py_dwell.py events.csv
set -eu
cd "$(dirname "$0")/.."
python3 -m venv .build-bench-py
.build-bench-py/bin/pip install --quiet --upgrade pip
.build-bench-py/bin/pip install --quiet pm4py pandas
.build-bench-py/bin/python -c 'import contextlib, sys
with contextlib.redirect_stdout(sys.stderr):
    import pm4py
import pandas
print("pm4py", pm4py.__version__, "pandas", pandas.__version__)'
