"""Files that are not plain .xlsx workbooks, made by a real spreadsheet program: each is read, or
refused with one line naming what it is and how to save it as an .xlsx."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from builders import listed
from corpus import strict_copy
from libreoffice import convert_all

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kpi_excel", *map(str, args)], capture_output=True,
                          text=True, check=False)


def ratings(run: subprocess.CompletedProcess[str]) -> list[dict[str, object]]:
    assert run.returncode == 0, run.stderr
    kpis: list[dict[str, object]] = json.loads(run.stdout)["kpis"]
    return kpis


@pytest.fixture(scope="module")
def saved_by_libreoffice(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample saved by LibreOffice as Excel 97-2003 (.xls) and as OpenDocument (.ods), and its
    Strict Open XML copy saved back as an ordinary .xlsx (so LibreOffice read it)."""
    from conftest import SAMPLE

    folder = tmp_path_factory.mktemp("kinds")
    strict = folder / "strict.xlsx"
    strict_copy(SAMPLE, strict)
    xls, ods = convert_all([SAMPLE], "xls", folder)[0], convert_all([SAMPLE], "ods", folder)[0]
    resaved = convert_all([strict], "xlsx:Calc MS Excel 2007 XML", folder / "resaved")[0]
    return {"xls": xls, "ods": ods, "strict": strict, "strict-resaved": resaved}


@pytest.mark.parametrize(("kind", "words"), [
    ("xls", "legacy .xls workbook (Excel 97-2003)"),
    ("ods", "OpenDocument spreadsheet (.ods)"),
])
def test_other_formats_are_named_with_how_to_save_as_xlsx(saved_by_libreoffice: dict[str, Path],
                                                           tmp_path: Path, kind: str, words: str) -> None:
    renamed = tmp_path / "tracker.xlsx"
    shutil.copy(saved_by_libreoffice[kind], renamed)
    for path in (saved_by_libreoffice[kind], renamed):
        run = cli("check", path)
        assert run.returncode == 1 and run.stdout == "", run.stderr
        assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
        assert run.stderr.startswith(f"{path}: this is ") and words in run.stderr, run.stderr
        assert ".xlsx" in run.stderr.rpartition(". ")[2], "the advice says how to save as .xlsx"


def test_a_strict_open_xml_workbook_is_read_like_the_original(saved_by_libreoffice: dict[str, Path]) -> None:
    """The Strict copy rates as the sample does, and as LibreOffice's reading of that copy does."""
    from conftest import SAMPLE

    original = ratings(cli("check", SAMPLE, "--json"))
    assert len(original) > 20
    assert ratings(cli("check", saved_by_libreoffice["strict"], "--json")) == original
    assert ratings(cli("check", saved_by_libreoffice["strict-resaved"], "--json")) == original


def test_a_strict_open_xml_workbook_builds(saved_by_libreoffice: dict[str, Path], tmp_path: Path) -> None:
    run = cli("build", saved_by_libreoffice["strict"], "--out", tmp_path / "out", "--quiet")
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in listed(tmp_path / "out")) == ["strict-paper.docx", "strict-rag.xlsx"]
