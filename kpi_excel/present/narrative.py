"""The sentences of the committee paper, written from a rated report (pure, no files)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kpi_excel.core.english import (
    indicator_words,
    join_labels,
    join_names,
    number_word,
    ordinal_word,
    plural,
    were,
)
from kpi_excel.core.formatting import (
    DIRECTION_ARROWS,
    direction_word,
    format_value,
    percent,
    range_word,
    this_and_next_year,
)
from kpi_excel.core.model import (
    Period,
    Polarity,
    Rag,
    RagMethod,
    Rating,
    Report,
    Summary,
)
from kpi_excel.core.proposals import proposals_paragraph
from kpi_excel.present.guidance import rule_words


def without_the(service: str) -> str:
    """A service as 'The ... Performance Dashboard' names it: 'the Council' -> 'Council'."""
    return service[4:] if service[:4].lower() == "the " else service


def dashboard_title(report: Report, noun: str = "Dashboard") -> str:
    """'Strategic and Corporate Services Performance Dashboard': Appendix 1's title, the subject,
    and the dashboard the cover report speaks of (paragraph 2.1 writes 'dashboard', as the council's
    papers do)."""
    service = without_the(report.dataset.details.service)
    return f"{service} Performance {noun}" if service else f"Performance {noun}"


def month_year(period: Period) -> str:
    """The month a period ends in, in words: March 2020 (a quarter or year ends in its last month)."""
    return period.end.strftime("%B %Y")


# --- The headline -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotRated:
    """How many KPIs could not be rated, and why."""

    no_data: int = 0
    no_target: int = 0
    data_only: int = 0  # no polarity: never rated, by design

    @property
    def total(self) -> int:
        return self.no_data + self.no_target + self.data_only


def not_rated_counts(kpis: Sequence[Rating]) -> NotRated:
    """KPIs without a RAG split by reason: no data at all, data only (no polarity), or no target."""
    unrated = [r for r in kpis if r.rag is None]
    no_data = sum(r.latest is None for r in unrated)
    data_only = sum(r.latest is not None and r.indicator.polarity is Polarity.NONE for r in unrated)
    return NotRated(no_data=no_data, no_target=len(unrated) - no_data - data_only, data_only=data_only)


def headline(summary: Summary, method: RagMethod = RagMethod.FLOOR,
             not_rated: NotRated | None = None, green_within: float = 0.0) -> str:
    """The Summary's count sentence: '21 of the 25 KPIs achieved target and were RAG rated Green, ...'
    (with a Green band below target: 'achieved target or came within 5% of it')."""
    words = rule_words(method)
    achieved = f"achieved target or came within {percent(green_within)} of it" if green_within \
        else "achieved target"
    n, g, a, r = summary.total, summary.green, summary.amber, summary.red
    unrated = not_rated or NotRated(no_data=summary.not_rated)
    if n == 0:
        return "The dashboard has no KPIs to rate."
    if summary.rated == 0:
        return _none_rated(n, unrated)
    amber = f"{a} {were(a)} {words.amber}" if a else ""
    red = f"{r} {words.red}" if r else ""
    if g == n:
        sentence = (f"The only KPI {achieved} and was RAG rated Green" if n == 1
                    else f"All {n} KPIs {achieved} and were RAG rated Green")
    elif g:
        green = f"{g} of the {n} {plural(n, 'KPI')} {achieved} and {were(g)} RAG rated Green"
        sentence = join_names([green, amber, red])
    elif n == 1:
        sentence = f"The only KPI {'was ' + words.amber if a else words.red}"
    else:
        sentence = f"None of the {n} KPIs achieved target: {join_names([amber, red])}"
    return f"{sentence}.{_not_rated_sentence(unrated, after_counts=True)}"


def _none_rated(n: int, unrated: NotRated) -> str:
    reasons = _not_rated_reasons(unrated)
    if n == 1:
        why = ("it had no data" if unrated.no_data else "it is data only, with no polarity"
               if unrated.data_only else "it had no target")
        return f"The only KPI could not be RAG rated: {why}."
    return f"None of the {n} KPIs could be RAG rated: {reasons}."


def _not_rated_reasons(unrated: NotRated) -> str:
    parts = []
    if unrated.no_data:
        parts.append(f"{unrated.no_data} had no data")
    if unrated.no_target:
        parts.append(f"{unrated.no_target} had no target")
    if unrated.data_only:
        parts.append(f"{unrated.data_only} {were(unrated.data_only)} data only (no polarity)")
    return join_names(parts)


def _not_rated_sentence(unrated: NotRated, *, after_counts: bool) -> str:
    if not unrated.total:
        return ""
    lead = " " if after_counts else ""
    reasons = _not_rated_reasons(unrated)
    if sum(n > 0 for n in (unrated.no_data, unrated.no_target, unrated.data_only)) > 1:
        return f"{lead}{reasons}, so they were not RAG rated."
    return f"{lead}{reasons} and {were(unrated.total)} not RAG rated."


def red_names(report: Report) -> list[str]:
    """The KPIs rated Red as sentences name them, 'Name (CODE)', in the order of the workbook."""
    return [indicator_words(r.indicator.name, r.indicator.code) for r in report.kpis if r.rag is Rag.RED]


def red_sentence(names: Sequence[str]) -> str:
    """'The Red indicator is X.' / 'The Red indicators are A, B and C.' / '' when none is Red."""
    if not names:
        return ""
    if len(names) == 1:
        return f"The Red indicator is {names[0]}."
    return f"The Red indicators are {join_labels(names)}."


NO_RED = "No KPIs were RAG rated Red."  # paragraph 2.5, and the shipped template's KPI Summary


def red_paragraph(names: Sequence[str]) -> str:
    """The dashboard paragraph naming the Red KPIs."""
    if not names:
        return NO_RED
    if len(names) == 1:
        return f"The {names[0]} was the KPI RAG rated Red."
    return f"The KPIs RAG rated Red were {join_labels(names)}."


def red_summary(report: Report) -> str:
    """The Summary's sentence on the Red KPIs: their names, or in a report spanning several
    directorates (where they could number hundreds) how many each directorate has."""
    if len(report.directorates()) > 1:
        return red_by_directorate(report, "")
    return red_sentence(red_names(report))


def red_by_directorate(report: Report, none: str = NO_RED) -> str:
    """'The 11 KPIs RAG rated Red are in A (3), B (4) and C (4); each is listed ...' (none: `none`)."""
    counts = [(name, summary.red) for name, summary in report.directorates() if summary.red]
    total = sum(n for _, n in counts)
    if total == 0:
        return none
    where = join_names([f"{name} ({n})" for name, n in counts])
    if total == 1:
        return (f"The KPI RAG rated Red is in {counts[0][0]}; it is listed with its commentary under "
                "Indicators rated Red.")
    return (f"The {total:,} KPIs RAG rated Red are in {where}; each is listed with its commentary under "
            "Indicators rated Red.")


def count_bullets(summary: Summary, method: RagMethod = RagMethod.FLOOR,
                  not_rated: NotRated | None = None, green_within: float = 0.0) -> list[str]:
    """The counts as bullets: '21 are rated Green – the target was achieved or exceeded;' ...; the
    KPIs not rated with the reason the headline gives (not_rated), else 'no data or no target'."""
    words = rule_words(method, green_within)
    counts = ((summary.green, Rag.GREEN), (summary.amber, Rag.AMBER), (summary.red, Rag.RED))
    bullets = [f"{n} {'is' if n == 1 else 'are'} rated {rag.word} – {words.meaning(rag.word)}"
               for n, rag in counts if n]
    if summary.not_rated:
        n = summary.not_rated
        bullets.append(f"{n} {'is' if n == 1 else 'are'} not rated – {_not_rated_why(n, not_rated)}")
    return [text + (";" if i < len(bullets) - 1 else ".") for i, text in enumerate(bullets)]


def _not_rated_why(n: int, unrated: NotRated | None) -> str:
    """Why n KPIs have no rating, as a count bullet ends: one reason in words, several counted."""
    if unrated is None or unrated.total != n:
        return "there was no data or no target"
    if unrated.no_data == n:
        return "there was no data"
    if unrated.no_target == n:
        return "there was no target"
    if unrated.data_only == n:
        return f"{'it is' if n == 1 else 'they are'} data only, with no polarity"
    return _not_rated_reasons(unrated)


def directorates_intro(rows: Sequence[tuple[str, Summary]]) -> str:
    """The sentence before the table of counts by directorate, in a report that spans several."""
    kpis = sum(summary.total for _, summary in rows)
    with_red = sum(1 for _, summary in rows if summary.red)
    text = (f"This report brings together the {kpis:,} {plural(kpis, 'KPI')} of {number_word(len(rows))} "
            f"{plural(len(rows), 'directorate')}; the table below shows how many in each were RAG rated "
            "Green, Amber and Red.")
    if with_red == 0:
        return text + " No directorate had a KPI rated Red."
    if with_red == len(rows):
        return text + " Every directorate had at least one KPI rated Red."
    return (text + f" {number_word(with_red).capitalize()} of the {number_word(len(rows))} directorates "
            f"had at least one KPI rated Red.")


# --- Where the report sits in the year ----------------------------------------------------------


def is_year_end(report: Report) -> bool:
    """Whether this is the year-end report: as the details say, else from the report period."""
    details = report.dataset.details
    if details.year_end is not None:
        return details.year_end
    if details.report_number and details.reports_in_year:
        return details.report_number >= details.reports_in_year
    return report.period is not None and report.period.end.month == 3


def financial_year(report: Report) -> str:
    """The report period's financial year (2019/20), or '' when there is no data."""
    return report.period.financial_year if report.period else ""


