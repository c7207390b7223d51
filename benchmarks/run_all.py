"""Every benchmark, each figure printed beside its floor, measured in the same run, and their ratio. Run:

    uv run python benchmarks/run_all.py [--quick | --sample] [--runs 3]

1. The sample build (RAG workbook, rated copy and paper with 31 native charts, `kpi-excel build`,
   on two processes as by default and with --jobs 1) and `kpi-excel --help`, against the lean
   floor: a Python process that imports openpyxl, XlsxWriter and python-docx with numpy and
   Pillow kept out, as the build keeps them out (kpi_excel/reader/xlsx.py). Aims: the build at
   most 2x the floor in wall time on an idle machine and 3x in CPU time; --help under 0.25 s.
   As a user's machine runs them: bytecode cached (PYTHONDONTWRITEBYTECODE unset, a warm-up run
   of each first), the jobs taking turns so a passing load falls on all alike.
2. --pdf on the sample: what `build --pdf` costs beyond `build`, against LibreOffice alone
   converting the same paper. Aim: at most the conversion plus 20 %.
3. Council-wide runs, 40 and 80 directorates x 50 indicators x 36 months (`kpi-excel council`):
   wall and CPU time, time per indicator and the peak memory of the whole process tree, against
   `check` of every workbook in one process. Aims: CPU in step with the directorates (linear),
   and the tree under 400 MB at 80.
4. How `kpi-excel build` grows with indicators (1,000 to 5,000 at 36 months) and periods (12 to
   48 months at 500 indicators): each CPU ratio beside the ratio of sizes (linear: equal), and the
   largest process's peak. Aims: 5,000 indicators at most 5.5x the CPU of 1,000, and no process
   over 1 GB.
5. benchmarks/bench_check.py, bench_workbook.py and bench_rated_copy.py, as they are.

--quick runs parts 1 to 3, --sample part 1. Every job runs as a command in a fresh process, as an
analyst runs it. Times are medians; CPU is user + system time of the job's processes, which a
busy machine barely changes, so it is the figure to compare on a shared machine: the machine and
its load average are printed with each part.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
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
# numpy and Pillow hidden as kpi_excel/reader/xlsx.py hides them while openpyxl loads
LEAN_FLOOR = [sys.executable, "-c",
              "import sys; sys.modules.update(numpy=None, PIL=None); import openpyxl, xlsxwriter, docx"]


@dataclass(frozen=True)
class Run:
    """One command's wall time, CPU time (user + system, all its processes) and peak memory."""

    wall: float
    cpu: float
    peak_mb: float  # the largest total RSS of the process tree seen (sampled every 20 ms)
    peak_bound_mb: float  # the sum of each process's own peak: the tree never used more
    largest_mb: float  # the largest process's own peak


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
    # kB on Linux: the largest process ever waited for, so it tells of this run only when it grew
    largest_child = after.ru_maxrss / 1024 if after.ru_maxrss > before.ru_maxrss else 0.0
    largest = max([largest_child, *(kb / 1024 for kb in sampler.peaks.values())])
    return Run(wall, cpu, max(sampler.peak_kb / 1024, largest_child),
               max(sampler.bound_kb / 1024, largest_child), largest)


class _MemorySampler(threading.Thread):
    """Sums VmRSS over a process and its descendants (Linux /proc) every 20 ms."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.peaks = pid, 0, {}  # type: ignore[var-annotated]
        self._done = threading.Event()

    @property
    def bound_kb(self) -> int:
        return sum(self.peaks.values())

    def run(self) -> None:
        while not self._done.is_set():
            total = 0
            for pid in _tree(self.pid):
                rss, hwm = _status_kb(pid, "VmRSS"), _status_kb(pid, "VmHWM")
                total += rss
                self.peaks[pid] = max(self.peaks.get(pid, 0), hwm)
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
    return _medians(results)


def _medians(results: Sequence[Run]) -> Run:
    return Run(*(statistics.median(getattr(r, f) for r in results) for f in Run.__dataclass_fields__))


def taking_turns(jobs: dict[str, list[str]], runs: int, env: dict[str, str] | None = None) -> dict[str, Run]:
    """Each job's medians: a warm-up run of each (bytecode compiled and cached, files in the page
    cache), then `runs` rounds in which the jobs take turns."""
    for command in jobs.values():
        run(command, env=env)
    results: dict[str, list[Run]] = {name: [] for name in jobs}
    for _ in range(runs):
        for name, command in jobs.items():
            results[name].append(run(command, env=env))
    return {name: _medians(done) for name, done in results.items()}


# --- the benchmarks -------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        names = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def load() -> str:
    return "load average " + ", ".join(f"{n:.1f}" for n in os.getloadavg())


def cached_bytecode_env() -> dict[str, str]:
    """This environment with Python writing and reading bytecode caches, as an installed tool does."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _ratio(job: float, floor: float) -> str:
    return f"{job / floor:.2f}x" if floor > 0 else "-"


