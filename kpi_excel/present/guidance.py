"""The definitions as applied: RAG, direction of travel and activity-range keys (pure).

The workbook's Guidance sheet and the paper's Guidance Notes both print these, so the two can
never describe different rules.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from kpi_excel.core.formatting import DIRECTION_WORDS, POLARITY_WORDS, RANGE_WORDS, percent
from kpi_excel.core.model import (
    Direction,
    DirectionMethod,
    Polarity,
    RagMethod,
    RangeStatus,
    Report,
    RuleSettings,
)


@dataclass(frozen=True)
class KeyEntry:
    """One line of a key: the label (Green, Improved, Above) and what it means."""

    label: str
    meaning: str


@dataclass(frozen=True)
class RuleWords:
    """Every output's words for a RAG rule: its name, the headline's phrases, each colour's meaning."""

    name: str  # as a settings table names the rule: "Floor standard"
    amber: str  # after "3 were" in the paper's headline
    red: str  # after "1" in the paper's headline
    green_meaning: str  # clauses: "the target was achieved or exceeded"
    amber_meaning: str
    red_meaning: str

    def meaning(self, colour: str) -> str:
        return {"Green": self.green_meaning, "Amber": self.amber_meaning, "Red": self.red_meaning}[colour]


FLOOR_WORDS = RuleWords(
    name="Floor standard",
    amber="below target but did achieve the floor standard (Amber)",
    red="did not achieve the floor standard (Red)",
    green_meaning="the target was achieved or exceeded",
    amber_meaning="performance achieved or exceeded the expected floor standard but did not meet "
                  "the target for Green",
    red_meaning="performance did not meet the expected floor standard",
)
TOLERANCE_WORDS = RuleWords(
    name="Tolerance",
    amber="below target but within the agreed tolerance (Amber)",
    red="missed target by more than the agreed tolerance (Red)",
    green_meaning="the target was achieved or exceeded",
    amber_meaning="performance missed the target by no more than the agreed tolerance",
    red_meaning="performance missed the target by more than the agreed tolerance",
)


def rule_words(method: RagMethod, green_within: float = 0.0) -> RuleWords:
    """The words for a RAG rule; with a Green band below target, Green's meaning says so."""
    words = TOLERANCE_WORDS if method is RagMethod.TOLERANCE else FLOOR_WORDS
    if not green_within:
        return words
    return dataclasses.replace(words, green_meaning=f"{words.green_meaning}, or missed by no more than "
                                                    f"{percent(green_within)} of it")


def rule_name(settings: RuleSettings) -> str:
    """The rule as a settings table names it: 'Floor standard', 'Tolerance (10%)', 'Tolerance (10%);
    Green within 5%'."""
    name = rule_words(settings.rag_method).name
    if settings.rag_method is RagMethod.TOLERANCE:
        name = f"{name} ({settings.tolerance:.0%})"
    return f"{name}; Green within {percent(settings.green_within)}" if settings.green_within else name


def _sentence(clause: str) -> str:
    return clause[0].upper() + clause[1:] + "."


def rag_key(settings: RuleSettings) -> tuple[KeyEntry, ...]:
    """What Green, Amber and Red mean under the rule applied: the paper's own clauses, as sentences."""
    words = rule_words(settings.rag_method, settings.green_within)
    entries = {colour: _sentence(words.meaning(colour)) for colour in ("Green", "Amber", "Red")}
    if settings.rag_method is RagMethod.TOLERANCE:
        tolerance = f"{settings.tolerance:.0%}"
        detail = f" ({tolerance} of the target, or the indicator's own tolerance where it has one)."
        entries["Amber"] = entries["Amber"][:-1] + detail
        entries["Red"] = entries["Red"][:-1] + detail
    return tuple(KeyEntry(colour, meaning) for colour, meaning in entries.items())


