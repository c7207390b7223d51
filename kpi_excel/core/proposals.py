"""Next year's proposals against this year's KPIs: matched once, by one rule, for every output (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kpi_excel.core.compare import approx_equal
from kpi_excel.core.english import join_names, number_word, plural
from kpi_excel.core.formatting import this_and_next_year
from kpi_excel.core.model import Indicator, Polarity, Proposal, Report
from kpi_excel.core.values import normalise

# Every kind of change, in the order paragraph 2.6 lists them.
TARGET_UP, TARGET_DOWN = "target up", "target down"
TARGET_ADDED, TARGET_REMOVED = "target added", "target removed"
FLOOR_UP, FLOOR_DOWN, FLOOR_ADDED, FLOOR_REMOVED = "floor up", "floor down", "floor added", "floor removed"
NEW, DROPPED = "new", "removed"
CHANGE_KINDS = (TARGET_UP, TARGET_DOWN, TARGET_ADDED, TARGET_REMOVED, FLOOR_UP, FLOOR_DOWN, FLOOR_ADDED,
                FLOOR_REMOVED, NEW, DROPPED)

TOUGHER, EASIER = "tougher", "easier"


def same_figure(a: float | None, b: float | None) -> bool:
    """Whether two figures are the same: both missing, or equal as a spreadsheet compares them."""
    if a is None or b is None:
        return a is None and b is None
    return approx_equal(a, b)


def match_kpi(code: str, name: str, kpis: Iterable[Indicator]) -> Indicator | None:
    """This year's KPI a proposal continues: the same code, else (no code matching) the same name.

    Codes and names are compared ignoring case, spaces and punctuation ('CS 04a' is 'cs04a').
    """
    kpis = list(kpis)
    if code:
        key = normalise(code)
        for ind in kpis:
            if ind.code and normalise(ind.code) == key:
                return ind
    key = normalise(name)
    if key:
        for ind in kpis:
            if normalise(ind.name) == key:
                return ind
    return None


def tougher_or_easier(kind: str, polarity: Polarity | None) -> str:
    """Whether a target or floor standard moving this way is tougher or easier to meet ('' when
    neither: a goal post, an indicator with no polarity, a standard added or removed)."""
    if kind not in (TARGET_UP, TARGET_DOWN, FLOOR_UP, FLOOR_DOWN) or polarity not in (
            Polarity.HIGHER, Polarity.LOWER):
        return ""
    raised = kind in (TARGET_UP, FLOOR_UP)
    return TOUGHER if raised == (polarity is Polarity.HIGHER) else EASIER


@dataclass(frozen=True)
class ProposalLine:
    """One row of the proposals table: a proposed KPI, or this year's KPI not proposed again."""

    code: str
    name: str
    polarity: Polarity | None
    current_target: float | None
    current_floor: float | None
    target: float | None
    floor: float | None
    kinds: tuple[str, ...]  # CHANGE_KINDS; empty when unchanged
    shape: Indicator  # how the figures are written (percentage, decimals)
    note: str = ""

    @property
    def key(self) -> str:
        """The code, or the name when there is no code: how a sentence lists the indicator."""
        return self.code or self.name

    @property
    def is_new(self) -> bool:
        return NEW in self.kinds

    @property
    def is_dropped(self) -> bool:
        return DROPPED in self.kinds

    def senses(self) -> dict[str, str]:
        """Each change kind's meaning for this indicator's polarity (tougher, easier or '')."""
        return {kind: tougher_or_easier(kind, self.polarity) for kind in self.kinds}


def changes_between(current_target: float | None, current_floor: float | None,
                    target: float | None, floor: float | None) -> tuple[str, ...]:
    """The kinds of change from this year's target and floor to the proposed ones."""
    kinds = []
    for (now, proposed), (up, down, added, removed) in (
            ((current_target, target), (TARGET_UP, TARGET_DOWN, TARGET_ADDED, TARGET_REMOVED)),
            ((current_floor, floor), (FLOOR_UP, FLOOR_DOWN, FLOOR_ADDED, FLOOR_REMOVED))):
        if same_figure(now, proposed):
            continue
        if now is None:
            kinds.append(added)
        elif proposed is None:
            kinds.append(removed)
        else:
            kinds.append(up if proposed > now else down)
    return tuple(kinds)


def proposal_lines(report: Report) -> list[ProposalLine]:
    """Every proposal beside the KPI it continues (matched by match_kpi), in the proposals' order,
    then this year's KPIs that no proposal continues. Empty when the workbook has no proposals."""
    proposals = report.dataset.proposals
    if not proposals:
        return []
    kpis = [r.indicator for r in report.kpis]
    lines = []
    continued: set[int] = set()
    for proposal in proposals:
        match = match_kpi(proposal.code, proposal.name, kpis)
        if match is not None:
            continued.add(id(match))
        lines.append(_line(proposal, match))
    for ind in kpis:
        if id(ind) not in continued:
            lines.append(ProposalLine(ind.code, ind.name, ind.polarity, ind.target, ind.floor, None, None,
                                      (DROPPED,), ind))
    return lines