def report_position(report: Report) -> str:
    """'the third and final report', 'the second of three reports' ..."""
    details = report.dataset.details
    number, total = details.report_number, details.reports_in_year
    if number and total:
        if number >= total:
            return "the only report" if total == 1 else f"the {ordinal_word(total)} and final report"
        return f"the {ordinal_word(number)} of {number_word(total)} reports"
    if number:
        final = " and final" if is_year_end(report) else ""
        return f"the {ordinal_word(number)}{final} report"
    return "the year end report" if is_year_end(report) else "the latest report"


def _committee_kind(committee: str) -> str:
    return "Cabinet Committee" if "cabinet committee" in committee.lower() else "Committee"


def _the_committee(committee: str) -> str:
    return f"The {committee}" if committee else "The Committee"


# --- The cover report ---------------------------------------------------------------------------


def summary_intro(report: Report) -> str:
    """The Summary's opening: what the dashboard shows and which report this is."""
    text = (f"The {dashboard_title(report)} shows progress made against targets set for Key Performance "
            "Indicators (KPIs).")
    if is_year_end(report):
        text += " This is the year end report."
    elif report.period:
        text += f" This report shows performance to {month_year(report.period)}."
    if report.dataset.proposals:
        text += " Also included are the proposed KPIs and targets for next year."
    return text


