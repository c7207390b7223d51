"""The rule a council's stated ratings show when its workbook does not say: Amber with no floors (pure)."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Sequence

from kpi_excel.core.model import Indicator, KpiType, Rag, RagMethod, RuleSettings, Warning_

_WITHIN = re.compile(r"within\s*(\d{1,2}(?:\.\d+)?)\s*%", re.I)


def rule_from_stated(indicators: Sequence[Indicator], settings: RuleSettings, rule_given: bool,
                     sink: list[Warning_]) -> RuleSettings:
    """The tolerance rule when the workbook gives no rule and no floor standard, yet its status
    column states Amber ratings: under the floor rule no KPI without a floor can be Amber, so the
    council must rate by a tolerance. Its size comes from the status words ('Target slightly missed
    (within 10%)'), else the default 10 %."""
    kpis = [i for i in indicators if i.type is KpiType.KPI]
    if rule_given or settings.rag_method is not RagMethod.FLOOR or any(i.floor is not None for i in kpis):
        return settings
    ambers = [i.stated for i in kpis if i.stated is not None and i.stated.rag is Rag.AMBER]
    if not ambers:
        return settings
    sizes = Counter(float(m.group(1)) / 100 for s in ambers if (m := _WITHIN.search(s.text)))
    tolerance = sizes.most_common(1)[0][0] if sizes else settings.tolerance
    sink.append(Warning_(
        f"the workbook gives no floor standards and no RAG rule, but its status column states Amber "
        f"ratings, so Amber is taken to mean within {tolerance:.0%} of the target (the tolerance rule), "
        "as the council rated them; add a Settings sheet or give --rule to choose", ambers[0].cell))
    return dataclasses.replace(settings, rag_method=RagMethod.TOLERANCE, tolerance=tolerance)
