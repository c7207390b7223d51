"""Every benchmark, each job timed against its floor in the same run. Run:

    uv run python benchmarks/run_all.py [--quick | --sample] [--runs 3]

1. The sample build (RAG workbook and paper with 31 native charts, `kpi-excel build`, on two
   processes as by default and with --jobs 1) against a Python process that only imports
   openpyxl, XlsxWriter and python-docx. Aim: at most 2x, wall time. As a user's machine runs
   them: bytecode cached (PYTHONDONTWRITEBYTECODE unset, a warm-up run of each first), the jobs
   taking turns so a passing load falls on all alike. The same builds with --html (the paper's
   HTML edition too) against the builds without it: aim at most 15 % more, wall time.
2. A council-wide run, 40 directorates x 50 indicators x 36 months (`kpi-excel council`): wall
   time, CPU time, time per indicator and the peak memory of the whole process tree. Aims: under
   30 s and under 500 MB on a 2-core machine. The floor is `kpi-excel check` on every workbook.
3. How the time of `kpi-excel build` grows with indicators (250 to 2,000 at 36 months) and periods
   (12 to 48 months at 500 indicators), with each ratio beside the ratio of sizes (linear: equal).
4. benchmarks/bench_check.py and benchmarks/bench_workbook.py, as they are (left out by --quick).

Every job runs as a command in a fresh process, as an analyst runs it. Times are wall-clock
medians; CPU is user + system time of the job's processes. The machine and its load average are
printed first: another busy program makes wall times longer but barely changes CPU times.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_council  # noqa: E402

SAMPLE = HERE.parent / "samples" / "scs-kpi-tracker-2019-20.xlsx"
KPI_EXCEL = [sys.executable, "-m", "kpi_excel"]
IMPORT_FLOOR = [sys.executable, "-c", "import openpyxl, xlsxwriter, docx"]


@dataclass(frozen=True)
class Run:
    """One command's wall time, CPU time (user + system, all its processes) and peak memory."""

    wall: float
    cpu: float
    peak_mb: float  # the largest total RSS of the process tree seen (sampled every 20 ms)
    peak_bound_mb: float  # the sum of each process's own peak: the tree never used more


def run(command: Sequence[str], *, ok_codes: tuple[int, ...] = (0,),
        env: dict[str, str] | None = None) -> Run:
    """Run a command, timing it and sampling the memory of it and its children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    sampler = _MemorySampler(process.pid)
    sampler.start()
    _, stderr = process.communicate()
    wall = time.perf_counter() - start
    sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode not in ok_codes:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{stderr.decode()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    largest_child = after.ru_maxrss / 1024  # kB on Linux: the largest single process
    return Run(wall, cpu, max(sampler.peak_kb / 1024, largest_child),
               max(sampler.bound_kb / 1024, largest_child))


class _MemorySampler(threading.Thread):
    """Sums VmRSS over a process and its descendants (Linux /proc) every 20 ms."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self._peaks = pid, 0, {}  # type: ignore[var-annotated]
        self._done = threading.Event()

    @property
    def bound_kb(self) -> int:
        return sum(self._peaks.values())

    def run(self) -> None:
        while not self._done.is_set():
            total = 0
            for pid in _tree(self.pid):
                rss, hwm = _status_kb(pid, "VmRSS"), _status_kb(pid, "VmHWM")
                total += rss
                self._peaks[pid] = max(self._peaks.get(pid, 0), hwm)
            self.peak_kb = max(self.peak_kb, total)
            self._done.wait(0.02)

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return pids


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def median_run(command: Sequence[str], runs: int, **kwargs: object) -> Run:
    results = [run(command, **kwargs) for _ in range(runs)]  # type: ignore[arg-type]
    fields = ("wall", "cpu", "peak_mb", "peak_bound_mb")
    return Run(*(statistics.median(getattr(r, f) for r in results) for f in fields))


# --- the benchmarks -------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        names = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    return (f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}; load average now {load}")