def recommendation(report: Report) -> str:
    """'The ... Committee is asked to NOTE the performance position for ..., and proposed KPIs for ...'."""
    details = report.dataset.details
    text = f"{_the_committee(details.committee)} is asked to NOTE the performance position"
    if details.service:
        text += f" for {details.service}"
    if report.dataset.proposals and report.period:
        text += f", and proposed KPIs for {this_and_next_year(report.period)[1]}"
    return text + "."


def introduction(report: Report) -> str:
    """Paragraph 1.1: the committee's role and which report of the year this is."""
    kind = _committee_kind(report.dataset.details.committee)
    year = financial_year(report)
    year_text = f" for the {year} financial year" if year else ""
    return (f"Part of the role of {kind}s is to review the performance of the functions of the Council "
            f"that fall within the remit of the Committee. To support this role Performance Dashboards "
            f"are regularly reported to each {kind} throughout the year, and this is "
            f"{report_position(report)}{year_text}.")


@dataclass(frozen=True)
class Paragraph:
    """A numbered paragraph of the cover report, with any bullets that follow it."""

    number: str
    text: str
    bullets: tuple[str, ...] = field(default=())


def dashboard_paragraphs(report: Report, section: int = 2) -> list[Paragraph]:
    """Section 2 of the cover report, numbered 2.1, 2.2 ..."""
    texts: list[tuple[str, tuple[str, ...]]] = [
        (period_paragraph(report), ()),
        (kpi_count_paragraph(report), ()),
        ("KPIs are presented with RAG (Red/Amber/Green) alerts to show progress against targets. "
         "Details of how the alerts are generated are outlined in the Guidance Notes, included with "
         "the Dashboard in Appendix 1.", ()),
        (f"Of the {report.summary.total} KPIs, the latest RAG status are as follows:",
         tuple(count_bullets(report.summary, report.dataset.settings.rag_method,
                             not_rated_counts(report.kpis), report.dataset.settings.green_within))),
        (red_by_directorate(report) if len(report.directorates()) > 1 else red_paragraph(red_names(report)),
         ()),
    ]
    if report.dataset.proposals:
        texts.append((proposals_paragraph(report), ()))
    return [Paragraph(f"{section}.{i}.", text, bullets) for i, (text, bullets) in enumerate(texts, 1)]


