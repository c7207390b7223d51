"""The paper's context: every sentence, table row and key the template's tags may use (pure: no docx)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from kpi_excel.core import proposals
from kpi_excel.core.formatting import (
    DIRECTION_ARROWS,
    DIRECTION_WORDS,
    POLARITY_WORDS,
    direction_word,
    format_value,
    rag_word,
    range_word,
    this_and_next_year,
    year_words,
)
from kpi_excel.core.model import Indicator, Person, Polarity, Rag, Rating, Report
from kpi_excel.present import narrative, palette
from kpi_excel.present.chartspec import ChartSpec, describe
from kpi_excel.present.guidance import ACTIVITY_NOTE, rag_key, rag_notes, range_key, report_direction_key
from kpi_excel.present.narrative import dashboard_title
from kpi_excel.present.views import IndicatorView, PeriodFigure, ReportView, viewed

# Word wants fills as RRGGBB; the colours, and the text colour on each, come from palette.py
RAG_FILLS = {rag: swatch.fill_hex for rag, swatch in palette.RAG_SWATCHES.items()}
NO_FILL = palette.PLAIN.fill_hex
HEADER_FILL = palette.HEADER_FILL.lstrip("#")
CHANGE_FILL = palette.CHANGE_FILL.lstrip("#")
DASH = "–"  # an empty cell would be read out as nothing: say there is no value
PERIODS_A_ROW = 6  # twelve periods at 9 pt do not fit across a portrait page: two rows of six
_NO_DATE = dt.datetime(2000, 1, 1)

# What the paper shows, highlighted, where the workbook does not give a detail of the header
# block or the contacts: a gap no one can miss, and `build` warns about it.
PLACEHOLDERS = {
    "committee": "[Committee]",
    "meeting date": "[Meeting date]",
    "from": "[Cabinet Member and Corporate Director]",
    "report author": "[Report author]",
    "relevant director": "[Relevant director]",
}

ChartFn = Callable[[ChartSpec | None], Any]  # what the template shows for a chart: "" for none


def paper_context(rated: Report | ReportView, chart: ChartFn | None = None, *,
                  show_details: bool = True) -> dict[str, Any]:
    """Everything the template's tags may use (docs/paper.md lists it), for a rated report (its
    view, or the report itself).

    Without show_details the template leaves out each indicator's page of detail (its chart and
    table of periods): a council-wide report keeps those in each directorate's own paper.
    """
    view = viewed(rated)
    report = view.report
    details = report.dataset.details
    gaps = set(missing_details(report))
    kpis = [kpi_item(view.of(r), report, chart) for r in report.kpis]
    by_label = {r.indicator.label: item for r, item in zip(report.kpis, kpis, strict=True)}
    year = narrative.financial_year(report)
    summary = report.summary
    return {
        "title": paper_subject(report),
        "service": details.service,
        "committee": details.committee,
        "meeting_date": date_text(details.meeting_date),
        "to_line": " – ".join((details.committee or PLACEHOLDERS["committee"],
                                 date_text(details.meeting_date) or PLACEHOLDERS["meeting date"])),
        "subject": paper_subject(report),
        "classification": details.classification,
        "from_people": [person_item(p, "From:" if i == 0 else "")
                        for i, p in enumerate(details.from_ or (Person(PLACEHOLDERS["from"]),))],
        "summary_intro": narrative.summary_intro(report),
        "summary_headline": narrative.headline(summary, report.dataset.settings.rag_method,
                                               narrative.not_rated_counts(report.kpis),
                                               report.dataset.settings.green_within),
        "summary_red": narrative.red_summary(report),
        "recommendation": narrative.recommendation(report),
        "introduction": narrative.introduction(report),
        "dashboard_paragraphs": [{"number": p.number, "text": p.text, "bullets": list(p.bullets)}
                                 for p in narrative.dashboard_paragraphs(report)],
        "author": person_item(_or_placeholder(details.author, "report author")),
        "director": person_item(_or_placeholder(details.director, "relevant director")),
        "period": report.period.label if report.period else "",
        "period_end": narrative.month_year(report.period) if report.period else "",
        "financial_year": year_words(year) if year else "",
        "next_year": year_words(year, ahead=1) if year else "",
        "year_end": narrative.is_year_end(report),
        "counts": {"green": summary.green, "amber": summary.amber, "red": summary.red,
                   "not_rated": summary.not_rated, "total": summary.total},
        "dashboard_title": dashboard_title(report),
        "data_note": data_note(report),
        "summary_table_note": ("Each KPI is rated on its latest value, shown with its period where that "
                               "is older than the report period. The RAG rating is written as a word "
                               "as well as shown in colour."),
        "guidance": guidance_context(view),
        # break_before stays (always false) for templates copied from earlier versions of the shipped
        # one, which forced a page break every two indicators: pages now fill as they come
        "sections": [{"name": name or "Key Performance Indicators", "break_before": False,
                      "kpis": [by_label[r.indicator.label] for r in ratings]}
                     for name, ratings in report.sections()],
        "kpis": kpis,
        "red_kpis": [item for r, item in zip(report.kpis, kpis, strict=True) if r.rag is Rag.RED],
        "red_intro": red_intro([r for r in report.kpis if r.rag is Rag.RED], show_details),
        "activities": [activity_item(view.of(r), report, chart) for r in report.activities],
        "proposals": proposal_items(view),
        "proposals_intro": proposals_intro(report),
        "directorates": directorate_items(report),
        "directorates_intro": narrative.directorates_intro(report.directorates()),
        "show_details": show_details,
        "source": report.dataset.source,
        "placeholders": [PLACEHOLDERS[name] for name in PLACEHOLDERS if name in gaps],
    }


def missing_details(report: Report) -> list[str]:
    """The details of the paper's header block and contacts the workbook does not give."""
    details = report.dataset.details
    given = {
        "committee": bool(details.committee),
        "meeting date": details.meeting_date is not None,
        "from": bool(details.from_),
        "report author": bool(details.author and details.author.name),
        "relevant director": bool(details.director and details.director.name),
    }
    return [name for name in PLACEHOLDERS if not given[name]]