def sample_build(folder: Path, runs: int) -> None:
    print(f"\n1. The sample build and --help against the lean floor; bytecode cached, medians of {runs} "
          f"runs taking turns ({load()} as it starts)")
    build = [*KPI_EXCEL, "build", str(SAMPLE), "--out", str(folder / "sample"), "-q"]
    jobs = {"lean floor": LEAN_FLOOR, "build": build, "build --jobs 1": [*build, "--jobs", "1"],
            "build --html": [*build, "--html"], "build --html --jobs 1": [*build, "--html", "--jobs", "1"],
            "--help": [*KPI_EXCEL, "--help"]}
    medians = taking_turns(jobs, runs, cached_bytecode_env())
    floor = medians.pop("lean floor")
    table = [["python -c 'import openpyxl, xlsxwriter, docx' (numpy, Pillow kept out)",
              f"{floor.wall:.3f}", f"{floor.cpu:.3f}", "", "", ""]]
    aims = {"build": "at most 2x wall (idle machine), 3x CPU", "build --jobs 1": "",
            "build --html": "", "build --html --jobs 1": "", "--help": "under 0.25 s"}
    for name, job in medians.items():
        table.append([f"kpi-excel {name} (sample)" if name != "--help" else "kpi-excel --help",
                      f"{job.wall:.3f}", f"{job.cpu:.3f}", _ratio(job.wall, floor.wall),
                      _ratio(job.cpu, floor.cpu), aims[name]])
    _table(["job", "wall s", "CPU s", "wall ratio", "CPU ratio", "aim"], table)
    rows = []
    for name in ("build", "build --jobs 1"):
        plain, html = medians[name], medians[name.replace("build", "build --html")]
        rows.append([f"kpi-excel {name.replace('build', 'build --html')} against kpi-excel {name}",
                     f"{html.wall - plain.wall:+.3f}", f"{html.cpu - plain.cpu:+.3f}",
                     f"{(html.wall / plain.wall - 1) * 100:+.1f} %",
                     f"{(html.cpu / plain.cpu - 1) * 100:+.1f} %"])
    _table(["the HTML edition", "wall s", "CPU s", "wall", "CPU"], rows)
    print("   aim: --html adds at most 15 % to the build, wall time")
    print(f"   {load()} at the end")


def pdf_cost(folder: Path, runs: int) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print("\n2. --pdf: LibreOffice is not installed; left out")
        return
    print(f"\n2. --pdf on the sample: its cost beyond `build`, against LibreOffice converting the same "
          f"paper alone; medians of {runs} runs taking turns ({load()} as it starts)")
    env = cached_bytecode_env()
    pictures = folder / "pictures"
    run([*KPI_EXCEL, "build", str(SAMPLE), "--out", str(pictures), "-q", "--chart-images"], env=env)
    paper = next(pictures.glob("*-paper.docx"))
    from kpi_excel.paper.pdf import pdf_filter

    build = [*KPI_EXCEL, "build", str(SAMPLE), "-q"]
    jobs = {"build": [*build, "--out", str(folder / "no-pdf")],
            "build --pdf": [*build, "--out", str(folder / "pdf"), "--pdf"],
            # the paper LibreOffice is given (the same drawings, as pictures: paper/pdf_pictures.py),
            # converted as kpi-excel converts it, with a new profile each time (paper/pdf.py)
            "soffice": ["sh", "-c", 'rm -rf "$1" && exec "$2" "-env:UserInstallation=file://$1" --headless '
                        '--norestore --convert-to "$3" --outdir "$4" "$5"', "sh", str(folder / "lo-profile"),
                        soffice, pdf_filter(), str(folder / "lo"), str(paper)]}
    medians = taking_turns(jobs, runs, env)
    extra = Run(*(getattr(medians["build --pdf"], f) - getattr(medians["build"], f)
                  for f in Run.__dataclass_fields__))
    floor = medians["soffice"]
    _table(["job", "wall s", "CPU s", "wall ratio", "CPU ratio", "aim"], [
        ["LibreOffice converting the paper (floor)", f"{floor.wall:.2f}", f"{floor.cpu:.2f}", "", "", ""],
        ["kpi-excel build --pdf minus build", f"{extra.wall:.2f}", f"{extra.cpu:.2f}",
         _ratio(extra.wall, floor.wall), _ratio(extra.cpu, floor.cpu), "at most 1.2x"],
    ])


