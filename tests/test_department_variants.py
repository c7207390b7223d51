"""The department variants (department_variants.py) are the stories their docstrings tell, and the
sample's maker still makes the bundled sample byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLE
from department_variants import VARIANTS, ms

import kpi_excel as kx
from kpi_excel import Rag


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, kx.Report]:
    folder = tmp_path_factory.mktemp("workbooks")
    return {name: kx.check(make(folder)) for name, make in VARIANTS.items()}


def test_the_maker_still_makes_the_bundled_sample(tmp_path: Path) -> None:
    assert ms.build(tmp_path / "sample.xlsx").read_bytes() == SAMPLE.read_bytes()
    assert VARIANTS["as-shipped"](tmp_path).read_bytes() == SAMPLE.read_bytes()


def _by_code(report: kx.Report) -> dict[str, kx.Rating]:
    return {r.indicator.code: r for r in report.ratings}


def test_each_variant_is_the_sample_changed_one_way(reports: dict[str, kx.Report]) -> None:
    sample = reports["as-shipped"]
    for name, report in reports.items():
        assert len(report.kpis) == len(sample.kpis), name
        if name != "no-proposals":
            assert report.period == sample.period, name
    assert len(reports["activity-indicators"].activities) == len(sample.activities) + 4


def test_no_proposals_is_a_mid_year_tracker_without_proposals(reports: dict[str, kx.Report]) -> None:
    report = reports["no-proposals"]
    assert report.dataset.proposals == () and reports["as-shipped"].dataset.proposals
    assert report.period is not None and report.period.label == "Sep-19"
    assert report.dataset.details.report_number == 1


def test_many_reds_has_reds_without_commentary(reports: dict[str, kx.Report]) -> None:
    report = reports["many-reds"]
    reds = [r for r in report.kpis if r.rag is Rag.RED]
    assert len(reds) == 8
    assert sorted(r.indicator.code for r in reds if not r.indicator.commentary) == ["FN02", "FN08", "GL03"]
    assert _by_code(report)["CS07"].rag is Rag.AMBER and not _by_code(report)["CS07"].indicator.commentary


def test_contradicted_commentary_is_contradicted_by_the_figures(reports: dict[str, kx.Report]) -> None:
    ratings = _by_code(reports["contradicted-commentary"])
    fn06, hr23 = ratings["FN06"], ratings["HR23"]
    assert fn06.rag is Rag.RED and "fallen steadily" in fn06.indicator.commentary
    values = [o.value for o in fn06.indicator.observations if o.value is not None]
    assert values == sorted(values)  # rising, where lower is better
    assert hr23.rag is Rag.AMBER and "improved" in hr23.indicator.commentary
    values = [o.value for o in hr23.indicator.observations if o.value is not None]
    assert values == sorted(values, reverse=True)


def test_details_variants_leave_details_out(reports: dict[str, kx.Report]) -> None:
    blank, partial = reports["blank-details"].dataset.details, reports["partial-details"].dataset.details
    assert (blank.service, blank.committee, blank.author) == ("", "", None)
    assert "Strategic and Corporate Services" in reports["blank-details"].dataset.title
    assert partial.service and partial.author is not None and partial.author.name
    assert not (partial.author.phone or partial.author.email or partial.director or partial.from_)


def test_long_commentary_is_about_300_words(reports: dict[str, kx.Report]) -> None:
    gl02 = _by_code(reports["long-commentary"])["GL02"]
    assert 280 <= len(gl02.indicator.commentary.split()) <= 320 and gl02.rag is Rag.RED


def test_three_years_hold_36_months(reports: dict[str, kx.Report]) -> None:
    assert len(reports["three-years"].dataset.periods) == 36
    assert [r.rag for r in reports["three-years"].kpis] == [r.rag for r in reports["as-shipped"].kpis]


def test_quarterly_mixed_has_quarterly_kpis_and_one_a_quarter_behind(reports: dict[str, kx.Report]) -> None:
    ratings = _by_code(reports["quarterly-mixed"])
    quarterly = sorted(code for code, r in ratings.items() if r.indicator.frequency == "Q")
    assert quarterly == ["CS01", "FN11", "GL03", "HR09", "HR23", "PI04"]
    fn11 = ratings["FN11"]
    assert fn11.stale and fn11.latest is not None and fn11.latest.period.label == "Dec-19"


def test_availability_kpis_sit_between_99_3_and_100_percent(reports: dict[str, kx.Report]) -> None:
    ratings = _by_code(reports["availability"])
    for code in ("ICT03", "ICT04", "ICT05"):
        ind = ratings[code].indicator
        values = [o.value for o in ind.observations if o.value is not None]
        assert min(values) >= 0.993 and max(values) <= 1.0 and (ind.target, ind.floor) == (0.995, 0.99)
    assert {ratings[c].rag for c in ("ICT03", "ICT04", "ICT05")} == {Rag.AMBER, Rag.GREEN}


def test_proposals_variants_propose_what_they_say(reports: dict[str, kx.Report]) -> None:
    polarity = {p.code: p for p in reports["polarity-change"].dataset.proposals}
    assert polarity["FN05"].polarity is not _by_code(reports["polarity-change"])["FN05"].indicator.polarity
    assert polarity["FN07"].polarity is not _by_code(reports["polarity-change"])["FN07"].indicator.polarity
    assert (polarity["FN07"].target, polarity["FN07"].floor) == (0.9, 0.85)
    new = {p.code: p for p in reports["new-and-dropped"].dataset.proposals}
    assert {"CS08", "HR30", "GL04"} <= set(new) and not {"ICT05", "HR25"} & set(new)
    assert (new["CS08"].target, new["CS08"].is_percent) == (0.9, False)  # as typed, no number format
