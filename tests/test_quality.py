"""Data-quality warnings: commentary that contradicts the data is caught, and the sample stays quiet."""

from __future__ import annotations

import dataclasses
import datetime as dt
import warnings
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_excel import pipeline
from kpi_excel.core.commentary import commentary_warnings
from kpi_excel.core.model import (
    Dataset,
    Indicator,
    KpiType,
    Observation,
    Period,
    PeriodKind,
    Polarity,
    RagMethod,
    Rating,
    RuleSettings,
    Warning_,
)
from kpi_excel.core.quality import quality_warnings as all_warnings
from kpi_excel.core.rules import rate
from kpi_excel.core.values import frequency_months
from kpi_excel.workbook import write_workbook

MONTHS = [Period(dt.date(2019 + (m < 4), m, 1)) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


def open_book(path: Path) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl does not read sparklines and says so
        return openpyxl.load_workbook(path)


def about_commentary(found: list[Warning_] | tuple[Warning_, ...]) -> list[Warning_]:
    return [w for w in found if "commentary" in w.message]


# --- the sample and the committee officer's example ----------------------------------------------


def test_the_sample_commentary_raises_no_warning() -> None:
    assert about_commentary(pipeline.check(pipeline.sample_path()).warnings) == []


@pytest.fixture(scope="module")
def march_corrected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with GL02's March figure corrected to 93% (Green) and its commentary left as it was."""
    book = open_book(pipeline.sample_path())
    ws = book["KPIs"]
    report = pipeline.check(pipeline.sample_path())
    gl02 = next(r for r in report.kpis if r.indicator.code == "GL02")
    march = gl02.indicator.observations[-1]
    assert march.period.label == "Mar-20" and march.value == 0.89
    ws[march.cell.split("!")[1]] = 0.93
    path = tmp_path_factory.mktemp("corrected") / "corrected.xlsx"
    book.save(path)
    return path


def test_a_corrected_figure_flags_the_commentary_written_for_the_old_one(march_corrected: Path) -> None:
    report = pipeline.check(march_corrected)
    gl02 = next(r for r in report.kpis if r.indicator.code == "GL02")
    assert gl02.rag is not None and gl02.rag.word == "Green"
    flagged = about_commentary(report.warnings)
    assert {w.where for w in flagged} == {gl02.indicator.commentary_cell}
    messages = " ".join(w.message for w in flagged)
    assert "'89.0% in March'" in messages and "93.0%" in messages
    assert "below the 90% floor standard" in messages and "rated Green" in messages
    # the cell named is the one holding the commentary in the department's own workbook
    sheet, cell = gl02.indicator.commentary_cell.split("!")
    assert open_book(march_corrected)[sheet][cell].value.startswith("89.0% in March, below the 90% floor")


def test_the_workbook_warnings_sheet_lists_the_commentary_warning(march_corrected: Path,
                                                                  tmp_path: Path) -> None:
    report = pipeline.check(march_corrected)
    path = tmp_path / "rag.xlsx"
    write_workbook(report, path)
    texts = [str(c.value) for row in open_book(path)["Warnings"].iter_rows() for c in row if c.value]
    gl02 = next(r for r in report.kpis if r.indicator.code == "GL02")
    assert gl02.indicator.commentary_cell in texts
    assert any("'89.0% in March'" in t for t in texts)


# --- the rule on its own -----------------------------------------------------------------------


def rated(commentary: str, values: list[float | None], target: float | None = 0.9, floor: float | None = 0.8,
          polarity: Polarity = Polarity.HIGHER, is_percent: bool = True, kind: KpiType = KpiType.KPI,
          periods: list[Period] | None = None, method: RagMethod = RagMethod.FLOOR) -> Rating:
    periods = periods or MONTHS[-len(values):]
    ind = Indicator("Rent collected", "H1", type=kind, polarity=polarity, target=target, floor=floor,
                    is_percent=is_percent, number_format="0.0%" if is_percent else "General",
                    commentary=commentary, commentary_cell="KPIs!S9", sheet="KPIs", row=9,
                    observations=tuple(Observation(p, v) for p, v in zip(periods, values, strict=True)))
    return rate(Dataset("t.xlsx", "0", (ind,), tuple(periods), settings=RuleSettings(rag_method=method))
                ).ratings[0]


def warned(rating: Rating, method: RagMethod = RagMethod.FLOOR) -> list[str]:
    found = list(commentary_warnings(rating, method))
    assert all(w.where == "KPIs!S9" for w in found)
    return [w.message for w in found]


@pytest.mark.parametrize(("commentary", "values", "fields", "says"), [
    # a Red KPI spoken of as on target
    ("Performance stayed above target all year.", [0.75, 0.70], {}, "'above target'"),
    ("Now rated Green after the review.", [0.75, 0.70], {}, "'rated Green'"),
    # a Green KPI spoken of as failing
    ("Did not achieve the floor standard this month.", [0.85, 0.95], {}, "'achieve the floor standard'"),
    ("Still below target.", [0.85, 0.95], {}, "'below target'"),
    # lower is better: above the target is the bad side
    ("Sickness was above target in March.", [0.05, 0.04],
     {"target": 0.06, "floor": 0.08, "polarity": Polarity.LOWER}, "'above target'"),
    # a figure that is not the data's
    ("92.5% in March.", [0.90, 0.95], {}, "'92.5% in March'"),
    ("1,250 calls in March 2020 against a target of 1,000.", [1300.0, 1200.0],
     {"target": 1000.0, "floor": None, "is_percent": False}, "the figure for Mar-20 is 1,200"),
    # a standard quoted that is no longer the indicator's
    ("95.0% in March, above the 85% target.", [0.9, 0.95], {}, "but the target is 90.0%"),
    # commentary written for an earlier month
    ("85.0% in February, below target.", [0.85, 0.86], {},
     "up to Feb-20, but the latest figure is for Mar-20"),
])
def test_commentary_that_contradicts_the_data_is_flagged(commentary: str, values: list[float | None],
                                                          fields: dict[str, object], says: str) -> None:
    messages = warned(rated(commentary, values, **fields))  # type: ignore[arg-type]
    assert any(says in m for m in messages), messages


@pytest.mark.parametrize(("commentary", "values", "fields"), [
    # a figure for an earlier month, compared with
    ("Up from 84.7% in February but still below target.", [0.847, 0.873], {}),
    ("Above target every month since October.", [0.95, 0.96], {}),
    # numbers that are not figures: COVID-19, a 20-day deadline, day 5 and day 10, 2019/20
    ("COVID-19 cut capacity; the 20-day deadline was met on day 5 and day 10 in 2019/20.", [0.95, 0.96], {}),
    # "may" the verb is not May; "March figure not yet received" quotes no figure
    ("Figures may be revised. March figure not yet received.", [0.95, None], {}),
    # the past and the present, both said
    ("Below target in February but back above target in March.", [0.85, 0.95], {}),
    ("Met the floor standard but not the target.", [0.85, 0.85], {}),
    # lower is better: below the target is good
    ("Sickness was 4.0% in March, below target.", [0.05, 0.04],
     {"target": 0.06, "floor": 0.08, "polarity": Polarity.LOWER}),
    # close to target is best: above or below says nothing of the rating
    ("Slightly above target in March.", [0.91, 0.92], {"polarity": Polarity.TARGET, "floor": 0.05}),
    # figures rounded as quoted
    ("89% in March, 88.7% in February.", [0.887, 0.8904], {}),
    # last year's figures and next year's standards are not this year's
    ("Last year the figure was 80.0% in March.", [0.95, 0.96], {}),
    ("A target of 95% is proposed for 2020/21.", [0.95, 0.96], {}),
    # an activity indicator: no rating to contradict, and its figure is right
    ("38,745 calls in March, above the expected range.", [30000.0, 38745.0],
     {"kind": KpiType.ACTIVITY, "target": None, "floor": None, "is_percent": False}),
])
def test_commentary_that_agrees_with_the_data_is_quiet(commentary: str, values: list[float | None],
                                                       fields: dict[str, object]) -> None:
    assert warned(rated(commentary, values, **fields)) == []  # type: ignore[arg-type]


def test_floor_words_mean_nothing_under_the_tolerance_rule() -> None:
    rating = rated("Below the floor standard.", [0.85, 0.88], method=RagMethod.TOLERANCE)
    assert warned(rating, RagMethod.TOLERANCE) == []


def test_a_quarter_is_read_for_quarterly_figures() -> None:
    quarters = [Period(dt.date(2019, m, 1), PeriodKind.QUARTER) for m in (4, 7, 10)] + [
        Period(dt.date(2020, 1, 1), PeriodKind.QUARTER)]
    assert warned(rated("92.0% in Q4.", [0.9, 0.91, 0.92, 0.92], periods=quarters)) == []
    messages = warned(rated("88.0% in Q4 2019/20.", [0.9, 0.91, 0.92, 0.92], periods=quarters))
    assert any("the figure for Q4 2019/20 is 92.0%" in m for m in messages), messages


def test_commentary_cells_come_from_the_commentary_column() -> None:
    report = pipeline.check(pipeline.sample_path())
    book = open_book(pipeline.sample_path())
    for rating in report.ratings:
        ind = rating.indicator
        if ind.commentary:
            sheet, cell = ind.commentary_cell.split("!")
            assert book[sheet][cell].value.strip() == ind.commentary, ind.code


@pytest.mark.parametrize(("words", "months"), [("Q", 3), ("Quarterly", 3), ("annual", 12), ("Annually", 12),
                                               ("M", 1), ("R12M", 1), ("", 1)])
def test_frequency_words(words: str, months: int) -> None:
    assert frequency_months(words) == months


def test_a_quarterly_indicator_may_leave_months_blank_and_trail_by_two() -> None:
    quarterly = dataclasses.replace(rated("", [0.9, None, None, 0.95, None, None]).indicator, frequency="Q")
    [rating] = rate(Dataset("t.xlsx", "0", (quarterly,), tuple(MONTHS[-6:]))).ratings
    assert not rating.stale and not list(quality_warnings(rating.indicator, rating))


def quality_warnings(ind: Indicator, rating: Rating) -> list[Warning_]:
    return list(all_warnings(Dataset("t.xlsx", "0", (ind,), tuple(MONTHS[-6:])), [rating], MONTHS[-1]))


_TOKENS = ["89.0%", "1,250", "in", "March", "Mar-20", "Q4", "2019/20", "May", "Sept.", "below", "above",
           "the", "target", "floor standard", "of", "not", "rated", "Red", "Green", "amber", "from", "(",
           "%", "-", "COVID-19", ".", ",", "per cent", "last year", "0.5", "12"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_TOKENS), st.text(max_size=6)), max_size=25))
def test_any_commentary_gives_warnings_naming_its_cell_and_never_fails(words: list[str]) -> None:
    rating = rated(" ".join(words), [0.85, 0.95, 0.9])
    assert all(w.where == "KPIs!S9" and "commentary" in w.message
               for w in commentary_warnings(rating, RagMethod.FLOOR))


def test_a_floor_on_the_wrong_side_is_quoted_as_the_workbook_shows_it() -> None:
    wrong = Indicator("Calls answered", "CS05", polarity=Polarity.HIGHER, target=0.8, floor=0.85,
                      is_percent=True, number_format="0.0%",
                      observations=tuple(Observation(p, 0.82) for p in MONTHS))
    report = rate(Dataset("test.xlsx", "0" * 64, (wrong,), tuple(MONTHS)))
    [message] = [w.message for w in report.warnings if "wrong side" in w.message]
    assert "the floor standard 85.0% is on the wrong side of the target 80.0%" in message