def council_run(folder: Path, sizes: Sequence[int], indicators: int, months: int) -> None:
    print(f"\n3. Council-wide runs: directorates x {indicators} indicators x {months} months ({load()} as "
          "it starts)")
    rows, first = [], None
    for directorates in sizes:
        inputs = folder / f"council-in-{directorates}"
        make_council.write_folder(inputs, directorates, indicators, months)
        books = sorted(inputs.glob("*.xlsx"))
        floor = run([sys.executable, "-c", "import sys\nfrom pathlib import Path\nfrom kpi_excel import api\n"
                     "for p in sys.argv[1:]: api.check(Path(p))", *map(str, books)])
        out = folder / f"council-out-{directorates}"
        job = run([*KPI_EXCEL, "council", str(inputs), "--out", str(out), "-q"])
        total = directorates * indicators
        first = first or (directorates, job)
        rows.append([f"{directorates} directorates ({total:,} indicators)", f"{floor.cpu:.1f}",
                     f"{job.wall:.1f}", f"{job.cpu:.1f}", _ratio(job.cpu, floor.cpu),
                     f"{job.cpu / total * 1000:.2f}", f"{directorates / first[0]:.2f}",
                     _ratio(job.cpu, first[1].cpu), f"{job.peak_mb:.0f} (at most {job.peak_bound_mb:.0f})"])
    _table(["council", "floor CPU s", "wall s", "CPU s", "CPU ratio", "CPU ms per indicator", "size ratio",
            "CPU growth", "peak MB (tree)"], rows)
    print("   floor: `check` of every workbook in one process. Aims: CPU growth equal to the size ratio, "
          "and the tree under 400 MB at 80 directorates")
    print(f"   {load()} at the end")


def scaling(folder: Path) -> None:
    print(f"\n4. How `kpi-excel build` grows (one department's workbook; each ratio against the first row "
          f"of its group; {load()} as it starts)")
    cases = [(n, 36) for n in (1_000, 2_000, 5_000)] + [(500, m) for m in (12, 24, 36, 48)]
    rows, base = [], None
    for n, months in cases:
        path = make_council.write_directorate(folder / f"scale-{n}x{months}.xlsx", 0, n, months)
        job = run([*KPI_EXCEL, "build", str(path), "--out", str(folder / "scale-out"), "-q"])
        size = n * months
        if base is None or (n, months) == (500, 12):
            base = (size, job)
            rows.append(["", "", "", "", "", "", ""])
        rows.append([f"{n:,} x {months}", f"{job.wall:.1f}", f"{job.cpu:.1f}", f"{job.largest_mb:.0f}",
                     f"{job.cpu / n * 1000:.1f}", f"{size / base[0]:.2f}", _ratio(job.cpu, base[1].cpu)])
    _table(["indicators x months", "wall s", "CPU s", "largest process MB", "CPU ms per indicator",
            "size ratio", "CPU ratio"], rows[1:])
    print("   Aims: 5,000 indicators at most 5.5x the CPU of 1,000; no process over 1 GB. Above 250 "
          "indicators the workbook holds a note instead of a chart per indicator; the paper keeps one.")
    print(f"   {load()} at the end")


def existing(runs: int) -> None:
    for script in ("bench_check.py", "bench_workbook.py", "bench_rated_copy.py"):
        if (HERE / script).exists():
            print(f"\n5. benchmarks/{script} ({load()} as it starts)")
            sys.stdout.flush()
            subprocess.run([sys.executable, str(HERE / script), "--runs", str(runs)], check=True,
                           env=cached_bytecode_env())


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
    parser.add_argument("--runs", type=int, default=3, help="runs per figure in parts 1, 2 and 5 (median)")
    parser.add_argument("--quick", action="store_true", help="leave out parts 4 and 5")
    parser.add_argument("--sample", action="store_true", help="only part 1, the sample build")
    parser.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                        help="before parts 1 to 3, wait up to this long for other programs to go quiet")
    args = parser.parse_args()
    print(f"Machine: {machine()}; {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        wait_idle(args.wait_idle)
        sample_build(folder, args.runs)
        if args.sample:
            return
        wait_idle(args.wait_idle)
        pdf_cost(folder, args.runs)
        wait_idle(args.wait_idle)
        council_run(folder, (40, 80), 50, 36)
        if not args.quick:
            scaling(folder)
            existing(args.runs)
    print(f"\n{load()} at the end")


if __name__ == "__main__":
    main()
