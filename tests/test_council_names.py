"""Council runs on directorate names that clash or that file systems refuse, through the real
command line: distinct folders on every system, every file counted, the real names in the
council-wide outputs, and counts that keep letter case after any recalculation."""

from __future__ import annotations

import hashlib
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import gnumeric
import pytest
from builders import HEADER, MONTHS, kpi_book, listed
from docx import Document
from libreoffice import recalculate
from test_council import dashboard_counts

from kpi_excel import council

LONG = "Directorate of " + "Very Long Names and Further Responsibilities " * 7  # 330 characters
NAMES = ["Finance", "finance", "Finance 2", "CON", "nul.txt", "LPT1", "Trailing dots... ", LONG,
         "Économie & Société"]
WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"{p}{n}" for p in ("com", "lpt") for n in range(10))}


Run = tuple[Path, Path, "subprocess.CompletedProcess[str]"]  # out folder, input, the finished command


def shared_workbook(folder: Path) -> Path:
    """One workbook with a Directorate column: three KPIs per directorate (Green, Amber, Red)."""
    rows = []
    for d, name in enumerate(NAMES):
        for k, latest in enumerate((95, 85, 70), start=1):
            rows.append([name, f"D{d}K{k}", f"Indicator {k} of {name[:20]}", "H", 90, 80,
                         *([85] * 11 + [latest])])
    return kpi_book(folder, ["Directorate", *HEADER, *MONTHS], *rows, name="council.xlsx")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("names")
    source = shared_workbook(root)
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    done = subprocess.run([sys.executable, "-m", "kpi_excel", "council", str(source), "--out",
                           str(root / "out"), "--jobs", "2"], capture_output=True, text=True,
                          timeout=600, check=False)
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before, "the input was changed"
    assert sorted(p.name for p in root.iterdir()) == ["council.xlsx", "out"], "a file outside --out"
    return root / "out", source, done


def test_each_directorate_gets_a_folder_every_system_can_hold(run: Run) -> None:
    out, _, done = run
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    folders = [p.name for p in out.iterdir() if p.is_dir()]
    assert len(folders) == len(NAMES)
    assert len({f.casefold() for f in folders}) == len(folders), "two folders differ only in case"
    for folder in folders:
        assert folder.split(".")[0].casefold() not in WINDOWS_DEVICES, folder
        assert not folder.endswith((".", " ")) and len(folder) <= 64, folder
        assert re.fullmatch(r"[a-z0-9-]+", folder), folder
    assert {"finance", "finance-2", "finance-3"} <= set(folders), "'Finance 2' keeps its own name"


def test_the_summary_counts_the_files_on_disk(run: Run) -> None:
    out, _, done = run
    files = listed(out, every=True)
    [written] = re.findall(r"\((\d+) files written\)", done.stdout)
    assert int(written) == len(files) == 2 * len(NAMES) + 2
    for path in files:
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None


def test_the_council_wide_paper_shows_the_real_names(run: Run) -> None:
    out, _, _ = run
    document = Document(str(out / "council-wide-paper.docx"))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for row in t.rows for c in row.cells])
    for name in NAMES:
        assert name.strip() in text, name


@pytest.mark.libreoffice
@pytest.mark.parametrize("engine", ["libreoffice"])
def test_the_counts_keep_letter_case_after_recalculation(
        run: Run, tmp_path: Path, engine: str) -> None:
    """Compared with =, Excel and LibreOffice count "Finance" and "finance" together. (The counts
    are structured references to the KPIs table, which Gnumeric does not read.)"""
    out, _, _ = run
    workbook = out / "council-wide-rag.xlsx"
    again = (recalculate(workbook, tmp_path) if engine == "libreoffice"
             else gnumeric.recalculate(workbook, tmp_path))
    for path in (workbook, again):
        counts = dashboard_counts(path)
        for name in ("Finance", "finance", "Finance 2", LONG.strip()):
            assert counts[name][:5] == [1, 1, 1, 0, 3], (path.name, name, counts[name])
        assert counts["Green"][0] == len(NAMES)


def test_folder_names_are_distinct_for_any_names() -> None:
    rng = random.Random(7)
    pieces = ["Finance", "finance", "FINANCE", "2", "-2", "con", "Nul", "lpt9", "É", ".", " ", "Ω", "-"]
    for _ in range(300):
        names = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 4)))
                 for _ in range(rng.randint(1, 12))]
        slugs = council.unique_slugs(names)
        assert len({s.casefold() for s in slugs}) == len(slugs), (names, slugs)
        assert not any(s in WINDOWS_DEVICES for s in slugs), (names, slugs)
        assert slugs == council.unique_slugs(names)  # the same names always give the same folders


def test_a_folder_of_workbooks_with_odd_file_names(tmp_path: Path) -> None:
    """Names as unzipped from a Windows archive (a Latin-1 byte, control characters), and two
    that Windows would take for one device: each is named readably and gets a folder of its own."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("caf\udce9.xlsx", "ctl\x01\x1b[31m.xlsx", "CON.xlsx", "con.xlsx"):
        kpi_book(folder, [*HEADER, *MONTHS], ["K1", "Invoices paid", "H", 90, 80, *([85] * 12)], name=name)
    done = subprocess.run([sys.executable, "-m", "kpi_excel", "council", str(folder), "--out",
                           str(tmp_path / "out")], capture_output=True, text=True, errors="replace",
                          timeout=600, check=False)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [
        "cafe", "con-directorate", "con-directorate-2", "ctl-31m"]
    document = Document(str(out / "council-wide-paper.docx"))
    text = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "café" in text and "ctl[31m" in text and "\x1b" not in text
    [written] = re.findall(r"\((\d+) files written\)", done.stdout)
    assert int(written) == len(listed(out, every=True)) == 10
