"""Files the tool writes are ordinary files: readable by others as the user's umask allows."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from kpi_excel.outputs import write_atomically


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_written_file_follows_the_umask_not_a_private_temp_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = write_atomically(tmp_path / "out.txt", lambda tmp: tmp.write_text("x"))
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temporary file left behind
