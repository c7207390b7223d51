"""`kx.from_pandas` against the CSV path on the same long-form table, as it grows to the limit. Run:

    uv run --extra pandas python benchmarks/bench_from_pandas.py [--rows 50000 199999] [--runs 1]

For each size, a long-form table (one row per indicator per month, 36 months, seven columns) is
read twice, each in a fresh process: as a DataFrame through `kx.from_pandas`, and, as the floor,
written to a CSV file and read by `kx.check` (the CSV path has the same limits and the same table
finder). Printed: wall time, CPU time and peak memory (resident) of each, and their ratio. Then a
DataFrame of a million rows, which must be refused at once. Aims: from_pandas no slower than the
CSV path, under a minute and under 1 GB at the limit (199,999 rows under the headings), the
million-row frame refused in under a second.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

MONTHS = 36

# Run in a fresh process: build the frame (not timed), then time one way of reading it.
JOB = r"""
import json, resource, sys, time
import numpy as np, pandas as pd
import kpi_excel as kx
from kpi_excel.errors import InputError
way, rows, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3]
months = 36
indicators = -(-rows // months)
periods = [p.strftime("%b-%y") for p in pd.period_range("2019-04", periods=months, freq="M")]
rng = np.random.default_rng(1)
frame = pd.DataFrame({
    "Code": np.repeat([f"K{i:06d}" for i in range(indicators)], months),
    "Indicator": np.repeat([f"Indicator number {i}" for i in range(indicators)], months),
    "Polarity": "H", "Target": 0.9, "Floor": 0.8,
    "Period": np.tile(periods, indicators),
    "Value": rng.uniform(0.7, 1.0, indicators * months).round(3),
}).head(rows)
csv = f"{folder}/table.csv"
if way == "csv":
    frame.to_csv(csv, index=False)
usage = lambda: resource.getrusage(resource.RUSAGE_SELF)
before, wall = usage(), time.perf_counter()
refused = ""
try:
    if way == "frame":
        count = len(kx.from_pandas(frame).indicators)
    else:
        count = len(kx.check(csv).dataset.indicators)
except InputError as error:
    refused, count = error.line(), 0
after = usage()
print(json.dumps({"wall": time.perf_counter() - wall,
                  "cpu": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
                  "peak_mb": after.ru_maxrss / 1024, "indicators": count, "refused": refused}))
"""


def run(way: str, rows: int, folder: str) -> dict[str, float | str]:
    done = subprocess.run([sys.executable, "-c", JOB, way, str(rows), folder], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[50_000, 199_999])  # the CSV path's limit
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    print(f"{'rows':>9}  {'way':<12} {'wall s':>7} {'CPU s':>7} {'peak MB':>8}  "
          "ratio to the CSV path (wall, CPU)")
    with tempfile.TemporaryDirectory() as folder:
        for rows in args.rows:
            results = {way: [run(way, rows, folder) for _ in range(args.runs)] for way in ("csv", "frame")}
            medians = {way: {key: statistics.median(float(r[key]) for r in runs)
                             for key in ("wall", "cpu", "peak_mb")} for way, runs in results.items()}
            for way, label in (("csv", "CSV (floor)"), ("frame", "from_pandas")):
                if results[way][0]["refused"]:
                    raise SystemExit(f"{label} refused {rows:,} rows: {results[way][0]['refused']}")
                m = medians[way]
                ratio = (f"{m['wall'] / medians['csv']['wall']:.2f}x, {m['cpu'] / medians['csv']['cpu']:.2f}x"
                         if way == "frame" else "")
                print(f"{rows:>9,}  {label:<12} {m['wall']:>7.1f} {m['cpu']:>7.1f} {m['peak_mb']:>8.0f}  "
                      f"{ratio}")
        million = run("frame", 1_000_000, folder)
        said = million["refused"] or "NOT refused"
        print(f"{1_000_000:>9,}  from_pandas  {float(million['wall']):>7.3f} s: {said}")


if __name__ == "__main__":
    main()