def period_paragraph(report: Report) -> str:
    """Paragraph 2.1: the period the dashboard covers."""
    dashboard = f"The {dashboard_title(report, noun='dashboard')}"
    if report.period is None:
        return f"{dashboard} has no results yet and is attached in Appendix 1."
    results = "year-end results" if is_year_end(report) else "results"
    return f"{dashboard} provides {results} to {month_year(report.period)} and is attached in Appendix 1."


def kpi_count_paragraph(report: Report) -> str:
    """Paragraph 2.2: how many KPIs, when they were agreed, and the activity indicators."""
    details = report.dataset.details
    n = report.summary.total
    year = financial_year(report)
    kpis = "Key Performance Indicator (KPI)" if n == 1 else "Key Performance Indicators (KPIs)"
    text = f"The Dashboard includes performance against target for the {n} {kpis}"
    text += f" for {year}." if year else "."
    if details.kpis_agreed:
        kind = _committee_kind(details.committee)
        these = "This KPI and its target" if n == 1 else "These KPIs and targets"
        text += f" {these} came before the {kind} for comment in {details.kpis_agreed}."
    if report.activities:
        text += (" The Dashboard also includes a range of activity indicators which help give context "
                 "to the KPIs.")
    return text


def rag_meaning(rag: Rag, method: RagMethod, green_within: float = 0.0) -> str:
    """What a colour means under the rule, as a clause: 'the target was achieved or exceeded'."""
    return rule_words(method, green_within).meaning(rag.word)


# --- One indicator in a sentence ----------------------------------------------------------------


def kpi_facts(rating: Rating, report: Report) -> str:
    """'Latest value 89.0% (Mar-20), rated Red. Target 92.0%; floor standard 90.0%. Direction ...'."""
    ind = rating.indicator
    if rating.latest is None:
        return "There is no data for this KPI, so it is not RAG rated."
    latest = f"Latest value {format_value(rating.value, ind)} ({rating.latest.period.label})"
    if rating.rag is not None:
        text = f"{latest}, rated {rating.rag.word}."
    else:
        text = f"{latest}, not RAG rated: {rating.not_rated_reason or 'no target'}."
    text += _stale_note(rating, report)
    if ind.target is not None:
        floor = (f"floor standard {format_value(ind.floor, ind)}" if ind.floor is not None
                 else "no floor standard")
        text += f" Target {format_value(ind.target, ind)}; {floor}."
    return text + _direction_note(rating)


def _stale_note(rating: Rating, report: Report) -> str:
    if not rating.stale or report.period is None:
        return ""
    return f" This is the latest data available; the report period is {report.period.label}."


def _direction_note(rating: Rating) -> str:
    if rating.direction is None:
        return ""
    arrow = DIRECTION_ARROWS[rating.direction]
    word = direction_word(rating.direction)
    compared = rating.compared_with
    if compared is None or compared.value is None:
        return f" Direction of travel: {arrow} {word} (trend across the periods shown)."
    earlier = format_value(compared.value, rating.indicator)
    return f" Direction of travel: {arrow} {word} compared with {compared.period.label} ({earlier})."


def activity_facts(rating: Rating) -> str:
    """'Latest value 38,745 (Mar-20): above the expected range of 26,000 to 34,000.'"""
    ind = rating.indicator
    if rating.latest is None:
        return "There is no data for this indicator."
    latest = f"Latest value {format_value(rating.value, ind)} ({rating.latest.period.label})"
    low, high = format_value(ind.lower_threshold, ind), format_value(ind.upper_threshold, ind)
    if rating.range_status is None:
        return f"{latest}; there is no expected range to compare it with."
    expected = (f"the expected range of {low} to {high}" if low and high
                else f"the expected range (lower threshold {low})" if low
                else f"the expected range (upper threshold {high})")
    return f"{latest}: {range_word(rating.range_status).lower()} {expected}."
