"""The paper's context: every sentence, table row and key the template's tags may use (pure: no docx)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from kpi_excel import narrative, proposals, rules
from kpi_excel.charts import observations_for, shown_periods
from kpi_excel.formatting import (
    DIRECTION_ARROWS,
    DIRECTION_WORDS,
    POLARITY_WORDS,
    direction_word,
    format_value,
    rag_word,
    range_word,
    year_words,
)
from kpi_excel.guidance import ACTIVITY_NOTE, rag_key, rag_notes, range_key, report_direction_key
from kpi_excel.model import Indicator, Observation, Period, Person, Rag, Rating, Report

RAG_FILLS = {Rag.GREEN: "00B050", Rag.AMBER: "FFC000", Rag.RED: "FF0000"}  # black text on each: AA
NO_FILL = "FFFFFF"
HEADER_FILL = "D9D9D9"
CHANGE_FILL = "FFF2CC"
DASH = "–"  # an empty cell would be read out as nothing: say there is no value
_NO_DATE = dt.datetime(2000, 1, 1)

ChartFn = Callable[[Rating, Sequence[Observation], str], Any]


def paper_context(report: Report, chart: ChartFn | None = None, *,
                  show_details: bool = True) -> dict[str, Any]:
    """Everything the template's tags may use (docs/paper.md lists it).

    Without show_details the template leaves out each indicator's page of detail (its chart and
    table of periods): a council-wide report keeps those in each directorate's own paper.
    """
    details = report.dataset.details
    shown = shown_periods(report)
    kpis = [kpi_item(r, report, shown, chart) for r in report.kpis]
    by_label = {r.indicator.label: item for r, item in zip(report.kpis, kpis, strict=True)}
    year = narrative.financial_year(report)
    summary = report.summary
    return {
        "title": paper_subject(report),
        "service": details.service,
        "committee": details.committee,
        "meeting_date": date_text(details.meeting_date),
        "to_line": " – ".join(t for t in (details.committee, date_text(details.meeting_date)) if t),
        "subject": paper_subject(report),
        "classification": details.classification,
        "from_people": [person_item(p, "From:" if i == 0 else "") for i, p in enumerate(details.from_)],
        "summary_intro": narrative.summary_intro(report),
        "summary_headline": narrative.headline(summary, report.dataset.settings.rag_method,
                                               narrative.not_rated_counts(report.kpis)),
        "summary_red": narrative.red_summary(report),
        "recommendation": narrative.recommendation(report),
        "introduction": narrative.introduction(report),
        "dashboard_paragraphs": [{"number": p.number, "text": p.text, "bullets": list(p.bullets)}
                                 for p in narrative.dashboard_paragraphs(report)],
        "author": person_item(details.author),
        "director": person_item(details.director),
        "period": report.period.label if report.period else "",
        "period_end": narrative.month_year(report.period) if report.period else "",
        "financial_year": year_words(year) if year else "",
        "next_year": year_words(year, ahead=1) if year else "",
        "year_end": narrative.is_year_end(report),
        "counts": {"green": summary.green, "amber": summary.amber, "red": summary.red,
                   "not_rated": summary.not_rated, "total": summary.total},
        "dashboard_title": dashboard_title(report),
        "data_note": data_note(report),
        "summary_table_note": ("Each KPI is rated on its latest value. The RAG rating is written as a "
                               "word as well as shown in colour."),
        "guidance": guidance_context(report),
        "sections": paginate([{"name": name or "Key Performance Indicators",
                               "kpis": [by_label[r.indicator.label] for r in ratings]}
                              for name, ratings in report.sections()]),
        "kpis": kpis,
        "red_kpis": [item for r, item in zip(report.kpis, kpis, strict=True) if r.rag is Rag.RED],
        "activities": _two_a_page([activity_item(r, report, shown, chart) for r in report.activities],
                                  first=1),
        "proposals": proposal_items(report),
        "proposals_intro": proposals_intro(report),
        "directorates": directorate_items(report),
        "directorates_intro": narrative.directorates_intro(report.directorates()),
        "show_details": show_details,
        "source": report.dataset.source,
    }


def directorate_items(report: Report) -> list[dict[str, Any]]:
    """KPI counts for each directorate, when the report spans more than one (else none)."""
    rows = report.directorates()
    if len(rows) < 2:
        return []
    return [{"name": name, "total": s.total, "green": s.green, "amber": s.amber, "red": s.red,
             "not_rated": s.not_rated} for name, s in rows]


def paginate(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mark where a page starts so the KPI details fall two to a page, each chart with its table.

    A break before a section's first KPI goes before the section heading instead.
    """
    _two_a_page([kpi for section in sections for kpi in section["kpis"]])
    for section in sections:
        first = section["kpis"][0] if section["kpis"] else {}
        section["break_before"] = first.get("break_before", False)
        if first:
            first["break_before"] = False
    return sections


