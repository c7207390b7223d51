"""The guidance text states the rules as applied, for each setting."""

from __future__ import annotations

from kpi_excel.core.formatting import POLARITY_WORDS, direction_word, range_word
from kpi_excel.core.model import Direction, DirectionMethod, Polarity, RagMethod, RangeStatus, RuleSettings
from kpi_excel.present.guidance import direction_key, rag_key, rag_notes, range_key


def test_goal_post_note_reads_as_a_sentence_for_zero_and_nonzero_tolerance() -> None:
    exact = " ".join(rag_notes(RuleSettings(goal_post_tolerance=0.0)))
    banded = " ".join(rag_notes(RuleSettings(goal_post_tolerance=0.05)))
    assert "Green is exactly on the target" in exact
    assert "Green is within 5% of the target" in banded
    assert "within exactly" not in exact


def test_tolerance_rule_names_its_percentage_and_floor_rule_names_the_floor() -> None:
    amber = {e.label: e.meaning for e in rag_key(RuleSettings(rag_method=RagMethod.TOLERANCE,
                                                              tolerance=0.05))}["Amber"]
    assert "5%" in amber
    floor_amber = {e.label: e.meaning for e in rag_key(RuleSettings())}["Amber"]
    assert "floor standard" in floor_amber


def test_direction_key_says_what_is_compared() -> None:
    last_year = direction_key(RuleSettings(direction=DirectionMethod.LAST_YEAR))
    assert all("same period last year" in e.meaning for e in last_year)
    trend = {e.label: e.meaning for e in direction_key(RuleSettings(direction=DirectionMethod.TREND,
                                                                    trend_threshold=0.03))}
    assert "3%" in trend["Same"]


def test_every_direction_word_the_tables_print_is_in_the_key_for_every_method() -> None:
    for method in DirectionMethod:
        key = direction_key(RuleSettings(direction=method), data_only=True)
        assert {entry.label for entry in key} == {direction_word(d) for d in Direction}, method
        compared = {entry.label: entry.meaning for entry in key}
        # the key names data-only indicators as the summary table's Polarity column does
        assert compared["Increased"].startswith(POLARITY_WORDS[Polarity.NONE] + " "), compared
        if method is not DirectionMethod.TREND:
            # the data-only lines compare with the same period the Improved line names
            period = compared["Improved"].removeprefix("Performance has improved compared with ")
            assert compared["Increased"].endswith(f"higher than in {period}"), compared


def test_every_range_word_the_tables_print_is_in_the_activity_key() -> None:
    assert [entry.label for entry in range_key()] == [range_word(s) for s in
                                                      (RangeStatus.ABOVE, RangeStatus.WITHIN,
                                                       RangeStatus.BELOW)]


def test_the_stale_data_note_only_when_some_data_is_older_than_the_report_period() -> None:
    with_stale = " ".join(rag_notes(RuleSettings(), stale=True))
    without = " ".join(rag_notes(RuleSettings(), stale=False))
    assert "older than the report period are flagged" in with_stale
    assert "flagged" not in without and "The RAG rating is for the latest period with data." in without
