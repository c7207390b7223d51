"""English for lists and counts, shared by every sentence the outputs write (pure)."""

from __future__ import annotations

from collections.abc import Sequence

_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                 "eleven", "twelve")
_ORDINAL_WORDS = ("zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                  "ninth", "tenth", "eleventh", "twelfth")


def join_names(names: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C': a list as a sentence names it (codes too: 'CS04a and CS04b',
    with no comma before the 'and')."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return names[0] if names else ""
    return f"{', '.join(names[:-1])} and {names[-1]}"


def join_labels(labels: Sequence[str]) -> str:
    """Indicators named as 'Name (CODE)', each ending in its code: 'A (A1), B (B2) and C (C3)'; when a
    name holds a comma itself, semicolons keep them apart: 'A (A1); B, minor (B2); and C (C3)'."""
    labels = [n for n in labels if n]
    if len(labels) <= 2 or not any("," in label for label in labels):
        return join_names(labels)
    return f"{'; '.join(labels[:-1])}; and {labels[-1]}"


def indicator_words(name: str, code: str) -> str:
    """An indicator as a sentence names it: 'Rent collected (HS01)', or the name or code alone."""
    if name and code:
        return f"{name} ({code})"
    return name or code


def number_word(n: int) -> str:
    """A count in words up to twelve ('two'), in figures above."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else f"{n:,}"


def ordinal_word(n: int) -> str:
    """'first', 'second' ... 'twelfth', then 13th, 21st, 22nd ..."""
    if 0 < n < len(_ORDINAL_WORDS):
        return _ORDINAL_WORDS[n]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def were(n: int) -> str:
    return "was" if n == 1 else "were"


def plural(n: int, word: str, many: str | None = None) -> str:
    return word if n == 1 else (many or word + "s")