def _two_a_page(items: list[dict[str, Any]], first: int = 0) -> list[dict[str, Any]]:
    """Set break_before on every second item; `first` items share the first page with what precedes."""
    for index, item in enumerate(items):
        item["break_before"] = index > 0 and (index - first) % 2 == 0 and index >= first
    return items


def paper_subject(report: Report) -> str:
    details = report.dataset.details
    return details.subject or dashboard_title(report)


def dashboard_title(report: Report) -> str:
    service = narrative.without_the(report.dataset.details.service)
    return f"{service} Performance Dashboard" if service else "Performance Dashboard"


def date_text(date: dt.date | None) -> str:
    """29 July 2020."""
    return f"{date.day} {date:%B %Y}" if date else ""


def data_note(report: Report) -> str:
    if report.period is None:
        return "The workbook has no results yet."
    end = narrative.month_year(report.period)
    when = f"year end {report.period.financial_year}" if narrative.is_year_end(report) else \
        report.period.financial_year
    return f"Results to {end} ({when}), from {report.dataset.source}."


def person_item(person: Person | None, label: str = "") -> dict[str, Any]:
    """A person as the template sees them: name, role, team, phone, email and their lines."""
    person = person or Person("")
    line = ", ".join(t for t in (person.name, person.role) if t)
    details = [t for t in (person.role, person.team, person.phone, person.email) if t]
    return {"label": label, "name": person.name, "role": person.role, "team": person.team,
            "phone": person.phone, "email": person.email, "line": line, "details": details}


def guidance_context(report: Report) -> dict[str, Any]:
    """The keys as applied, from guidance.py, so the paper and the workbook say the same."""
    settings = report.dataset.settings
    colours = {rag.word: RAG_FILLS[rag] for rag in Rag}
    arrows = {DIRECTION_WORDS[d]: DIRECTION_ARROWS[d] for d in DIRECTION_WORDS}
    return {
        "rag": [{"label": k.label, "meaning": k.meaning, "fill": colours.get(k.label, NO_FILL)}
                for k in rag_key(settings)],
        "rag_notes": list(rag_notes(settings)),
        "direction": [{"label": k.label, "meaning": k.meaning, "arrow": arrows.get(k.label, "")}
                      for k in report_direction_key(report)],
        "range": [{"label": k.label, "meaning": k.meaning} for k in range_key()],
        "activity_note": ACTIVITY_NOTE,
        "table_note": f"In the tables, a dash ({DASH}) means there is no value.",
    }


def _or_dash(text: str) -> str:
    return text or DASH


