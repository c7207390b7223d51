"""Ctrl+C during a real `kpi-excel build` and `council` on large generated inputs.

A terminal sends SIGINT to every process of the command (its process group); so do these tests.
Every process must stop, the command must print one line and exit 130, and no temporary or
half-written file may be left in --out.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from builders import listed

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)"),
]

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 60  # seconds: a bound against a hang, not a measure of speed


def make_inputs(out: Path, *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_council.py"), str(out), *args],
                   check=True, capture_output=True)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("interrupt")
    # large enough that the run is still under way for seconds after its first directorate is written
    make_inputs(folder / "council", "--directorates", "16", "--indicators", "60", "--months", "24")
    make_inputs(folder / "large", "--directorates", "1", "--indicators", "400", "--months", "24")
    return folder


def group_processes(group: int) -> dict[int, str]:
    """The processes of a process group that are still running (pid -> state), zombies left out."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            found[int(entry.name)] = fields[0]
    return found


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def interrupt(args: list[str], ready: Callable[[subprocess.Popen[bytes]], bool]) -> tuple[int, str, float]:
    """Run the CLI in a process group of its own, send SIGINT to the group once ready() says the
    work is under way; returns the exit code, stderr and how long until every process had stopped."""
    process = subprocess.Popen([sys.executable, "-m", "kpi_excel", *args], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + LIMIT
        while not ready(process):
            assert process.poll() is None, "the command ended before it could be interrupted"
            assert time.monotonic() < deadline, "the work never got under way"
            time.sleep(0.01)
        sent = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=LIMIT)
        while group_processes(process.pid) and time.monotonic() - sent < LIMIT:
            time.sleep(0.02)
        stopped = time.monotonic() - sent
        assert not group_processes(process.pid), "processes still running"
    finally:
        if process.poll() is None or group_processes(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.returncode, err.decode(errors="replace"), stopped


def assert_nothing_half_written(out: Path) -> None:
    files = listed(out, every=True) if out.exists() else []
    assert not [p for p in files if p.name.startswith(".")], "a temporary file was left"
    for path in files:
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None, path


def worker_started(process: subprocess.Popen[bytes]) -> bool:
    """The paper's worker process is loading: the group holds a process besides the command and
    the resource tracker that multiprocessing starts beside spawned workers."""
    others = [pid for pid in group_processes(process.pid) if pid != process.pid]
    return any(b"resource_tracker" not in _command_line(pid) for pid in others)


def _command_line(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def writing(out: Path) -> Callable[[subprocess.Popen[bytes]], bool]:
    """An output is being written: a temporary file is in the output folder."""
    return lambda _process: out.exists() and any(p.name.startswith(".") for p in out.rglob("*"))


def some_directorate_written(out: Path) -> Callable[[subprocess.Popen[bytes]], bool]:
    return lambda _process: out.exists() and any(out.glob("*/*-rag.xlsx"))


@pytest.mark.parametrize("moment", ["while the paper worker loads", "while the outputs are written"])
def test_ctrl_c_during_build(inputs: Path, tmp_path: Path, moment: str) -> None:
    source = next((inputs / "large").glob("*.xlsx"))
    before = digest(source.parent)
    out = tmp_path / "out"
    ready = worker_started if moment.startswith("while the paper") else writing(out)
    code, err, seconds = interrupt(["build", str(source), "--out", str(out)], ready)
    assert (code, err) == (130, "Interrupted.\n")
    assert not out.exists() or not listed(out, every=True), "no output without the others"
    assert digest(source.parent) == before
    print(f"build, {moment}: every process stopped {seconds:.2f} s after Ctrl+C")


@pytest.mark.parametrize("quiet", [True, False])
def test_ctrl_c_during_council(inputs: Path, tmp_path: Path, quiet: bool) -> None:
    source = inputs / "council"
    before = digest(source)
    out = tmp_path / "out"
    args = ["council", str(source), "--out", str(out)] + (["--quiet"] if quiet else [])
    code, err, seconds = interrupt(args, some_directorate_written(out))
    assert code == 130
    assert err.endswith("Interrupted.\n") and "Traceback" not in err and "Warning" not in err, err
    if quiet:
        assert err == "Interrupted.\n"
    assert_nothing_half_written(out)
    assert not (out / "council-wide-rag.xlsx").exists() or (out / "council-wide-paper.docx").exists()
    assert digest(source) == before
    print(f"council: every process stopped {seconds:.2f} s after Ctrl+C")
