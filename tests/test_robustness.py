"""Every broken or hostile workbook of the corpus through the real command line.

Each case must give either a result (exit 0, with the warning it deserves) or exactly one line on
stderr naming the file (and the sheet!cell when there is one), saying what is wrong and what to do,
with exit 1 and no traceback. Either way the input is left byte-identical, the output folder holds
nothing half-written, and the run ends within a time limit and a memory limit.

The runs go in parallel, one process per command, before the per-case tests look at them
(about 140 CPU-seconds in all: marked slow, `-m "not slow"` leaves them out).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from builders import listed
from corpus import (
    CASES,
    PWNED,
    TEMPLATE_CASES,
    Case,
    Expect,
    TemplateCase,
    crafted_zip,
    deflate_repeated,
    kpi_book,
    table,
    write_all,
)
from corpus_wild import LIVE_TEMPLATE_CASES, MARKERS, LiveTemplateCase
from live_content import assert_nothing_live

from kpi_excel.stamp import RECORD

TIMEOUT = 90  # seconds; the tool needs a few, a loaded CI runner many more
MEMORY_LIMIT = 1536 * 2**20  # address space a run may use; the largest reach about 150 MB resident
OUTPUTS = ("-rag.xlsx", "-paper.docx")

# Runs the CLI exactly as `python -m kpi_excel ...` does, after capping the address space (set
# here, in the child, rather than by preexec_fn, which is unsafe when the parent has threads)
# and arranging for the peak resident size to be written to a file at exit.
_LIMITED = """
import atexit, runpy, sys
limit, rss_file = int(sys.argv[1]), sys.argv[2]
try:
    import resource
except ImportError:  # Windows: no limit, no measure
    pass
else:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    atexit.register(lambda: open(rss_file, "w").write(str(peak())))
sys.argv = ["kpi_excel", *sys.argv[3:]]
runpy.run_module("kpi_excel", run_name="__main__", alter_sys=True)
"""


@dataclass(frozen=True)
class Run:
    """One finished command: exit code (None when it was killed at the time limit) and output."""

    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float


@dataclass(frozen=True)
class Outcome:
    """What check and build did with one corpus file."""

    case: Case
    path: Path
    sha_before: str
    sha_after: str
    check: Run
    build: Run
    out: Path


@dataclass(frozen=True)
class TemplateOutcome:
    """What build did with a good workbook and one hostile or broken paper template."""

    case: TemplateCase
    path: Path
    build: Run
    out: Path


@dataclass(frozen=True)
class LiveTemplateOutcome:
    """What build did with a good workbook and a template carrying live content (macros, links,
    fields that fetch): it must succeed, leaving that content out, and say so."""

    case: LiveTemplateCase
    path: Path
    build: Run
    out: Path


@dataclass(frozen=True)
class Outcomes:
    workbooks: dict[str, Outcome]
    templates: dict[str, TemplateOutcome]
    root: Path
    good_sha256: str  # the input every template case builds, before the runs
    live_templates: dict[str, LiveTemplateOutcome]


def child_env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    # bytecode is cached under the test folder so only the first runs pay for compiling modules
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
    return env


def run_cli(args: list[str], *, cwd: Path, env: dict[str, str], tag: str) -> Run:
    rss_file = cwd / f".rss-{tag}"
    command = [sys.executable, "-c", _LIMITED, str(MEMORY_LIMIT), str(rss_file), *args]
    start = time.monotonic()
    # a process group of its own, so a run that times out is killed with every process it started
    # (the paper's worker, council's workers, LibreOffice), not just the first
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, encoding="utf-8", errors="replace", start_new_session=True)
    code: int | None
    try:
        out, err = process.communicate(timeout=TIMEOUT)
        code = process.returncode
    except subprocess.TimeoutExpired:
        kill_group(process)
        out, err = process.communicate()
        code = None
    finally:
        kill_group(process)  # anything it left running
    seconds = time.monotonic() - start
    peak = int(rss_file.read_text()) / 1024 if rss_file.exists() else float("nan")
    return Run(code, out, err, seconds, peak)


def kill_group(process: subprocess.Popen[str]) -> None:
    """Kill a process and every process in its group (all it started, however deep)."""
    if hasattr(os, "killpg"):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    else:  # Windows: no process groups to signal
        process.kill()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Outcomes:
    """Write the corpus, run check and build on every file at once, and collect what happened."""
    root = tmp_path_factory.mktemp("robustness")
    written = list(write_all(root / "in"))
    before = {case.name: sha256(path) for case, path in written}
    good = root / "in" / "good.xlsx"
    kpi_book(good, table())
    good_before = sha256(good)
    templates = {case.name: case.write(root / "in") for case in TEMPLATE_CASES}
    live = {case.name: case.write(root / "in") for case in LIVE_TEMPLATE_CASES}
    jobs: dict[tuple[str, str], list[str]] = {}
    for case, path in written:
        jobs[(case.name, "check")] = ["check", str(path)]
        jobs[(case.name, "build")] = ["build", str(path), "--out", str(root / "out" / case.name)]
    for name, template in {**templates, **live}.items():
        jobs[(name, "template")] = ["build", str(good), "--template", str(template),
                                    "--out", str(root / "out" / name)]
    # the slowest first, so they do not finish last
    order = sorted(jobs, key=lambda job: (not job[0].startswith(("million", "kpi_sheet")), job[1] == "check"))
    env = child_env(root)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        futures = {job: pool.submit(run_cli, jobs[job], cwd=root, env=env, tag=f"{job[0]}-{job[1]}")
                   for job in order}
        runs = {job: future.result() for job, future in futures.items()}
    return Outcomes(
        {case.name: Outcome(case, path, before[case.name], sha256(path), runs[(case.name, "check")],
                            runs[(case.name, "build")], root / "out" / case.name) for case, path in written},
        {case.name: TemplateOutcome(case, templates[case.name], runs[(case.name, "template")],
                                    root / "out" / case.name) for case in TEMPLATE_CASES},
        root,
        good_before,
        {case.name: LiveTemplateOutcome(case, live[case.name], runs[(case.name, "template")],
                                        root / "out" / case.name) for case in LIVE_TEMPLATE_CASES},
    )


CASE_IDS = [case.name for case in CASES]


def test_the_corpus_is_large_and_names_are_unique() -> None:
    assert len(CASES) >= 40
    assert len(set(CASE_IDS)) == len(CASE_IDS)
    assert {c.expect.ok for c in CASES} == {True, False}


def assert_clean_error(run: Run, path: Path, expect: Expect) -> str:
    """Exit 1 and one line: the file, the place, what is wrong, what to do; never a traceback."""
    assert run.returncode == 1, f"exit {run.returncode}; stderr: {run.stderr[-2000:]}"
    assert "Traceback" not in run.stderr, run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got: {run.stderr!r}"
    line = lines[0]
    assert line.startswith(str(path) + ": "), line
    if expect.where:
        assert f": {expect.where}: " in line, line
    for word in expect.words:
        assert word.lower() in line.lower(), f"{word!r} not in {line!r}"
    problem, _, fix = line.rpartition(". ")
    assert problem and fix, f"no advice after the problem: {line!r}"
    assert expect.fix.lower() in fix.lower(), f"advice {fix!r} lacks {expect.fix!r}"
    return line


@pytest.mark.slow
@pytest.mark.parametrize("name", CASE_IDS)
def test_check(name: str, outcomes: Outcomes) -> None:
    outcome = outcomes.workbooks[name]
    run = outcome.check
    if not outcome.case.expect.ok:
        assert_clean_error(run, outcome.path, outcome.case.expect)
        assert run.stdout == ""
        return
    assert run.returncode == 0, f"exit {run.returncode}: {run.stderr[-2000:]}"
    assert run.stderr == ""
    for word in outcome.case.expect.words:
        assert word.lower() in run.stdout.lower(), f"{word!r} not in the check output:\n{run.stdout}"


@pytest.mark.slow
@pytest.mark.parametrize("name", CASE_IDS)
def test_build(name: str, outcomes: Outcomes) -> None:
    outcome = outcomes.workbooks[name]
    run = outcome.build
    if not outcome.case.expect.ok:
        line = assert_clean_error(run, outcome.path, outcome.case.expect)
        assert line == assert_clean_error(outcome.check, outcome.path, outcome.case.expect), (
            "build and check disagree")
        assert not outcome.out.exists() or not list(outcome.out.iterdir()), "a failed build left files"
        return
    assert run.returncode == 0, f"exit {run.returncode}: {run.stderr[-2000:]}"
    assert "Traceback" not in run.stderr
    assert "Warning" not in run.stderr, f"a library's warning leaked: {run.stderr[-2000:]}"
    stem = outcome.path.stem
    written = sorted(p.name for p in outcome.out.iterdir() if p.name != RECORD)
    rated = [name for name in written if name.startswith(stem + "-rated.")]
    assert sorted(set(written) - set(rated)) == sorted(stem + s for s in OUTPUTS), (
        "the output folder holds exactly the outputs: no temporary files")
    for name in rated:  # the department's workbook, rated where it could be edited safely
        _assert_well_formed(outcome.out / name)
    outputs = {suffix: _parts(outcome.out / (stem + suffix)) for suffix in OUTPUTS}
    outputs.update({name.removeprefix(stem): _parts(outcome.out / name) for name in rated})
    for check in outcome.case.output_checks:
        check(outputs)
    assert_nothing_live(outputs)  # every XML part of the RAG workbook and the paper


def _assert_well_formed(path: Path) -> None:
    """Every XML part of a package parses."""
    from xml.etree.ElementTree import fromstring

    for name, data in _parts(path).items():
        if name.endswith((".xml", ".rels")):
            fromstring(data)


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.slow
@pytest.mark.parametrize("name", CASE_IDS)
def test_input_is_left_byte_identical(name: str, outcomes: Outcomes) -> None:
    outcome = outcomes.workbooks[name]
    assert outcome.sha_after == outcome.sha_before


@pytest.mark.slow
@pytest.mark.parametrize("name", CASE_IDS)
def test_time_and_memory_are_bounded(name: str, outcomes: Outcomes) -> None:
    for run in (outcomes.workbooks[name].check, outcomes.workbooks[name].build):
        assert run.returncode is not None, f"still running after {TIMEOUT} s"
        assert run.returncode >= 0, f"killed by signal {-run.returncode}"
        assert "MemoryError" not in run.stderr and "Cannot allocate memory" not in run.stderr
        assert not run.peak_mb >= 1024, f"{run.peak_mb:.0f} MB resident"  # NaN where unmeasured


@pytest.mark.slow
def test_nothing_escaped_the_folders_it_was_given(outcomes: Outcomes) -> None:
    """A zip member named ../../x is never unpacked anywhere."""
    assert not (outcomes.root.parent / "kpi-excel-evil.txt").exists()
    assert not Path("/tmp/kpi-excel-evil").exists()


@pytest.mark.slow
@pytest.mark.parametrize("name", [case.name for case in TEMPLATE_CASES])
def test_a_hostile_or_broken_template_is_refused_naming_its_tag(name: str, outcomes: Outcomes) -> None:
    outcome = outcomes.templates[name]
    assert_clean_error(outcome.build, outcome.path, outcome.case.expect)
    assert not outcome.out.exists() or not list(outcome.out.iterdir()), "no workbook without its paper"
    assert not list(outcomes.root.rglob(PWNED)), "a tag ran a command"
    assert outcome.build.returncode is not None and outcome.build.seconds < TIMEOUT
    assert sha256(outcomes.root / "in" / "good.xlsx") == outcomes.good_sha256, "a tag changed the input"


@pytest.mark.slow
@pytest.mark.parametrize("name", [case.name for case in LIVE_TEMPLATE_CASES])
def test_live_content_in_a_template_is_left_out_of_the_paper_with_a_warning(name: str,
                                                                          outcomes: Outcomes) -> None:
    outcome = outcomes.live_templates[name]
    run = outcome.build
    assert run.returncode == 0, f"exit {run.returncode}: {run.stderr[-2000:]}"
    assert run.stderr == ""
    said = [line for line in run.stdout.splitlines() if line.startswith("Warning: left out of the paper: ")]
    assert said, run.stdout
    for word in outcome.case.words:
        assert any(word in line for line in said), f"{word!r} not in {said}"
    outputs = {p.name.removeprefix("good"): _parts(p) for p in outcome.out.iterdir() if p.name != RECORD}
    assert set(outputs) == {"-rag.xlsx", "-rated.xlsx", "-paper.docx"}
    assert_nothing_live(outputs, rated_too=True)
    everything = b"".join(data for parts in outputs.values() for data in parts.values())
    reached = [m for m in MARKERS if m.encode() in everything]
    assert not reached, f"the template's live content reached an output: {reached}"
    assert sha256(outcomes.root / "in" / "good.xlsx") == outcomes.good_sha256


# --- the crafted files are what they claim -----------------------------------------------------


def test_crafted_deflate_streams_unpack_to_what_they_claim(tmp_path: Path) -> None:
    data, crc, size = deflate_repeated(b"ab" * 512, 7, head=b"<x>", tail=b"</x>")
    crafted_zip(tmp_path / "a.zip", [("a.xml", data, crc, size, 0)])
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        assert archive.read("a.xml") == b"<x>" + b"ab" * 512 * 7 + b"</x>"


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="no process groups")
def test_a_timed_out_run_is_killed_with_every_process_it_started(tmp_path: Path) -> None:
    """What the runner does at its time limit: a grandchild dies with the command."""
    pid_file = tmp_path / "grandchild"
    script = ("import subprocess, sys, time; p = subprocess.Popen([sys.executable, '-c', "
              "'import time; time.sleep(600)']); open(sys.argv[1], 'w').write(str(p.pid)); time.sleep(600)")
    process = subprocess.Popen([sys.executable, "-c", script, str(pid_file)], text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    while not pid_file.exists() or not pid_file.read_text():
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        time.sleep(0.01)
    grandchild = int(pid_file.read_text())
    kill_group(process)
    process.communicate()
    assert process.returncode == -signal.SIGKILL
    for _ in range(500):  # the grandchild is killed at once, then reaped by init
        try:
            os.kill(grandchild, 0)
            state = Path(f"/proc/{grandchild}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (ProcessLookupError, FileNotFoundError):
            return
        if state == "Z":
            return
        time.sleep(0.01)
    pytest.fail("the grandchild outlived the command")


# --- --debug ----------------------------------------------------------------------------------


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "empty.xlsx"
    bad.write_bytes(b"")
    run = run_cli(["check", str(bad), "--debug"], cwd=tmp_path, env=child_env(tmp_path), tag="debug")
    assert run.returncode not in (0, None)
    assert "Traceback" in run.stderr and "UnreadableWorkbookError" in run.stderr


# --- safe outputs -----------------------------------------------------------------------------


def build(tmp_path: Path, source: Path, out: Path) -> Run:
    return run_cli(["build", str(source), "--out", str(out)], cwd=tmp_path, env=child_env(tmp_path),
                   tag="build")


def one_line(run: Run) -> str:
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    return lines[0]


def test_paths_with_spaces_and_accents_and_a_missing_out_folder(tmp_path: Path) -> None:
    source = tmp_path / "Données du département" / "KPI tracker – 2019 (final) ü.xlsx"
    source.parent.mkdir()
    kpi_book(source, table())
    out = tmp_path / "sortie finale" / "über Ordner" / "März"
    run = build(tmp_path, source, out)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in listed(out)) == [
        "KPI tracker – 2019 (final) ü-paper.docx", "KPI tracker – 2019 (final) ü-rag.xlsx",
        "KPI tracker – 2019 (final) ü-rated.xlsx"]
    assert str(out / "KPI tracker – 2019 (final) ü-rag.xlsx") in run.stdout


def test_outputs_are_readable_by_others_as_usual(tmp_path: Path) -> None:
    """Temporary files are private while written; the outputs get the usual permissions."""
    source = tmp_path / "tracker.xlsx"
    kpi_book(source, table())
    assert build(tmp_path, source, tmp_path / "out").returncode == 0
    mask = os.umask(0)
    os.umask(mask)
    for path in (tmp_path / "out").iterdir():
        assert path.stat().st_mode & 0o777 == 0o666 & ~mask, path


def test_a_folder_with_an_outputs_name_stops_the_build_before_anything_is_written(tmp_path: Path) -> None:
    source = tmp_path / "tracker.xlsx"
    kpi_book(source, table())
    out = tmp_path / "out"
    (out / "tracker-rag.xlsx").mkdir(parents=True)
    line = one_line(build(tmp_path, source, out))
    assert line.startswith(f"{out / 'tracker-rag.xlsx'}: a folder has the name this output needs. ")
    assert sorted(p.name for p in out.iterdir()) == ["tracker-rag.xlsx"], "no paper, no temporary file"


def test_out_naming_a_file_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "tracker.xlsx"
    kpi_book(source, table())
    (tmp_path / "notes.txt").write_text("keep me")
    line = one_line(build(tmp_path, source, tmp_path / "notes.txt"))
    assert line.startswith(f"{tmp_path / 'notes.txt'}: this is a file, not a folder. ")
    assert (tmp_path / "notes.txt").read_text() == "keep me"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="permissions do not stop root from writing")
def test_a_read_only_out_folder_is_named(tmp_path: Path) -> None:
    source = tmp_path / "tracker.xlsx"
    kpi_book(source, table())
    out = tmp_path / "locked"
    out.mkdir()
    out.chmod(0o555)
    try:
        line = one_line(build(tmp_path, source, out))
    finally:
        out.chmod(0o755)
    assert line.startswith(f"{out}: cannot write here") and "another --out folder" in line
    assert list(out.iterdir()) == []


@pytest.mark.skipif(os.name != "posix", reason="making a symbolic link needs privileges on Windows")
def test_the_input_is_never_overwritten_even_through_a_link(tmp_path: Path) -> None:
    source = tmp_path / "tracker.xlsx"
    kpi_book(source, table())
    before = sha256(source)
    out = tmp_path / "out"
    out.mkdir()
    (out / "tracker-rag.xlsx").symlink_to(source)
    line = one_line(build(tmp_path, source, out))
    assert "would overwrite the input workbook" in line
    assert sha256(source) == before


def test_a_locked_output_is_named_and_the_old_outputs_are_kept(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """As when Excel holds the old RAG workbook open on Windows: the rename is refused."""
    from kpi_excel import outputs, pipeline
    from kpi_excel.errors import OutputError

    source = tmp_path / "tracker.xlsx"
    kpi_book(source, table())
    out = tmp_path / "out"
    pipeline.build(source, out, pipeline.Options(rated_copy=False))  # last month's outputs
    last_month = {p.name: p.read_bytes() for p in listed(out)}
    kpi_book(source, table()[:-1])  # this month's tracker differs
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(dst).name == "tracker-rag.xlsx":
            raise PermissionError(13, "The process cannot access the file")
        real_replace(src, dst)

    monkeypatch.setattr(outputs.os, "replace", replace)
    with pytest.raises(OutputError) as raised:
        pipeline.build(source, out, pipeline.Options(rated_copy=False))
    assert raised.value.line().startswith(f"{out / 'tracker-rag.xlsx'}: cannot replace this file: it is "
                                          "open in another program")
    assert "Close it" in raised.value.line()
    assert {p.name: p.read_bytes() for p in listed(out)} == last_month


def test_a_failed_write_leaves_neither_target_nor_temporary_file(tmp_path: Path) -> None:
    from kpi_excel.outputs import write_atomically

    def half_then_fail(tmp: Path) -> None:
        tmp.write_bytes(b"half a workbook")
        raise RuntimeError("the writer broke")

    with pytest.raises(RuntimeError):
        write_atomically(tmp_path / "report.xlsx", half_then_fail)
    assert list(tmp_path.iterdir()) == []


def test_a_failing_paper_leaves_no_workbook_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Outputs are moved into place together: a paper that fails takes the workbook with it."""
    from kpi_excel import paper, pipeline
    from kpi_excel.errors import TemplateError

    def broken(*_args: object, **_kwargs: object) -> bytes:
        raise TemplateError("the tag {{ kpi.nmae }} names nothing we provide")

    monkeypatch.setattr(paper, "render_paper", broken)
    source = tmp_path / "tracker.xlsx"
    kpi_book(source, table())
    with pytest.raises(TemplateError):
        pipeline.build(source, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_a_file_name_too_long_for_its_outputs_names_is_cut_to_fit(tmp_path: Path) -> None:
    """A legal 250-character name: '-appendix-1.docx' after it would pass the 255-byte limit."""
    source = tmp_path / ("Quarterly KPI return, " + "é" * 5 + "n" * 218 + ".xlsx")
    assert len(source.name) == 250 and len(source.name.encode()) == 255
    kpi_book(source, table())
    out = tmp_path / "out"
    run = run_cli(["build", str(source), "--out", str(out), "--appendices-separately"], cwd=tmp_path,
                  env=child_env(tmp_path), tag="long")
    assert run.returncode == 0, run.stderr
    names = sorted(p.name for p in listed(out))
    assert [n.rsplit("-", 1)[-1] for n in names] == ["1.docx", "paper.docx", "rag.xlsx", "rated.xlsx"]
    for name in names:
        assert len(name.encode()) <= 255 and name.startswith("Quarterly KPI return, éé"), name


def test_an_error_about_a_file_whose_name_holds_control_characters_is_one_line(tmp_path: Path) -> None:
    """A line break or a terminal escape in a file name (legal on Linux and macOS) is shown as
    \\x0a or \\x1b, so the message stays one line and cannot restyle the terminal."""
    source = tmp_path / "empty\nreturn\x1b[2J \udce9.xlsx"
    source.write_bytes(b"")
    run = run_cli(["check", str(source)], cwd=tmp_path, env=child_env(tmp_path), tag="ctl")
    line = one_line(run)
    assert line.startswith(f"{tmp_path}/empty\\x0areturn\\x1b[2J \\xe9.xlsx: the file is empty"), line
