"""Reports for the HTML paper's tests: the sample, the sample with hostile text in every field a
workbook gives, one with a period missing and the paper details missing, and a council-wide run."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from builders import HEADER, MONTHS, kpi_book

from kpi_excel import council, pipeline
from kpi_excel.core.model import Observation, PaperDetails, Person, Report
from kpi_excel.core.rules import rate

# Text a workbook could hold that would run or load something if it were written as markup
SCRIPT = "<script>window.pwned = 1</script>"
NAME = f'{SCRIPT} Callers "who rate" & <b>advisors</b>'
COMMENTARY = ('javascript:window.pwned = 1 <img src=x onerror="window.pwned = 1"> '
              '</style><style>body{display:none}</style> <a href="https://example.org/">link</a>')
SECTION = "</h4><iframe src=\"https://example.org/\"></iframe> Customer Services"
COMMITTEE = '<meta http-equiv="refresh" content="0; url=https://example.org/"> Committee'
HOSTILE_TEXTS = (SCRIPT, COMMENTARY, "<iframe", "<meta http-equiv")


def sample_report() -> Report:
    return pipeline.check(pipeline.sample_path())


def hostile_report() -> Report:
    """The sample with markup and script in a KPI's name, code, section and commentary, a
    proposal's name, the committee and the contacts (an email address that is a javascript: URL)."""
    report = sample_report()
    dataset = report.dataset
    first, *rest = dataset.indicators
    first = dataclasses.replace(first, name=NAME, commentary=COMMENTARY, code='CS01"><b>x</b>',
                                section=SECTION)
    details = dataclasses.replace(
        dataset.details, committee=COMMITTEE,
        author=Person(f"{SCRIPT}Author", "Role <i>", "", "+44 <b>1</b>", "javascript:window.pwned=1"),
        director=Person("Director", email='x@example.org" onmouseover="window.pwned=1'))
    proposals = (dataclasses.replace(dataset.proposals[0], name=NAME), *dataset.proposals[1:])
    return rate(dataclasses.replace(dataset, indicators=(first, *rest), details=details, proposals=proposals))


def gappy_report() -> Report:
    """The sample with two periods of its first KPI missing (a gap in its line), a KPI with no
    figure at all (no chart), no paper details given (placeholders) and a placeholder's words in
    the file's name."""
    report = sample_report()
    dataset = report.dataset
    first, second, *rest = dataset.indicators
    kept = tuple(o if i not in (3, 4) else Observation(o.period, None, o.cell, "blank")
                 for i, o in enumerate(first.observations))
    empty = tuple(Observation(o.period, None, o.cell, "blank") for o in second.observations)
    return rate(dataclasses.replace(
        dataset, indicators=(dataclasses.replace(first, observations=kept),
                             dataclasses.replace(second, observations=empty), *rest),
        details=PaperDetails(service=dataset.details.service), source="[Committee] tracker.xlsx"))


def council_run(folder: Path, out: Path) -> council.CouncilResult:
    """`council --html` on two departments' workbooks: every paper in HTML, the council-wide one
    without the indicators' pages."""
    folder.mkdir(parents=True, exist_ok=True)
    for stem, latest in (("adults", [95, 85, 70, 92]), ("children", [91, 95, 60, 81])):
        rows = [[f"{stem[:2].upper()}{n:02d}", f"{stem.title()} indicator {n}", "H", 90, 80,
                 *([85.0] * 11 + [value])] for n, value in enumerate(latest, start=1)]
        kpi_book(folder, [*HEADER, *MONTHS], *rows, name=f"{stem}.xlsx")
    return council.run(folder, out, pipeline.Options(html=True), jobs=1)