def kpi_item(rating: Rating, report: Report, shown: Sequence[Period],
             chart: ChartFn | None) -> dict[str, Any]:
    """One KPI as the template sees it: the summary-table cells, facts, period values and chart."""
    ind = rating.indicator
    observations = observations_for(ind, shown)
    description = narrative.chart_description(rating, observations, report)
    direction = direction_word(rating.direction)
    arrow = DIRECTION_ARROWS[rating.direction] if rating.direction else ""
    return {
        "code": _or_dash(ind.code), "name": ind.name, "label": ind.label, "section": ind.section,
        "value": _or_dash(format_value(rating.value, ind)),
        "period": rating.latest.period.label if rating.latest else DASH,
        "target": _or_dash(format_value(ind.target, ind)),
        "floor": _or_dash(format_value(ind.floor, ind)),
        "rag": rag_word(rating), "rag_fill": RAG_FILLS.get(rating.rag, NO_FILL) if rating.rag else NO_FILL,
        "direction": _or_dash(direction), "arrow": arrow,
        "direction_text": f"{arrow} {direction}" if direction else DASH,
        "commentary": ind.commentary,
        "commentary_text": ind.commentary or "No commentary was given in the workbook.",
        "facts": narrative.kpi_facts(rating, report),
        "stale": rating.stale,
        "chart_description": description,
        "chart": chart(rating, observations, description) if chart else "",
        "periods": [_kpi_period(o, ind, report) for o in observations],
    }


def _kpi_period(observation: Observation, ind: Indicator, report: Report) -> dict[str, str]:
    rag = None
    if observation.value is not None and ind.target is not None:
        rag = rules.rag_for(observation.value, ind, report.dataset.settings)
    return {"label": observation.period.label,
            "value": _or_dash(format_value(observation.value, ind)),
            "rag": rag.word if rag else DASH, "rag_fill": RAG_FILLS[rag] if rag else NO_FILL}


def activity_item(rating: Rating, report: Report, shown: Sequence[Period],
                  chart: ChartFn | None) -> dict[str, Any]:
    """One activity indicator: latest value against its expected range, period values and chart."""
    ind = rating.indicator
    observations = observations_for(ind, shown)
    description = narrative.chart_description(rating, observations, report)
    return {
        "code": _or_dash(ind.code), "name": ind.name, "label": ind.label, "section": ind.section,
        "value": _or_dash(format_value(rating.value, ind)),
        "period": rating.latest.period.label if rating.latest else DASH,
        "lower": _or_dash(format_value(ind.lower_threshold, ind)),
        "upper": _or_dash(format_value(ind.upper_threshold, ind)),
        "range": range_word(rating.range_status) or "No range",
        "commentary": ind.commentary,
        "facts": narrative.activity_facts(rating),
        "chart_description": description,
        "chart": chart(rating, observations, description) if chart else "",
        "periods": [_activity_period(o, ind) for o in observations],
    }


def _activity_period(observation: Observation, ind: Indicator) -> dict[str, str]:
    status = rules.range_status(observation.value, ind) if observation.value is not None else None
    return {"label": observation.period.label, "value": _or_dash(format_value(observation.value, ind)),
            "range": range_word(status) or DASH}


def proposal_items(report: Report) -> list[dict[str, Any]]:
    """Appendix 2's rows, from proposals.py: each proposal beside this year's target and floor, then
    this year's KPIs not proposed again."""
    coming = year_words(report.period.financial_year, ahead=1) if report.period else "next year"
    return [_proposal_row(line, coming) for line in proposals.proposal_lines(report)]


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
    year = report.period.financial_year if report.period else ""
    coming = year_words(year, ahead=1) if year else "next year"
    this = year_words(year) if year else "this year"
    return (f"The proposed target and floor standard for {coming} beside those for {this}; any change "
            "is described, and shaded, in the last column. A tougher target or floor standard is one "
            "that is harder to meet: higher where higher is better, lower where lower is better.")



def fixed_time(report: Report) -> dt.datetime:
    """The paper's created/modified time, from the data: the meeting date, else the period's end."""
    details = report.dataset.details
    if details.meeting_date:
        return dt.datetime.combine(details.meeting_date, dt.time())
    if report.period:
        return dt.datetime.combine(report.period.end, dt.time())
    return _NO_DATE