def _line(proposal: Proposal, match: Indicator | None) -> ProposalLine:
    polarity = proposal.polarity or (match.polarity if match else None)
    if match is None:
        shape = Indicator(proposal.name, proposal.code, is_percent=proposal.is_percent,
                          number_format="0.0%" if proposal.is_percent else "General")
        return ProposalLine(proposal.code, proposal.name, polarity, None, None, proposal.target,
                            proposal.floor, (NEW,), shape, proposal.note)
    kinds = changes_between(match.target, match.floor, proposal.target, proposal.floor)
    return ProposalLine(proposal.code, proposal.name, polarity, match.target, match.floor, proposal.target,
                        proposal.floor, kinds, match, proposal.note)


def changed_keys(lines: Sequence[ProposalLine]) -> list[str]:
    """The indicators with any change, new or dropped, in table order."""
    return [line.key for line in lines if line.kinds]


# --- Words: the same in paragraph 2.6, Appendix 2 and the workbook's Proposals sheet -------------

NO_CHANGE = "No change"
NEW_WORDS = "New indicator"
_WHAT = {TARGET_UP: ("Target", "raised"), TARGET_DOWN: ("Target", "lowered"),
         TARGET_ADDED: ("Target", "added"), TARGET_REMOVED: ("Target", "removed"),
         FLOOR_UP: ("Floor standard", "raised"),
         FLOOR_DOWN: ("Floor standard", "lowered"), FLOOR_ADDED: ("Floor standard", "added"),
         FLOOR_REMOVED: ("Floor standard", "removed")}


def not_proposed_words(next_year: str) -> str:
    """The change note of this year's KPI that no proposal continues."""
    return f"Not proposed for {next_year}"


def change_words(kind: str, polarity: Polarity | None) -> str:
    """One change as the Change column writes it: 'Target lowered (tougher)', 'Floor standard added'."""
    what, how = _WHAT[kind]
    sense = tougher_or_easier(kind, polarity)
    return f"{what} {how} ({sense})" if sense else f"{what} {how}"


def change_note(line: ProposalLine, next_year: str) -> str:
    """The Change cell of one row: its changes joined by '; ', 'New indicator', or 'No change'."""
    if line.is_new:
        return NEW_WORDS
    if line.is_dropped:
        return not_proposed_words(next_year)
    if not line.kinds:
        return NO_CHANGE
    return "; ".join(change_words(kind, line.polarity) for kind in line.kinds)


def _standard_phrase(kind: str, sense: str, n: int) -> str:
    """'a tougher (raised) target', 'new floor standards', 'the removal of the target' ..."""
    what, how = _WHAT[kind]
    noun = what.lower() if n == 1 else what.lower().replace("target", "targets").replace(
        "standard", "standards")
    if how == "added":
        return f"a new {noun}" if n == 1 else f"new {noun}"
    if how == "removed":
        return f"the removal of the {noun}"
    described = f"{sense} ({how}) {noun}" if sense else f"{how} {noun}"
    if n > 1:
        return described
    return f"{'an' if described[0] in 'aeiou' else 'a'} {described}"


def describe_changes(lines: Sequence[ProposalLine]) -> list[str]:
    """Each kind of change as a phrase: 'tougher (raised) floor standards for two indicators (CS04a
    and CS04b)'. The phrases follow CHANGE_KINDS' order, tougher before easier, so the sentence is
    the same whatever the proposals' order."""
    groups: dict[tuple[str, str], list[str]] = {}
    for line in lines:
        for kind, sense in line.senses().items():
            groups.setdefault((kind, sense), []).append(line.key)
    order = {kind: i for i, kind in enumerate(CHANGE_KINDS)}
    sense_order = {TOUGHER: 0, EASIER: 1, "": 2}

    def place(group: tuple[str, str]) -> tuple[bool, int, int]:
        """Targets, then floor standards, then new and dropped indicators; tougher before easier."""
        kind, sense = group
        return kind.startswith("floor") or kind in (NEW, DROPPED), sense_order[sense], order[kind]

    phrases = []
    for (kind, sense), keys in sorted(groups.items(), key=lambda g: place(g[0])):
        n = len(keys)
        listed = f"({join_names(keys)})"
        indicators = f"{number_word(n)} {plural(n, 'indicator')} {listed}"
        if kind == NEW:
            phrases.append(f"{number_word(n)} new {plural(n, 'indicator')} {listed}")
        elif kind == DROPPED:
            phrases.append(f"the removal of {indicators}")
        else:
            phrases.append(f"{_standard_phrase(kind, sense, n)} for {indicators}")
    return phrases


def proposals_paragraph(report: Report) -> str:
    """The paragraph on next year's KPIs: where they are and what changes, from the data."""
    this, coming = this_and_next_year(report.period)
    text = f"The proposed KPIs and targets for {coming} are attached in Appendix 2."
    lines = proposal_lines(report)
    phrases = describe_changes(lines)
    if not phrases:
        return f"{text} These are unchanged from {this}."
    changed = len(changed_keys(lines))
    compared = max(len(report.dataset.proposals), len(report.kpis))
    # "largely unchanged" only when at most a third change: one of two is not "largely"
    if changed * 3 <= compared:
        return f"{text} These are largely unchanged from {this}, except for {join_names(phrases)}."
    return f"{text} The changes from {this} are {join_names(phrases)}."