def rag_notes(settings: RuleSettings, *, lower: bool = True, close_to_target: bool = True,
              without_floor: bool = True, unrated: bool = True, stale: bool = True) -> tuple[str, ...]:
    """The fine print of the RAG rule: boundaries, polarity, goal posts, missing data.

    The flags leave out a note about what no indicator uses (the paper explains only what it
    shows): lower-is-better or close-to-target indicators, indicators with no floor standard
    and no tolerance, indicators with no data or no target, indicators whose latest data is
    older than the report period.
    """
    notes = [
        "A value exactly equal to the target is Green; a value exactly equal to the floor "
        "standard is Amber.",
    ]
    if lower:
        notes.append("Where lower is better, the comparisons are reversed.")
    if close_to_target:
        tolerance = settings.goal_post_tolerance
        near = f"within {tolerance:.0%} of" if tolerance else "exactly on"
        notes.append(f"Where close to target is best, Green is {near} the target, Amber is no further "
                     "from the target than the floor standard (or the tolerance), and Red is further away.")
    if without_floor:
        notes.append("An indicator with no floor standard and no tolerance is rated Green or Red.")
    latest = "The RAG rating is for the latest period with data"
    notes.append(f"{latest}; indicators whose latest data is older than the report period are flagged."
                 if stale else f"{latest}.")
    if unrated:
        notes.append("Indicators with no data or no target are shown as 'No data' or 'Not rated' and "
                     "are not counted as Green, Amber or Red.")
    return tuple(notes)


DIRECTION_METHOD_WORDS = {
    DirectionMethod.PREVIOUS: "Against the previous period with data",
    DirectionMethod.LAST_YEAR: "Against the same period last year",
    DirectionMethod.TREND: "Straight-line trend across the periods shown",
}


def direction_key(settings: RuleSettings, data_only: bool = False) -> tuple[KeyEntry, ...]:
    """What the direction-of-travel arrows mean under the method applied; with data_only, also the
    words of indicators with no polarity, which rise and fall but neither improve nor worsen."""
    entries = _better_or_worse_key(settings)
    if not data_only:
        return entries
    data = f"{POLARITY_WORDS[Polarity.NONE]} (no polarity)"  # as the summary table's Polarity column
    if settings.direction is DirectionMethod.TREND:
        higher, lower = (f"{data}: the trend across the periods shown is upward.",
                         f"{data}: the trend across the periods shown is downward.")
    else:
        compared = _COMPARED_WITH[settings.direction]
        higher, lower = (f"{data}: the value is higher than in {compared}.",
                         f"{data}: the value is lower than in {compared}.")
    return (*entries, KeyEntry(DIRECTION_WORDS[Direction.INCREASED], higher),
            KeyEntry(DIRECTION_WORDS[Direction.DECREASED], lower))


def report_direction_key(report: Report) -> tuple[KeyEntry, ...]:
    """The direction key for a report: with Increased and Decreased when a KPI is data only."""
    data_only = any(r.indicator.polarity is Polarity.NONE for r in report.kpis)
    return direction_key(report.dataset.settings, data_only)


# what a direction compares the latest value with, for the methods that compare two periods
_COMPARED_WITH = {
    DirectionMethod.PREVIOUS: "the previous period with data",
    DirectionMethod.LAST_YEAR: "the same period last year",
}


def _better_or_worse_key(settings: RuleSettings) -> tuple[KeyEntry, ...]:
    if settings.direction is DirectionMethod.TREND:
        threshold = f"{settings.trend_threshold:.0%}"
        meanings = {
            Direction.IMPROVED: "The trend across the periods shown is in the right direction.",
            Direction.WORSENED: "The trend across the periods shown is in the wrong direction.",
            Direction.SAME: "No clear trend: the straight-line trend changes by no more than "
                            f"{threshold} of the average value across the periods shown.",
        }
    else:
        compared = _COMPARED_WITH[settings.direction]
        meanings = {
            Direction.IMPROVED: f"Performance has improved compared with {compared}.",
            Direction.WORSENED: f"Performance has worsened compared with {compared}.",
            Direction.SAME: f"Performance is unchanged compared with {compared}.",
        }
    return tuple(KeyEntry(DIRECTION_WORDS[direction], meaning) for direction, meaning in meanings.items())


def range_key() -> tuple[KeyEntry, ...]:
    """What the activity-indicator alerts mean, under the words the tables print."""
    meanings = {
        RangeStatus.ABOVE: "Activity is above the upper threshold of the expected range.",
        RangeStatus.WITHIN: "Activity is within the expected range (a value on a threshold is within it).",
        RangeStatus.BELOW: "Activity is below the lower threshold of the expected range.",
    }
    return tuple(KeyEntry(RANGE_WORDS[status], meaning) for status, meaning in meanings.items())


ACTIVITY_NOTE = (
    "Activity indicators give context to the KPIs. They have no target and are not RAG rated; "
    "instead they are compared with upper and lower thresholds, the range expected from past trends."
)