def cached_bytecode_env() -> dict[str, str]:
    """This environment with Python writing and reading bytecode caches, as an installed tool does."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def sample_build(folder: Path, runs: int) -> None:
    build = [*KPI_EXCEL, "build", str(SAMPLE), "--out", str(folder / "sample"), "-q"]
    jobs = {"floor": IMPORT_FLOOR, "build": build, "build --jobs 1": [*build, "--jobs", "1"],
            "build --html": [*build, "--html"], "build --html --jobs 1": [*build, "--html", "--jobs", "1"]}
    env = cached_bytecode_env()
    for command in jobs.values():  # warm-up: compiles and caches the bytecode, fills the disk cache
        run(command, env=env)
    results: dict[str, list[Run]] = {name: [] for name in jobs}
    for _ in range(runs):  # taking turns
        for name, command in jobs.items():
            results[name].append(run(command, env=env))
    medians = {name: Run(*(statistics.median(getattr(r, f) for r in done) for f in Run.__dataclass_fields__))
               for name, done in results.items()}
    floor = medians.pop("floor")
    print(f"\n1. The sample build (workbook + paper with 31 native charts) against importing the three "
          f"libraries; bytecode cached, medians of {runs} runs taking turns")
    table = [["python -c 'import openpyxl, xlsxwriter, docx'", f"{floor.wall:.2f}", f"{floor.cpu:.2f}",
              "", ""]]
    for name, job in medians.items():
        table.append([f"kpi-excel {name} (sample)", f"{job.wall:.2f}", f"{job.cpu:.2f}",
                      f"{job.wall / floor.wall:.2f}x", f"{job.cpu / floor.cpu:.2f}x"])
    _table(["job", "wall s", "CPU s", "wall ratio", "CPU ratio"], table)
    print("   aim: the default build at most 2x the floor, wall time")
    rows = []
    for name in ("build", "build --jobs 1"):
        plain, html = medians[name], medians[name.replace("build", "build --html")]
        rows.append([f"kpi-excel {name.replace('build', 'build --html')} against kpi-excel {name}",
                     f"{html.wall - plain.wall:+.3f}", f"{html.cpu - plain.cpu:+.3f}",
                     f"{(html.wall / plain.wall - 1) * 100:+.1f} %",
                     f"{(html.cpu / plain.cpu - 1) * 100:+.1f} %"])
    _table(["the HTML edition", "wall s", "CPU s", "wall", "CPU"], rows)
    print("   aim: --html adds at most 15 % to the build, wall time")


def council_run(folder: Path, directorates: int, indicators: int, months: int) -> None:
    inputs = folder / "council-in"
    make_council.write_folder(inputs, directorates, indicators, months)
    books = sorted(inputs.glob("*.xlsx"))
    floor = run([sys.executable, "-c", "import sys\nfrom pathlib import Path\nfrom kpi_excel import api\n"
                 "for p in sys.argv[1:]: api.check(Path(p))", *map(str, books)])
    job = run([*KPI_EXCEL, "council", str(inputs), "--out", str(folder / "council-out"), "-q"])
    total = directorates * indicators
    outputs = [p for p in (folder / "council-out").rglob("*") if p.is_file()]
    print(f"\n2. Council-wide: {directorates} directorates x {indicators} indicators x {months} months "
          f"({total:,} indicators, {len(outputs)} files written)")
    _table(["job", "wall s", "CPU s", "ms per indicator", "peak MB (tree)", "aim"], [
        [f"kpi-excel check, each of the {directorates} workbooks in one process (floor)",
         f"{floor.wall:.1f}", f"{floor.cpu:.1f}", f"{floor.wall / total * 1000:.2f}",
         f"{floor.peak_mb:.0f}", ""],
        ["kpi-excel council (every workbook and paper, and the council-wide pair)", f"{job.wall:.1f}",
         f"{job.cpu:.1f}", f"{job.wall / total * 1000:.2f}",
         f"{job.peak_mb:.0f} (at most {job.peak_bound_mb:.0f})", "under 30 s, under 500 MB"],
    ])


def scaling(folder: Path) -> None:
    print("\n3. How `kpi-excel build` grows (one department's workbook; each ratio against the first row)")
    cases = [(n, 36) for n in (250, 500, 1_000, 2_000)] + [(500, m) for m in (12, 24, 36, 48)]
    rows, base = [], None
    for n, months in cases:
        path = make_council.write_directorate(folder / f"scale-{n}x{months}.xlsx", 0, n, months)
        job = run([*KPI_EXCEL, "build", str(path), "--out", str(folder / "scale-out"), "-q"])
        size = n * months
        if base is None or (n, months) == (500, 12):
            base = (size, job.wall, n, months)
            rows.append(["", "", "", "", "", ""])
        rows.append([f"{n:,} x {months}", f"{job.wall:.1f}", f"{job.cpu:.1f}",
                     f"{job.wall / n * 1000:.1f}", f"{size / base[0]:.2f}", f"{job.wall / base[1]:.2f}"])
    _table(["indicators x months", "wall s", "CPU s", "ms per indicator", "size ratio", "time ratio"],
           rows[1:])
    print("   Above 250 indicators the workbook holds a note instead of a chart per indicator (Excel "
          "opens thousands of charts slowly); the paper keeps a chart per indicator.")


def existing(runs: int) -> None:
    for script in ("bench_check.py", "bench_workbook.py"):
        if (HERE / script).exists():
            print(f"\n4. benchmarks/{script}")
            sys.stdout.flush()
            subprocess.run([sys.executable, str(HERE / script), "--runs", str(runs)], check=True)


def wait_idle(seconds: float) -> None:
    """Wait (up to seconds) until the one-minute load average is below a quarter of a core, as
    another busy program on the machine makes every wall time longer."""
    deadline = time.monotonic() + seconds
    while os.getloadavg()[0] > 0.25 and time.monotonic() < deadline:
        time.sleep(5)
    if seconds:
        print(f"\n(load average {os.getloadavg()[0]:.2f} when this part started)")


def _table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    for line in [headers, *rows]:
        print("   " + "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                                for i, (cell, w) in enumerate(zip(line, widths, strict=True))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure in parts 1 and 4 (median)")
    parser.add_argument("--quick", action="store_true", help="leave out parts 3 and 4")
    parser.add_argument("--sample", action="store_true", help="only part 1, the sample build")
    parser.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                        help="before parts 1 and 2, wait up to this long for other programs to go quiet")
    args = parser.parse_args()
    print(f"Machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        wait_idle(args.wait_idle)
        sample_build(folder, args.runs)
        if args.sample:
            return
        wait_idle(args.wait_idle)
        council_run(folder, 40, 50, 36)
        if not args.quick:
            scaling(folder)
            existing(args.runs)
    print(f"\nLoad average at the end: {', '.join(f'{n:.1f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()
