"""The paper's sentences: right for the sample, and grammatical for any mix of colours and names."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_excel import pipeline
from kpi_excel.core import english, proposals
from kpi_excel.core.model import (
    Dataset,
    Indicator,
    Observation,
    PaperDetails,
    Period,
    Polarity,
    Proposal,
    RagMethod,
    Report,
    RuleSettings,
    Summary,
)
from kpi_excel.core.rules import rate
from kpi_excel.present import narrative
from kpi_excel.present.guidance import rule_words
from kpi_excel.present.paper import paper_context

SEED_HEADLINE = (
    "21 of the 25 KPIs achieved target and were RAG rated Green, 3 were below target but did achieve "
    "the floor standard (Amber) and 1 did not achieve the floor standard (Red). The Red indicator is "
    "Freedom of Information Act requests completed within 20 working days (GL02)."
)
MONTHS = [Period(dt.date(2019 + (m < 4), m, 1)) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
VALUE_FOR = {"green": 0.95, "amber": 0.85, "red": 0.70}


def kpi(name: str, colour: str, code: str = "", **fields: object) -> Indicator:
    """A KPI (target 90%, floor 80%) whose March value gives the colour; 'none' has no data."""
    value = VALUE_FOR.get(colour, 0.95 if colour == "no target" else None)
    observations = tuple(Observation(p, value if value is not None else None) for p in MONTHS)
    target = None if colour == "no target" else 0.9
    values: dict[str, object] = {"target": target, "floor": 0.8, "is_percent": True, "number_format": "0.0%"}
    values.update(fields)
    return Indicator(name, code or name[:4].upper(), observations=observations, **values)  # type: ignore[arg-type]


def report_of(*indicators: Indicator, details: PaperDetails | None = None,
              proposals: tuple[Proposal, ...] = (), method: RagMethod = RagMethod.FLOOR) -> Report:
    dataset = Dataset("test.xlsx", "0", tuple(indicators), tuple(MONTHS), proposals=proposals,
                      details=details or PaperDetails(service="Adult Services",
                                                      committee="Adult Cabinet Committee"),
                      settings=RuleSettings(rag_method=method))
    return rate(dataset)


@pytest.fixture(scope="module")
def sample_report() -> Report:
    return pipeline.check(pipeline.sample_path())


# --- the sample reads as the seed paper ----------------------------------------------------------


def test_sample_summary_is_the_seed_sentence(sample_report: Report) -> None:
    headline = narrative.headline(sample_report.summary, RagMethod.FLOOR,
                                  narrative.not_rated_counts(sample_report.kpis))
    assert f"{headline} {narrative.red_sentence(narrative.red_names(sample_report))}" == SEED_HEADLINE


def test_sample_proposals_paragraph_names_cs04a_and_cs04b(sample_report: Report) -> None:
    assert narrative.proposals_paragraph(sample_report) == (
        "The proposed KPIs and targets for 2020-21 are attached in Appendix 2. These are largely "
        "unchanged from 2019-20, except for tougher (raised) floor standards for two indicators "
        "(CS04a and CS04b).")


def test_sample_is_the_third_and_final_report(sample_report: Report) -> None:
    assert narrative.introduction(sample_report).endswith(
        "this is the third and final report for the 2019/20 financial year.")
    assert narrative.period_paragraph(sample_report) == (
        "The Strategic and Corporate Services Performance dashboard provides year-end results to "
        "March 2020 and is attached in Appendix 1.")
    assert "This is the year end report." in narrative.summary_intro(sample_report)


def test_sample_paragraphs_are_numbered_in_order(sample_report: Report) -> None:
    paragraphs = narrative.dashboard_paragraphs(sample_report)
    assert [p.number for p in paragraphs] == ["2.1.", "2.2.", "2.3.", "2.4.", "2.5.", "2.6."]
    assert paragraphs[3].bullets == (
        "21 are rated Green – the target was achieved or exceeded;",
        "3 are rated Amber – performance achieved or exceeded the expected floor standard but did not "
        "meet the target for Green;",
        "1 is rated Red – performance did not meet the expected floor standard.",
    )
    assert paragraphs[4].text == ("The Freedom of Information Act requests completed within 20 working "
                                  "days (GL02) was the KPI RAG rated Red.")


def test_sample_recommendation_names_next_year(sample_report: Report) -> None:
    assert narrative.recommendation(sample_report) == (
        "The Policy and Resources Cabinet Committee is asked to NOTE the performance position for "
        "Strategic and Corporate Services, and proposed KPIs for 2020-21.")


# --- lists and words -----------------------------------------------------------------------------


@pytest.mark.parametrize(("names", "joined"), [
    ([], ""),
    (["A"], "A"),
    (["CS04a", "CS04b"], "CS04a and CS04b"),
    (["A", "B", "C"], "A, B and C"),
    (["A", "B", "C", "D"], "A, B, C and D"),
])
def test_lists_of_names_and_codes_read_as_english(names: list[str], joined: str) -> None:
    assert english.join_names(names) == joined
    assert ", and" not in english.join_names(names)


def test_indicators_named_with_commas_are_kept_apart() -> None:
    plain = [english.indicator_words("Rent collected", "H1"), english.indicator_words("Voids let", "H2"),
             english.indicator_words("Repairs", "H3")]
    assert english.join_labels(plain) == "Rent collected (H1), Voids let (H2) and Repairs (H3)"
    with_comma = [*plain[:2], english.indicator_words("Repairs, urgent and routine", "H3")]
    assert english.join_labels(with_comma) == (
        "Rent collected (H1); Voids let (H2); and Repairs, urgent and routine (H3)")
    assert english.indicator_words("", "H4") == "H4" and english.indicator_words("Rent", "") == "Rent"


@pytest.mark.parametrize(("n", "ordinal", "word"), [
    (1, "first", "one"), (2, "second", "two"), (3, "third", "three"), (12, "twelfth", "twelve"),
    (13, "13th", "13"), (21, "21st", "21"), (22, "22nd", "22"), (111, "111th", "111"),
])
def test_ordinals_and_number_words(n: int, ordinal: str, word: str) -> None:
    assert english.ordinal_word(n) == ordinal
    assert english.number_word(n) == word


# --- every combination of counts -----------------------------------------------------------------

COUNTS = range(4)


def _check_headline(g: int, a: int, r: int, no_data: int, no_target: int, method: RagMethod) -> None:
    summary = Summary(green=g, amber=a, red=r, not_rated=no_data + no_target)
    text = narrative.headline(summary, method, narrative.NotRated(no_data, no_target))
    n = summary.total
    words = rule_words(method)
    assert (text[0].isupper() or text[0].isdigit()) and text.endswith("."), text
    assert "  " not in text and " ." not in text and ",," not in text, text
    assert not re.search(r"\b1 were\b|\b1 had no \w+ and were\b|\b([2-9]|\d\d) was\b", text), text
    if n == 0:
        assert text == "The dashboard has no KPIs to rate."
        return
    assert ("(Amber)" in text) == (a > 0), text
    assert ("(Red)" in text) == (r > 0), text
    assert ("Green" in text) == (g > 0), text
    if a:
        assert f"{a if (g or n > 1) else ''}".strip() in text and words.amber in text
    if r:
        assert words.red in text
    if g == n:
        assert text in ("The only KPI achieved target and was RAG rated Green.",
                        f"All {n} KPIs achieved target and were RAG rated Green.")
    elif g:
        assert text.startswith(f"{g} of the {n} KPIs achieved target and {'was' if g == 1 else 'were'} "
                               "RAG rated Green")
    if n == 1 and summary.not_rated:
        assert text.endswith(f"it had no {'data' if no_data else 'target'}.")
        return
    if no_data:
        assert f"{no_data} had no data" in text
    if no_target:
        assert f"{no_target} had no target" in text
    if summary.rated == 0:
        assert "could be RAG rated" in text


@pytest.mark.parametrize("method", list(RagMethod))
def test_headline_for_every_combination_of_counts(method: RagMethod) -> None:
    for g, a, r, no_data, no_target in itertools.product(COUNTS, COUNTS, COUNTS, range(3), range(2)):
        _check_headline(g, a, r, no_data, no_target, method)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 60), st.integers(0, 60), st.integers(0, 60), st.integers(0, 5), st.integers(0, 5))
def test_headline_for_larger_counts(g: int, a: int, r: int, no_data: int, no_target: int) -> None:
    _check_headline(g, a, r, no_data, no_target, RagMethod.FLOOR)


def test_headline_wording_for_a_single_kpi() -> None:
    one = narrative.headline
    assert one(Summary(0, 1, 0, 0)) == ("The only KPI was below target but did achieve the floor "
                                        "standard (Amber).")
    assert one(Summary(0, 0, 1, 0)) == "The only KPI did not achieve the floor standard (Red)."
    assert one(Summary(0, 0, 0, 1)) == "The only KPI could not be RAG rated: it had no data."


def test_headline_when_none_is_green() -> None:
    assert narrative.headline(Summary(0, 2, 3, 0)) == (
        "None of the 5 KPIs achieved target: 2 were below target but did achieve the floor standard "
        "(Amber) and 3 did not achieve the floor standard (Red).")


def test_headline_with_kpis_not_rated() -> None:
    text = narrative.headline(Summary(3, 0, 1, 2), RagMethod.FLOOR, narrative.NotRated(1, 1))
    assert text == ("3 of the 6 KPIs achieved target and were RAG rated Green and 1 did not achieve the "
                    "floor standard (Red). 1 had no data and 1 had no target, so they were not RAG rated.")


def test_headline_under_the_tolerance_rule_does_not_mention_floors() -> None:
    text = narrative.headline(Summary(2, 1, 1, 0), RagMethod.TOLERANCE)
    assert "floor" not in text and "tolerance (Amber)" in text and "tolerance (Red)" in text


@pytest.mark.parametrize(("names", "summary_sentence", "paragraph"), [
    ([], "", "No KPIs were RAG rated Red."),
    (["Rent collected (H1)"], "The Red indicator is Rent collected (H1).",
     "The Rent collected (H1) was the KPI RAG rated Red."),
    (["A (A1)", "B (B1)"], "The Red indicators are A (A1) and B (B1).",
     "The KPIs RAG rated Red were A (A1) and B (B1)."),
    (["A (A1)", "B, C (B1)", "D (D1)"], "The Red indicators are A (A1); B, C (B1); and D (D1).",
     "The KPIs RAG rated Red were A (A1); B, C (B1); and D (D1)."),
])
def test_red_indicators_named(names: list[str], summary_sentence: str, paragraph: str) -> None:
    assert narrative.red_sentence(names) == summary_sentence
    assert narrative.red_paragraph(names) == paragraph


@pytest.mark.parametrize(("counts", "expected"), [
    (Summary(5, 0, 0, 0), ["5 are rated Green – the target was achieved or exceeded."]),
    (Summary(1, 1, 0, 0), ["1 is rated Green – the target was achieved or exceeded;",
                           "1 is rated Amber – performance achieved or exceeded the expected floor "
                           "standard but did not meet the target for Green."]),
    (Summary(0, 0, 2, 1), ["2 are rated Red – performance did not meet the expected floor standard;",
                           "1 is not rated – there was no data or no target."]),
])
def test_count_bullets(counts: Summary, expected: list[str]) -> None:
    assert narrative.count_bullets(counts) == expected


def test_all_green_report_reads_naturally() -> None:
    report = report_of(kpi("Rent collected", "green"), kpi("Repairs done", "green"))
    assert narrative.headline(report.summary) == "All 2 KPIs achieved target and were RAG rated Green."
    assert narrative.red_sentence(narrative.red_names(report)) == ""
    assert narrative.dashboard_paragraphs(report)[4].text == "No KPIs were RAG rated Red."


def test_kpis_with_no_data_are_counted_apart() -> None:
    report = report_of(kpi("Rent collected", "green"), kpi("Repairs done", "none"),
                       kpi("Voids let", "no target"))
    counts = narrative.not_rated_counts(report.kpis)
    assert counts == narrative.NotRated(no_data=1, no_target=1)
    assert narrative.headline(report.summary, RagMethod.FLOOR, counts) == (
        "1 of the 3 KPIs achieved target and was RAG rated Green. 1 had no data and 1 had no target, "
        "so they were not RAG rated.")


def test_paragraph_2_4_gives_the_reason_the_headline_gives_for_kpis_not_rated() -> None:
    data_only = kpi("Calls received", "green", polarity=Polarity.NONE)
    bullets = narrative.dashboard_paragraphs(report_of(kpi("Rent collected", "green"), data_only))[3].bullets
    assert bullets[-1] == "1 is not rated – it is data only, with no polarity."
    assert "no target" not in bullets[-1]
    mixed = report_of(kpi("Rent collected", "green"), kpi("Repairs done", "none"),
                      kpi("Voids let", "no target"))
    headline = narrative.headline(mixed.summary, RagMethod.FLOOR, narrative.not_rated_counts(mixed.kpis))
    reason = narrative.dashboard_paragraphs(mixed)[3].bullets[-1]
    assert reason == "2 are not rated – 1 had no data and 1 had no target."
    assert reason.removeprefix("2 are not rated – ").rstrip(".") in headline
    only_no_target = report_of(kpi("Voids let", "no target"), kpi("Void days", "no target"))
    assert narrative.dashboard_paragraphs(only_no_target)[3].bullets == (
        "2 are not rated – there was no target.",)


# --- where the report sits in the year -----------------------------------------------------------


def _in_year(number: int | None, total: int | None, year_end: bool | None = None) -> Report:
    details = PaperDetails(service="Adult Services", committee="Adult Cabinet Committee",
                           report_number=number, reports_in_year=total, year_end=year_end)
    report = report_of(kpi("Rent collected", "green"), details=details)
    return dataclasses.replace(report, period=MONTHS[8])  # December 2019


@pytest.mark.parametrize(("number", "total", "position"), [
    (1, 3, "the first of three reports"),
    (2, 3, "the second of three reports"),
    (3, 3, "the third and final report"),
    (1, 1, "the only report"),
    (2, None, "the second report"),
])
def test_which_report_of_the_year(number: int, total: int | None, position: str) -> None:
    assert narrative.introduction(_in_year(number, total)).endswith(
        f"this is {position} for the 2019/20 financial year.")


def test_in_year_wording() -> None:
    report = _in_year(2, 3)
    assert not narrative.is_year_end(report)
    assert narrative.period_paragraph(report) == (
        "The Adult Services Performance dashboard provides results to December 2019 and is attached "
        "in Appendix 1.")
    assert "This report shows performance to December 2019." in narrative.summary_intro(report)
    assert "year end" not in narrative.summary_intro(report)


def test_year_end_from_the_period_when_the_details_do_not_say() -> None:
    report = report_of(kpi("Rent collected", "green"))
    assert narrative.is_year_end(report)  # the data runs to March
    assert narrative.is_year_end(dataclasses.replace(report, period=MONTHS[8])) is False


# --- next year's proposals -----------------------------------------------------------------------


def _proposal(code: str, target: float, floor: float, **fields: object) -> Proposal:
    return Proposal(code.lower(), code, target=target, floor=floor, is_percent=True,
                    **fields)  # type: ignore[arg-type]


def _with_proposals(*proposals: Proposal, kpis: int = 6) -> Report:
    indicators = [kpi(f"k{i}", "green", code=f"K{i}") for i in range(1, kpis + 1)]
    return report_of(*indicators, proposals=proposals)


def test_proposals_unchanged() -> None:
    report = _with_proposals(*(_proposal(f"K{i}", 0.9, 0.8) for i in range(1, 7)))
    assert narrative.proposals_paragraph(report).endswith("These are unchanged from 2019-20.")


def test_proposals_with_one_change_of_each_kind() -> None:
    unchanged = [_proposal(f"K{i}", 0.9, 0.8) for i in range(3, 16)]
    report = _with_proposals(_proposal("K1", 0.95, 0.8), _proposal("K2", 0.9, 0.75), *unchanged,
                             Proposal("New one", "N1", target=0.5), kpis=16)
    assert narrative.proposals_paragraph(report).endswith(
        "These are largely unchanged from 2019-20, except for a tougher (raised) target for one "
        "indicator (K1), an easier (lowered) floor standard for one indicator (K2), one new indicator "
        "(N1) and the removal of one indicator (K16).")


def test_one_change_among_two_kpis_is_not_largely_unchanged() -> None:
    report = _with_proposals(_proposal("K1", 0.95, 0.8), _proposal("K2", 0.9, 0.8), kpis=2)
    assert narrative.proposals_paragraph(report).endswith(
        "The changes from 2019-20 are a tougher (raised) target for one indicator (K1).")


def test_proposals_mostly_changed_are_not_called_largely_unchanged() -> None:
    report = _with_proposals(*(_proposal(f"K{i}", 0.95, 0.8) for i in range(1, 7)))
    text = narrative.proposals_paragraph(report)
    assert "largely unchanged" not in text
    assert text.endswith("The changes from 2019-20 are tougher (raised) targets for six indicators "
                         "(K1, K2, K3, K4, K5 and K6).")


def test_a_lower_target_where_lower_is_better_is_tougher() -> None:
    lower = [kpi(f"k{i}", "green", code=f"K{i}", polarity=Polarity.LOWER, target=0.15, floor=0.2)
             for i in (1, 2)]
    report = report_of(*lower, proposals=(Proposal("k1", "K1", target=0.12, floor=0.2, is_percent=True),
                                          Proposal("k2", "K2", target=0.15, floor=0.25, is_percent=True)))
    text = narrative.proposals_paragraph(report)
    assert "a tougher (lowered) target for one indicator (K1)" in text
    assert "an easier (raised) floor standard for one indicator (K2)" in text
    assert "reduction" not in text and "increase" not in text
    notes = {line.code: proposals.change_note(line, "2020-21") for line in proposals.proposal_lines(report)}
    assert notes == {"K1": "Target lowered (tougher)", "K2": "Floor standard raised (easier)"}


def test_facts_for_a_kpi_and_stale_data(sample_report: Report) -> None:
    ict01 = next(r for r in sample_report.kpis if r.indicator.code == "ICT01")
    facts = narrative.kpi_facts(ict01, sample_report)
    assert facts.startswith("Latest value 72.1% (Feb-20), rated Green.")
    assert "the report period is Mar-20" in facts
    assert "Direction of travel: ↑ Improved compared with Jan-20 (71.5%)." in facts


def test_the_dashboard_is_named_alike_in_the_summary_paragraph_2_1_and_appendix_1() -> None:

    report = report_of(kpi("Rent collected", "green"),
                       details=PaperDetails(service="the Council", committee="Governance Committee"))
    title = paper_context(report)["dashboard_title"]
    assert title == "Council Performance Dashboard"  # 'the Council' loses its 'the' in a title
    assert narrative.summary_intro(report).startswith(f"The {title} shows progress")
    # paragraph 2.1 writes 'dashboard' in lower case, as the council's papers do
    assert narrative.period_paragraph(report).startswith(f"The {title[:-len('Dashboard')]}dashboard provides")