_WHERE_GIVEN = {"committee": "--committee", "meeting date": "--meeting-date", "report author": "--author",
                "relevant director": "--director"}


def missing_details_warning(report: Report) -> str:
    """What `build` says when the paper shows placeholders: which details, and where to give them."""
    missing = missing_details(report)
    if not missing:
        return ""
    options = [_WHERE_GIVEN[name] for name in missing if name in _WHERE_GIVEN]
    how = "on the Paper details sheet" + (f" or with {', '.join(options)}" if options else "")
    return (f"the paper has highlighted placeholders for details the workbook does not give "
            f"({', '.join(missing)}): give them {how} and build again, or fill them in before "
            "publishing")


def _or_placeholder(person: Person | None, name: str) -> Person:
    return person if person and person.name else Person(PLACEHOLDERS[name])


def red_intro(reds: Sequence[Rating], show_details: bool) -> str:
    """The lead-in to the list of Red KPIs: where the rest of each one's story is (commentary only
    where the department wrote some)."""
    red = len(reds)
    which = "This KPI was" if red == 1 else f"These {red} KPIs were"
    if not show_details:
        return f"{which} rated Red, with the commentary given in the workbook:"
    commented = sum(bool(r.indicator.commentary.strip()) for r in reds)
    if red == 1:
        where = "its chart, values by period and commentary are" if commented else \
            "its chart and values by period are"
    elif commented == red:
        where = "the chart, values by period and commentary of each are"
    else:
        where = "the chart and values by period of each, and any commentary, are"
    return f"{which} rated Red; {where} under KPI details below:"


def directorate_items(report: Report) -> list[dict[str, Any]]:
    """KPI counts for each directorate, when the report spans more than one (else none)."""
    rows = report.directorates()
    if len(rows) < 2:
        return []
    return [{"name": name, "total": s.total, "green": s.green, "amber": s.amber, "red": s.red,
             "not_rated": s.not_rated} for name, s in rows]


def paper_subject(report: Report) -> str:
    details = report.dataset.details
    return details.subject or dashboard_title(report)


def date_text(date: dt.date | None) -> str:
    """29 July 2020."""
    return f"{date.day} {date:%B %Y}" if date else ""


