"""docs/python-api.md stays true: its Python blocks run in order, and each output block matches."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import pytest
from builders import listed

pytest.importorskip("pandas")  # a dev dependency: uv run pytest always has it

DOC = Path(__file__).resolve().parent.parent / "docs" / "python-api.md"
_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```$", re.S | re.M)


def doc_blocks() -> list[tuple[str, str, str | None]]:
    """(the section heading, the Python code, the output block after it or None), in page order."""
    text = DOC.read_text(encoding="utf-8")
    blocks = [(m.group(1), m.group(2), m.start()) for m in _BLOCK.finditer(text)]
    result = []
    for i, (lang, body, start) in enumerate(blocks):
        if lang != "python":
            continue
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        output = following[1] if following and following[0] == "text" else None
        headings = re.findall(r"^## (.+)$", text[:start], re.M)
        result.append((headings[-1] if headings else "", body, output))
    return result


def test_the_page_has_a_walk_through_with_outputs() -> None:
    blocks = doc_blocks()
    assert len(blocks) >= 8
    walk = [b for b in blocks if b[0] == "A notebook walk-through"]
    assert len(walk) >= 5 and all(output is not None for _, _, output in walk)
    code = "".join(body for _, body, _ in walk)
    for step in ("kx.check(", "to_pandas()", '"RED"' if '"RED"' in code else "AMBER",
                 "observations_to_pandas()", "kx.build("):
        assert step in code


def test_every_python_block_runs_and_prints_its_output(sample: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copyfile(sample, tmp_path / "tracker.xlsx")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__doc__"}
    for heading, body, expected in doc_blocks():
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(body, f"{DOC.name} ({heading})", "exec"), namespace)  # noqa: S102
        if expected is not None:
            got = [line.rstrip() for line in printed.getvalue().strip("\n").splitlines()]
            want = [line.rstrip() for line in expected.strip("\n").splitlines()]
            assert got == want, f"{heading}:\n{body}"
    assert (tmp_path / "out" / "tracker-rag.xlsx").is_file()


def test_the_readme_example_runs_and_rates_the_frame_as_the_report(
        sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (DOC.parent.parent / "README.md").read_text(encoding="utf-8")
    [body] = re.findall(r"^```python\n(.*?)^```$", readme.split("## Python API", 1)[1], flags=re.S | re.M)
    shutil.copyfile(sample, tmp_path / "tracker.xlsx")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__doc__"}
    exec(compile(body, "README.md (Python API)", "exec"), namespace)  # noqa: S102
    report, again, reds = namespace["report"], namespace["again"], namespace["reds"]
    assert again.summary == report.summary  # type: ignore[attr-defined]
    assert list(reds["code"]) == [r.indicator.code for r in report.kpis  # type: ignore[attr-defined]
                                  if r.rag is not None and r.rag.name == "RED"]
    assert sorted(p.name for p in listed(tmp_path / "out")) == ["tracker-paper.docx", "tracker-rag.xlsx"]


def test_every_keyword_of_the_api_is_on_the_page_and_each_listed_one_exists() -> None:
    import dataclasses
    import inspect

    import kpi_excel as kx
    from kpi_excel.core.model import PaperDetails

    offers = DOC.read_text(encoding="utf-8").split("## What it offers", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`(\w+)=", offers))
    details = {f.name for f in dataclasses.fields(PaperDetails)}
    build = set(inspect.signature(kx.build).parameters) - {"report_or_path", "out", "details"}
    assert listed <= build | details, listed - build - details
    for function in (kx.check, kx.rate, kx.build):
        keywords = {name for name, p in inspect.signature(function).parameters.items()
                    if p.kind is inspect.Parameter.KEYWORD_ONLY}
        assert all(re.search(rf"`{k}\b", offers) for k in keywords), function.__name__


def test_the_errors_section_names_every_public_error() -> None:
    import kpi_excel as kx

    errors = DOC.read_text(encoding="utf-8").split("## Errors", 1)[1]
    public = [name for name in kx.__all__ if name.endswith("Error")]
    assert all(f"`{name}`" in errors or f"`kx.{name}`" in errors for name in public), public
