"""The rated copy's cost: time added to the sample build, and memory as a sheet grows to 50 MB. Run:

    uv run python benchmarks/bench_rated_copy.py [--runs 7]

1. `kpi-excel build` on the sample with and without `--no-rated-copy`, each run a fresh process,
   taking turns after a warm-up of each; medians of wall and CPU time. Aim: the rated copy adds at
   most 10 %.
2. The rated copy of a tracker whose KPI sheet holds a small table above a data dump of 5 MB and
   of 50 MB of XML (random figures, so the file deflates as real ones do): the peak of Python's
   own allocations while the copy is made (tracemalloc), and the time. Aim: memory flat, time in
   step with the sheet's size.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SAMPLE = ROOT / "samples" / "scs-kpi-tracker-2019-20.xlsx"
DUMP_FROM_ROW = 2_000  # the dump starts well below the table (the reader stops after blank rows)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(args: list[str]) -> tuple[float, float]:
    cpu = _children_cpu()
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - start, _children_cpu() - cpu


def build_times(runs: int) -> None:
    print("1. kpi-excel build on the sample, with and without the rated copy")
    with tempfile.TemporaryDirectory() as folder:
        jobs = {
            "with the rated copy": [sys.executable, "-m", "kpi_excel", "build", str(SAMPLE), "--out",
                                    f"{folder}/a", "--quiet"],
            "--no-rated-copy": [sys.executable, "-m", "kpi_excel", "build", str(SAMPLE), "--out",
                                f"{folder}/b", "--quiet", "--no-rated-copy"],
        }
        for args in jobs.values():
            _timed(args)  # warm-up: bytecode cached, files in the page cache
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in jobs}
        for _ in range(runs):
            for name, args in jobs.items():
                results[name].append(_timed(args))
    medians = {name: (statistics.median(w for w, _ in r), statistics.median(c for _, c in r))
               for name, r in results.items()}
    for name, (wall, cpu) in medians.items():
        print(f"   {name:22} wall {wall:.2f} s   CPU {cpu:.2f} s")
    (wall_a, cpu_a), (wall_b, cpu_b) = medians.values()
    print(f"   the rated copy adds {wall_a / wall_b - 1:+.1%} wall, {cpu_a / cpu_b - 1:+.1%} CPU "
          f"(aim: at most +10 %), medians of {runs}")
    out = subprocess.run([sys.executable, "-c", _IN_PROCESS, str(SAMPLE), str(runs)], check=True,
                         capture_output=True, text=True, cwd=ROOT)
    seconds = float(out.stdout)
    print(f"   making the copy in-process (CPU time, median of {runs}): {seconds * 1000:.0f} ms, "
          f"{seconds / cpu_b:.1%} of the build's CPU without it")


_IN_PROCESS = """
import statistics, sys, time
from pathlib import Path
from kpi_excel import pipeline
from kpi_excel.rated_copy import make_rated_copy
source = Path(sys.argv[1])
report = pipeline.check(source)
make_rated_copy(report, source).close()  # imports done, as in a build
times = []
for _ in range(int(sys.argv[2])):
    start = time.process_time()
    make_rated_copy(report, source).close()
    times.append(time.process_time() - start)
print(statistics.median(times))
"""


def tracker_with_dump(path: Path, dump_bytes: int) -> Path:
    """The test suite's tracker, its KPI sheet given a data dump of about dump_bytes of XML."""
    sys.path.insert(0, str(ROOT / "tests"))
    from rated_cases import write_tracker

    small = write_tracker(path.with_name("small-" + path.name))
    rng = random.Random(1)
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with out.open(info.filename, "w") as part:
                part.write(head)
                written, row = 0, DUMP_FROM_ROW
                while written < dump_bytes:
                    cells = "".join(f'<c r="{col}{row}"><v>{rng.random() * 1e6:.3f}</v></c>'
                                    for col in "ABCDEFGHIJKL")
                    chunk = f'<row r="{row}">{cells}</row>'.encode()
                    part.write(chunk)
                    written += len(chunk)
                    row += 1
                part.write(b"</sheetData>" + tail)
    return path


_MEASURE = """
import sys, time, tracemalloc
from pathlib import Path
from kpi_excel import pipeline
from kpi_excel.rated_copy import make_rated_copy
source = Path(sys.argv[1])
report = pipeline.check(source)
start, cpu = time.perf_counter(), time.process_time()  # timed untraced: tracemalloc slows it severalfold
copy = make_rated_copy(report, source)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
assert copy.made, [str(n) for n in copy.notes]
copy.close()
tracemalloc.start()
make_rated_copy(report, source).close()
print(seconds, cpu, tracemalloc.get_traced_memory()[1])
"""


def memory(sizes_mb: list[int]) -> None:
    print("2. the rated copy of a tracker whose KPI sheet carries a data dump")
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes_mb:
            path = tracker_with_dump(Path(folder) / f"dump-{size}.xlsx", size * 2**20)
            with zipfile.ZipFile(path) as package:
                sheet = package.getinfo("xl/worksheets/sheet1.xml").file_size
            out = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], check=True,
                                 capture_output=True, text=True, cwd=ROOT)
            seconds, cpu, peak = out.stdout.split()
            print(f"   sheet XML {sheet / 2**20:5.1f} MB (file {path.stat().st_size / 2**20:4.1f} MB): "
                  f"{float(seconds):5.2f} s wall, {float(cpu):5.2f} s CPU, "
                  f"peak Python memory while copying {int(peak) / 2**20:5.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    build_times(args.runs)
    memory([5, 50])


if __name__ == "__main__":
    main()
