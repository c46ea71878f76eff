"""What a search box holds: a VIN, almost-VINs and keywords (plain Python, no I/O).

One box takes "WBA8E9C5XKA123456 brake": a 17-character token that is a valid VIN is taken out
of the keywords and used as the vehicle filter. A token that looks like a VIN but has 16 or 18
characters (a character lost or doubled while typing) is not searched as a word: nobody means
it as one, and the caller gets a hint saying what is wrong with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from air.domain.vin import VIN_LENGTH, InvalidVin, validate_vin

# Surrounding punctuation a pasted VIN may carry ("(WBA...)", "WBA...,").
_TOKEN_PUNCTUATION = "()[]{}<>,;:.!?\"'"
# Almost-VINs: letters and digits only, with at least this many digits (words never have them).
_MIN_VIN_DIGITS = 3
# Web-search syntax that must not be rewritten into "any of the words".
_OPERATOR = re.compile(r'"|(?:^|\s)-\S|(?:^|\s)or(?:\s|$)', re.IGNORECASE)
# A token that holds something to search for (a letter or a digit).
_SEARCHABLE = re.compile(r"[^\W_]")
# Words a typo can be corrected in: letters only (codes such as B48 or part numbers are exact).
WORD = re.compile(r"[^\W\d_]{3,}")


@dataclass(frozen=True)
class SearchBox:
    """The parts of ``q``: the VIN found in it (None when none), the keywords left (None when
    none) and hints about tokens that were not searched."""

    vin: str | None
    keywords: str | None
    hints: tuple[str, ...]


def _looks_like_vin(token: str) -> bool:
    return (
        token.isascii()
        and token.isalnum()
        and sum(ch.isdigit() for ch in token) >= _MIN_VIN_DIGITS
        and any(ch.isalpha() for ch in token)
    )


def _almost_vin_hint(token: str) -> str:
    shown = token.upper()
    if len(shown) < VIN_LENGTH:
        advice = "check the last characters"
    else:
        advice = "one character may be doubled"
    return (
        f"'{shown}' has {len(shown)} characters; a VIN has {VIN_LENGTH} — {advice}. "
        "It was not searched as a word."
    )


def split_search_box(q: str | None) -> SearchBox:
    """Take the VIN and almost-VINs out of ``q``. A second valid VIN is left as a hint: one
    search is for one vehicle."""
    if q is None:
        return SearchBox(vin=None, keywords=None, hints=())
    vin: str | None = None
    hints: list[str] = []
    kept: list[str] = []
    for raw in q.split():
        token = raw.strip(_TOKEN_PUNCTUATION)
        if not _looks_like_vin(token) or not VIN_LENGTH - 1 <= len(token) <= VIN_LENGTH + 1:
            kept.append(raw)
            continue
        if len(token) != VIN_LENGTH:
            hints.append(_almost_vin_hint(token))
            continue
        try:
            candidate = validate_vin(token)
        except InvalidVin as exc:
            hints.append(
                f"'{token.upper()}' is not a valid VIN: {'; '.join(exc.reasons)}. "
                "It was not searched as a word."
            )
            continue
        if vin is None or vin == candidate:
            vin = candidate
        else:
            hints.append(f"Only one VIN is searched at a time; {candidate} was left out.")
    keywords = " ".join(kept).strip()
    return SearchBox(vin=vin, keywords=keywords or None, hints=tuple(hints))


def any_of_words(keywords: str) -> str | None:
    """``keywords`` as "any of these words" in web-search syntax, or None when they use phrase,
    exclusion or OR syntax (the caller asked for something precise) or hold one word.

    Tokens without a letter or digit ("-", "...") are no words: joined with "or" they are read
    as syntax ("- or -" is "not 'or'", which matches every document without that word)."""
    if _OPERATOR.search(keywords):
        return None
    words = [token for token in keywords.split() if _SEARCHABLE.search(token)]
    if len(words) < 2:
        return None
    return " or ".join(words)


def correctable_words(keywords: str) -> list[str]:
    """The words of ``keywords`` a spelling suggestion may replace, lower case, in order."""
    return [match.group(0).lower() for match in WORD.finditer(keywords)]


def replace_words(keywords: str, corrections: dict[str, str]) -> str:
    """``keywords`` with each word in ``corrections`` (lower case) replaced, others kept; a
    replacement takes the capitalisation of the word it replaces (German nouns, "PDAS")."""

    def swap(match: re.Match[str]) -> str:
        typed = match.group(0)
        correction = corrections.get(typed.lower())
        if correction is None:
            return typed
        if typed.isupper() and len(typed) > 1:
            return correction.upper()
        if typed[0].isupper():
            return correction[0].upper() + correction[1:]
        return correction

    return WORD.sub(swap, keywords)


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of
    neighbours each cost 1 ("pdas" → "pads" is 1, where trigrams see almost nothing alike)."""
    previous_row: list[int] | None = None
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        before, previous_row, row = previous_row, row, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(previous_row[j] + 1, row[j - 1] + 1, previous_row[j - 1] + cost)
            if (
                before is not None
                and i > 1
                and j > 1
                and a[i - 1] == b[j - 2]
                and a[i - 2] == b[j - 1]
            ):
                row[j] = min(row[j], before[j - 2] + 1)
    return row[len(b)]


def allowed_edits(word: str) -> int:
    """How many edits a correction of ``word`` may need: short words change meaning fast."""
    if len(word) <= 4:
        return 1
    return 2 if len(word) <= 8 else 3


__all__ = [
    "WORD",
    "SearchBox",
    "allowed_edits",
    "any_of_words",
    "correctable_words",
    "edit_distance",
    "replace_words",
    "split_search_box",
]
