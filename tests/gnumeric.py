"""Run Gnumeric's ssconvert for tests: a second spreadsheet engine recalculates workbooks."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def require_ssconvert() -> str:
    """ssconvert, or skip the test; under CI (CI=true) a missing Gnumeric fails instead."""
    exe = shutil.which("ssconvert")
    if exe is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Gnumeric (ssconvert) is required under CI=true: .ci/run must install it")
        pytest.skip("Gnumeric (ssconvert) is not installed")
    return exe


def recalculate(workbook: Path, out_dir: Path, *, timeout: int = 180) -> Path:
    """A copy of workbook as Gnumeric saves it after recalculating every formula (--recalc)."""
    exe = require_ssconvert()
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{workbook.stem}.xlsx"
    result = subprocess.run([exe, "--recalc", str(workbook), str(target)], capture_output=True,
                            text=True, timeout=timeout, check=False)
    if result.returncode != 0 or not target.exists():
        raise AssertionError(f"Gnumeric did not convert {workbook}: {result.stderr[-2000:]}")
    return target
