"""The report as plain data: the shape `kpi-excel check --json` prints (pure)."""

from __future__ import annotations

from typing import Any

from kpi_excel.core.formatting import format_value
from kpi_excel.core.model import PeriodKind, Rating, Report


def report_to_dict(report: Report) -> dict[str, Any]:
    """{"period", "period_source", "kpis": [...], "summary": {...}, "warnings": [...]}: stable keys
    for scripts. Each KPI carries "stated_rag" (the council's own rating from a status column, null
    when there is none or it says not rated) and "stated_status" (its words, null with no column)."""
    summary = report.summary
    return {
        "source": report.dataset.source,
        "sha256": report.dataset.sha256,
        "period": report.period.label if report.period else None,
        "financial_year": report.period.financial_year
        if report.period and report.period.kind is not PeriodKind.LATEST else None,
        "period_source": _period_source(report),
        "rule": report.dataset.settings.rag_method.value,
        "direction_method": report.dataset.settings.direction.value,
        "kpis": [_rating_to_dict(r) for r in report.ratings],
        "summary": {
            "green": summary.green,
            "amber": summary.amber,
            "red": summary.red,
            "not_rated": summary.not_rated,
        },
        "warnings": [{"where": w.where, "message": w.message} for w in report.warnings],
        # how every column of every table was read (check --explain): its role and why
        "columns": [{"where": c.where, "heading": c.heading, "role": c.role, "why": c.why}
                    for c in report.dataset.columns],
    }


def _rating_to_dict(rating: Rating) -> dict[str, Any]:
    ind = rating.indicator
    return {
        "code": ind.code,
        "indicator": ind.name,
        "section": ind.section,
        "type": ind.type.value,
        "polarity": ind.polarity.value,
        "value": rating.value,
        "display_value": format_value(rating.value, ind),
        "period": rating.latest.period.label if rating.latest else None,
        "target": ind.target,
        "floor": ind.floor,
        "lower_threshold": ind.lower_threshold,
        "upper_threshold": ind.upper_threshold,
        "is_percent": ind.is_percent,
        "rag": rating.rag.value if rating.rag else None,
        "dot": rating.direction.value if rating.direction else None,
        "range": rating.range_status.value if rating.range_status else None,
        "not_rated_reason": rating.not_rated_reason,
        "stale": rating.stale,
        "cell": rating.latest.cell if rating.latest else None,
        "stated_rag": ind.stated.rag.value if ind.stated and ind.stated.rag else None,
        "stated_status": ind.stated.text if ind.stated else None,
    }


def _period_source(report: Report) -> dict[str, str]:
    """Where the report's periods came from: {"kind": "headings"} when the columns name them."""
    source = report.dataset.period_source
    if source is None:
        return {"kind": "headings"}
    return {"kind": source.kind, "where": source.where, "text": source.text}