def data_note(report: Report) -> str:
    if report.period is None:
        return "The workbook has no results yet."
    end = narrative.month_year(report.period)
    when = f"year end {report.period.financial_year}" if narrative.is_year_end(report) else \
        report.period.financial_year
    return f"Results to {end} ({when})."


def person_item(person: Person | None, label: str = "") -> dict[str, Any]:
    """A person as the template sees them: name, role, team, phone, email and their lines."""
    person = person or Person("")
    line = ", ".join(t for t in (person.name, person.role) if t)
    details = [t for t in (person.role, person.team, person.phone, person.email) if t]
    return {"label": label, "name": person.name, "role": person.role, "team": person.team,
            "phone": person.phone, "email": person.email, "line": line, "details": details}


def guidance_context(view: ReportView) -> dict[str, Any]:
    """The keys as applied, from guidance.py, so the paper and the workbook say the same."""
    report = view.report
    settings = report.dataset.settings
    arrows = {DIRECTION_WORDS[d]: DIRECTION_ARROWS[d] for d in DIRECTION_WORDS}
    kpis = [r.indicator for r in report.kpis]
    notes = rag_notes(
        settings,
        lower=any(i.polarity is Polarity.LOWER for i in kpis),
        close_to_target=any(i.polarity is Polarity.TARGET for i in kpis),
        without_floor=any(view.of(r).amber_limit is None and r.indicator.target is not None
                          and r.indicator.polarity in (Polarity.HIGHER, Polarity.LOWER) for r in report.kpis),
        unrated=any(r.rag is None for r in report.kpis),
        stale=any(r.stale for r in report.kpis),
    )
    return {
        "rag": [{"label": k.label, "meaning": k.meaning, "fill": palette.swatch_for_word(k.label).fill_hex}
                for k in rag_key(settings)],
        "rag_notes": list(notes),
        "colours": palette.colours_sentence(),
        "direction": [{"label": k.label, "meaning": k.meaning, "arrow": arrows.get(k.label, "")}
                      for k in report_direction_key(report)],
        "range": [{"label": k.label, "meaning": k.meaning} for k in range_key()],
        "activity_note": ACTIVITY_NOTE,
        "table_note": f"In the tables, a dash ({DASH}) means there is no value.",
    }


def _or_dash(text: str) -> str:
    return text or DASH


def _description(view: IndicatorView, report: Report) -> str:
    """The chart's alt text; for an indicator with no figure (and no chart), why there is none."""
    if view.chart:
        return view.chart.alt_text
    return describe(view.rating, view.observations, [], report.dataset.settings)


def kpi_item(view: IndicatorView, report: Report, chart: ChartFn | None) -> dict[str, Any]:
    """One KPI as the template sees it: the summary-table cells, facts, period values and chart."""
    rating, spec = view.rating, view.chart
    ind = rating.indicator
    description = _description(view, report)
    direction = direction_word(rating.direction)
    arrow = DIRECTION_ARROWS[rating.direction] if rating.direction else ""
    return {
        "code": _or_dash(ind.code), "name": ind.name, "label": ind.label, "section": ind.section,
        "break_before": False,
        "value": _or_dash(format_value(rating.value, ind)),
        "period": rating.latest.period.label if rating.latest else DASH,
        "value_text": _value_text(rating),
        "polarity": POLARITY_WORDS[ind.polarity],
        "target": _or_dash(format_value(ind.target, ind)),
        "floor": _or_dash(format_value(ind.floor, ind)),
        "rag": rag_word(rating), "rag_fill": palette.swatch_for_word(rag_word(rating)).fill_hex,
        "direction": _or_dash(direction), "arrow": arrow,
        "direction_text": f"{arrow} {direction}" if direction else DASH,
        "commentary": ind.commentary,
        "commentary_text": ind.commentary or "No commentary was given in the workbook.",
        "facts": narrative.kpi_facts(rating, report),
        "stale": rating.stale,
        "chart_description": description,
        "chart": chart(spec) if chart else "",
        "periods": (periods := [_kpi_period(figure, ind) for figure in view.figures]),
        "period_rows": period_rows(periods, {"label": "", "value": "", "rag": "", "rag_fill": NO_FILL}),
    }


def _value_text(rating: Rating) -> str:
    """The latest value, with its period when that is older than the report period: 72.1% (Feb-20)."""
    value = _or_dash(format_value(rating.value, rating.indicator))
    return f"{value} ({rating.latest.period.label})" if rating.stale and rating.latest else value


