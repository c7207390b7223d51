"""The SHA-256 of every output kpi-excel writes for a fixed set of inputs: the guard that a change
meant only to move code (a regroup, a rename) writes the same bytes.

    uv run python tests/output_hashes.py            # compare with tests/output_hashes.json
    uv run python tests/output_hashes.py --write    # record the current outputs (after a change
                                                    # that alters outputs on purpose: say why in
                                                    # the commit)

The inputs: the bundled sample (built three ways), every hostile-corpus workbook that builds,
the rated-copy cases, and a small council. The corpus is written afresh each run, stamped with the
time it was written, and outputs carry their input's SHA-256 (and the rated copy the input's own
dates): each output is hashed part by part with those replaced by placeholders, so what is
compared is everything kpi-excel wrote. The PDF (LibreOffice stamps it with the time) is left out.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
RECORDED = HERE / "output_hashes.json"
# corpus cases whose builds take tens of seconds: their outputs are those of smaller cases
SLOW_CASES = {"million_row_data_sheet", "unsized_sheet_of_300_thousand_cells", "sixteen_thousand_columns"}


_CUT_SHA = re.compile(rb"SHA-256 [0-9a-f]{1,63}(?![0-9a-f])")
_STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")


def output_digest(path: Path, source: Path) -> str:
    """An output's SHA-256, part by part, with its input's SHA-256 and dates as placeholders."""
    source_sha = hashlib.sha256(source.read_bytes()).hexdigest().encode()
    digest = hashlib.sha256()
    with zipfile.ZipFile(path) as package:
        for info in package.infolist():
            data = package.read(info).replace(source_sha, b"<input sha-256>")
            if info.filename.startswith("docProps/"):  # a long description cuts the SHA-256 short
                data = _STAMP.sub(b"<date>", _CUT_SHA.sub(b"SHA-256 <cut>", data))
            digest.update(info.filename.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def _digests(folder: Path, label: str, source: Path) -> Iterator[tuple[str, str]]:
    from kpi_excel.stamp import RECORD

    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != RECORD):
        yield f"{label}/{path.relative_to(folder).as_posix()}", output_digest(path, source)


def output_hashes(work: Path) -> dict[str, str]:
    """Build every input into work and hash what was written."""
    from corpus import CASES, write_all
    from rated_cases import write_tracker

    from kpi_excel import council, pipeline

    found: dict[str, str] = {}

    def build(source: Path, label: str, options: pipeline.Options | None = None) -> None:
        out = work / "out" / label
        pipeline.build(source, out, options or pipeline.Options())
        found.update(_digests(out, label, source))

    sample = pipeline.sample_path()
    build(sample, "sample")
    build(sample, "sample-chart-images", pipeline.Options(chart_images=True))
    build(sample, "sample-appendices", pipeline.Options(appendices_separately=True))
    cases = [c for c in CASES if c.expect.ok and c.name not in SLOW_CASES]
    for case, path in write_all(work / "corpus", cases):
        build(path, f"corpus-{case.name}")
    for macros in (False, True):
        tracker = write_tracker(work / ("tracker-macros.xlsm" if macros else "tracker.xlsx"), macros=macros)
        build(tracker, f"rated-{'macros' if macros else 'plain'}")
    folder = work / "council-in"
    folder.mkdir()
    for name in ("adults", "children"):
        shutil.copy(sample, folder / f"{name}.xlsx")
    council.run(folder, work / "out" / "council", jobs=1)
    found.update(_digests(work / "out" / "council", "council", sample))
    return dict(sorted(found.items()))


def differences(recorded: dict[str, str], now: dict[str, str]) -> list[str]:
    names = sorted(set(recorded) | set(now))
    return [f"{name}: {'missing now' if name not in now else 'new' if name not in recorded else 'changed'}"
            for name in names if recorded.get(name) != now.get(name)]


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        now = output_hashes(Path(folder))
    if "--write" in sys.argv:
        RECORDED.write_text(json.dumps(now, indent=1) + "\n")
        print(f"recorded {len(now)} outputs in {RECORDED.name}")
        return 0
    changed = differences(json.loads(RECORDED.read_text()), now)
    print("\n".join(changed) or f"all {len(now)} outputs are as recorded")
    return 1 if changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
