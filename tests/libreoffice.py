"""Run LibreOffice headless for tests: recalculate workbooks and convert papers to PDF."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest

# Forces LibreOffice to recalculate every formula when it loads an .xlsx, instead of trusting the
# results cached in the file: otherwise a test would only read back what we wrote.
_RECALC_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    """The soffice executable, or None where LibreOffice is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def require_soffice() -> str:
    """soffice, or skip the test; under CI (CI=true) a missing LibreOffice fails instead."""
    exe = soffice()
    if exe is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("LibreOffice is required under CI=true: .ci/run must install it")
        pytest.skip("LibreOffice (soffice) is not installed")
    return exe


def convert(source: Path, to: str, out_dir: Path, *, timeout: int = 180) -> Path:
    """Convert source with a private, recalculate-on-load profile; returns the new file.

    `to` is a LibreOffice filter spec such as "pdf" or "xlsx:Calc MS Excel 2007 XML".
    """
    return convert_all([source], to, out_dir, timeout=timeout)[0]


def convert_all(sources: Sequence[Path], to: str, out_dir: Path, *, timeout: int = 300) -> list[Path]:
    """Convert several files in one LibreOffice run (each run costs seconds); the new files in order.

    The sources' names (stems) must differ, since the outputs share out_dir.
    """
    exe = require_soffice()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_RECALC_PROFILE, encoding="utf-8")
        result = subprocess.run(
            [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", to, "--outdir", str(out_dir), *map(str, sources)],
            capture_output=True, text=True, timeout=timeout, check=False,
        )
    extension = to.split(":", 1)[0]
    targets = [out_dir / f"{source.stem}.{extension}" for source in sources]
    for source, target in zip(sources, targets, strict=True):
        if not target.exists():
            raise AssertionError(f"LibreOffice did not convert {source}: {result.stdout} {result.stderr}")
    return targets


def recalculate(workbook: Path, out_dir: Path) -> Path:
    """A copy of workbook as LibreOffice saves it after recalculating every formula."""
    return convert(workbook, "xlsx:Calc MS Excel 2007 XML", out_dir)


def recalculate_all(workbooks: Sequence[Path], out_dir: Path) -> list[Path]:
    """Copies of several workbooks as LibreOffice saves them after recalculating, from one run."""
    return convert_all(workbooks, "xlsx:Calc MS Excel 2007 XML", out_dir)


def to_pdf(document: Path, out_dir: Path) -> Path:
    """document (.docx or .xlsx) rendered to PDF by LibreOffice."""
    return convert(document, "pdf", out_dir)