def period_rows(periods: list[dict[str, str]], blank: dict[str, str]) -> list[list[dict[str, str]]]:
    """The periods in rows of at most six, as even as can be (12 as 6 + 6, 8 as 4 + 4); a short
    last row is filled with blank cells so that the table stays a grid."""
    if len(periods) <= PERIODS_A_ROW:
        return [periods] if periods else []
    rows = -(-len(periods) // PERIODS_A_ROW)
    size = -(-len(periods) // rows)
    chunks = [periods[i:i + size] for i in range(0, len(periods), size)]
    chunks[-1] = chunks[-1] + [dict(blank) for _ in range(size - len(chunks[-1]))]
    return chunks


def _kpi_period(figure: PeriodFigure, ind: Indicator) -> dict[str, str]:
    observation, rag = figure.observation, figure.rag
    return {"label": observation.period.label,
            "value": _or_dash(format_value(observation.value, ind)),
            "rag": rag.word if rag else DASH, "rag_fill": RAG_FILLS[rag] if rag else NO_FILL}


def activity_item(view: IndicatorView, report: Report, chart: ChartFn | None) -> dict[str, Any]:
    """One activity indicator: latest value against its expected range, period values and chart."""
    rating, spec = view.rating, view.chart
    ind = rating.indicator
    description = _description(view, report)
    return {
        "code": _or_dash(ind.code), "name": ind.name, "label": ind.label, "section": ind.section,
        "break_before": False,
        "value": _or_dash(format_value(rating.value, ind)),
        "period": rating.latest.period.label if rating.latest else DASH,
        "lower": _or_dash(format_value(ind.lower_threshold, ind)),
        "upper": _or_dash(format_value(ind.upper_threshold, ind)),
        "range": range_word(rating.range_status) or "No range",
        "commentary": ind.commentary,
        "facts": narrative.activity_facts(rating),
        "chart_description": description,
        "chart": chart(spec) if chart else "",
        "periods": (periods := [_activity_period(figure, ind) for figure in view.figures]),
        "period_rows": period_rows(periods, {"label": "", "value": "", "range": ""}),
    }


def _activity_period(figure: PeriodFigure, ind: Indicator) -> dict[str, str]:
    observation = figure.observation
    return {"label": observation.period.label, "value": _or_dash(format_value(observation.value, ind)),
            "range": range_word(figure.range_status) or DASH}


def proposal_items(view: ReportView) -> list[dict[str, Any]]:
    """Appendix 2's rows, from proposals.py: each proposal beside this year's target and floor, then
    this year's KPIs not proposed again."""
    _, coming = this_and_next_year(view.report.period)
    return [_proposal_row(line, coming) for line in view.proposals]


def _proposal_row(line: proposals.ProposalLine, coming: str) -> dict[str, Any]:
    return {
        "code": _or_dash(line.code), "name": line.name,
        "polarity": POLARITY_WORDS[line.polarity] if line.polarity else DASH,
        "current_target": _or_dash(format_value(line.current_target, line.shape)),
        "current_floor": _or_dash(format_value(line.current_floor, line.shape)),
        "target": _or_dash(format_value(line.target, line.shape)),
        "floor": _or_dash(format_value(line.floor, line.shape)),
        "change": proposals.change_note(line, coming),
        "changed": bool(line.kinds), "change_fill": CHANGE_FILL if line.kinds else NO_FILL,
    }


def proposals_intro(report: Report) -> str:
    if not report.dataset.proposals:
        return ""
    this, coming = this_and_next_year(report.period)
    return (f"The table below sets each proposed target and floor standard for {coming} beside those "
            f"for {this}; any change is described, and shaded, in the last column. A tougher target or "
            "floor standard is one that is harder to meet: higher where higher is better, lower where "
            "lower is better.")


def fixed_time(report: Report) -> dt.datetime:
    """The paper's created/modified time, from the data: the meeting date, else the period's end."""
    details = report.dataset.details
    if details.meeting_date:
        return dt.datetime.combine(details.meeting_date, dt.time())
    if report.period:
        return dt.datetime.combine(report.period.end, dt.time())
    return _NO_DATE
