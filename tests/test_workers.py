"""Worker processes: forked or spawned, a build writes the same bytes, and a spawned worker does not
run the command's script again."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from kpi_excel import pipeline, workers


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_forked_and_spawned_workers_write_what_one_process_writes(sample: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline.build(sample, tmp_path / "one", jobs=1)
    for method in ("fork", "spawn"):
        if method == "fork" and not sys.platform.startswith("linux"):
            continue
        monkeypatch.setattr(workers, "_start_method", lambda method=method: method)
        pipeline.build(sample, tmp_path / method, jobs=2)
        assert _digests(tmp_path / method) == _digests(tmp_path / "one"), method


def test_a_spawned_worker_does_not_run_the_console_script_again(sample: Path, tmp_path: Path) -> None:
    """As the installed `kpi-excel` script runs: its code is the __main__ module."""
    marker = tmp_path / "run-again.txt"
    script = tmp_path / "kpi-excel"
    script.write_text(
        "import sys\n"
        f"if __name__ != '__main__':\n    open({str(marker)!r}, 'a').write(__name__)\n"
        "from kpi_excel import workers\n"
        "from kpi_excel.cli import main\n"
        "workers._start_method = lambda: 'spawn'\n"
        "if __name__ == '__main__':\n"
        f"    sys.argv = ['kpi-excel', 'build', {str(sample)!r}, '--out', {str(tmp_path / 'out')!r}, '-q']\n"
        "    sys.exit(main())\n", encoding="utf-8")
    subprocess.run([sys.executable, str(script)], check=True, cwd=tmp_path)
    assert (tmp_path / "out" / "scs-kpi-tracker-2019-20-paper.docx").exists()
    assert not marker.exists()
