"""The rule a council's stated ratings or its key to them show when its workbook does not say (pure)."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from kpi_excel.core.formatting import percent
from kpi_excel.core.model import Indicator, KpiType, Rag, RagMethod, RuleSettings, Warning_
from kpi_excel.core.values import clean_text
from kpi_excel.read.cells import Cell, ref
from kpi_excel.read.content import fill_rating

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


@dataclass(frozen=True)
class KeyRule:
    """The rule a key to the ratings above a table publishes: "Green: on or within 10% of the target",
    "Amber: target slightly missed (within 10%)", "Amber: within 5-10%"."""

    green_within: float | None
    tolerance: float | None
    where: str
    text: str


_KEY_WITHIN = re.compile(r"within\s*(\d{1,2}(?:\.\d+)?)\s*(?:%|per\s*cent)?\s*(?:(?:-|–|to)\s*"
                         r"(\d{1,2}(?:\.\d+)?)\s*)?(?:%|per\s*cent)", re.I)
_COLOUR = re.compile(r"\b(green|amber|red)\b\s*:?", re.I)
_BEYOND = re.compile(r"\bmore\s+than\b|\bover\b|\boutside\b", re.I)  # 'more than 10% off': not within


def key_rule(rows: Sequence[Sequence[Cell]], sheet: str) -> KeyRule | None:
    """The Green band and Amber tolerance a key above a table states, each row read as one entry
    (its colour a word or a colour-only fill) or a sentence naming each colour in turn."""
    green: float | None = None
    tolerance: float | None = None
    found: list[tuple[str, str]] = []
    for r, row in enumerate(rows):
        for colour, text, c in _entries(row):
            match = _KEY_WITHIN.search(text)
            if match is None or _BEYOND.search(text[:match.start()]):
                continue
            first = float(match.group(1)) / 100
            second = float(match.group(2)) / 100 if match.group(2) else None
            if colour is Rag.GREEN and green is None:
                green = first
            elif colour is Rag.AMBER and tolerance is None:
                green = first if second is not None and green is None else green
                tolerance = second if second is not None else first
            else:
                continue
            found.append((ref(sheet, r, c), text))
    if green is None and tolerance is None:
        return None
    return KeyRule(green, tolerance, found[0][0], "; ".join(text for _, text in found))


def _entries(row: Sequence[Cell]) -> list[tuple[Rag, str, int]]:
    """(colour, its meaning, the meaning's column) for each colour a key's row explains."""
    texts = [(c, clean_text(cell.value)) for c, cell in enumerate(row) if isinstance(cell.value, str)]
    colour = next((rag for cell in row if cell.value in (None, "") and (rag := fill_rating(cell.fill))), None)
    named = [(c, t) for c, t in texts if t.lower() in ("green", "amber", "red", "g", "a", "r")]
    if named and colour is None:
        colour = _BY_WORD[named[0][1].lower()[0]]
    entries = []
    for c, text in texts:
        if colour is not None and (c, text) not in named:
            entries.append((colour, text, c))
        elif colour is None:  # 'Green: on target or within 5 % of it; Amber: within 5-10 %'
            parts = _COLOUR.split(text)
            entries.extend((_BY_WORD[word.lower()[0]], part, c)
                           for word, part in zip(parts[1::2], parts[2::2], strict=True))
    return entries


_BY_WORD = {"g": Rag.GREEN, "a": Rag.AMBER, "r": Rag.RED}


def rule_from_key(key: KeyRule | None, settings: RuleSettings, rule_given: bool,
                  sink: list[Warning_]) -> RuleSettings:
    """The rule a key above the table publishes, when the workbook names none: a Green band below
    target, and an Amber tolerance (the tolerance rule)."""
    if key is None or rule_given:
        return settings
    changes: dict[str, object] = {}
    said = []
    if key.green_within is not None:
        changes["green_within"] = key.green_within
        said.append(f"Green within {percent(key.green_within)} of the target")
    if key.tolerance is not None:
        changes.update(rag_method=RagMethod.TOLERANCE, tolerance=key.tolerance)
        said.append(f"Amber within {percent(key.tolerance)} of it (the tolerance rule)")
    sink.append(Warning_(f"the key above the table says '{key.text}', so the KPIs are rated "
                         f"{' and '.join(said)}; add a Settings sheet or give --rule to choose", key.where))
    return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]
