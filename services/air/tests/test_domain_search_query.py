"""The search box split into VIN, almost-VINs and keywords; words and edit distances."""

from __future__ import annotations

import pytest

from air.domain.search_query import (
    allowed_edits,
    any_of_words,
    correctable_words,
    edit_distance,
    replace_words,
    split_search_box,
)

VIN = "WBA6K5105MFK54321"


def test_a_vin_is_taken_out_of_the_keywords() -> None:
    box = split_search_box(f"brake {VIN.lower()} pads")

    assert (box.vin, box.keywords, box.hints) == (VIN, "brake pads", ())


def test_a_vin_in_brackets_or_with_a_comma_is_found() -> None:
    assert split_search_box(f"({VIN}), brake").vin == VIN


def test_a_box_of_only_a_vin_has_no_keywords() -> None:
    box = split_search_box(VIN)

    assert (box.vin, box.keywords) == (VIN, None)


@pytest.mark.parametrize(("token", "length"), [(VIN[:-1], 16), (VIN + "7", 18)])
def test_an_almost_vin_is_left_out_with_a_hint(token: str, length: int) -> None:
    box = split_search_box(f"{token} brake")

    assert box.vin is None
    assert box.keywords == "brake"
    assert f"has {length} characters; a VIN has 17" in box.hints[0]


def test_a_17_character_token_with_forbidden_letters_says_why() -> None:
    box = split_search_box("WBA6K5105MFO54321 brake")

    assert box.vin is None and box.keywords == "brake"
    assert "letter O at position 12" in box.hints[0]


@pytest.mark.parametrize(
    "words", ["brakepadswearsensor", "11427953129123456", "B48 brake", "X-13512-ABCDEF-1"]
)
def test_words_and_part_numbers_are_not_almost_vins(words: str) -> None:
    box = split_search_box(words)

    assert box.hints == () and box.keywords == words


def test_a_second_vin_is_left_out_with_a_hint() -> None:
    box = split_search_box(f"{VIN} WBA5F3105LFH12345")

    assert box.vin == VIN
    assert "WBA5F3105LFH12345 was left out" in box.hints[0]


def test_plain_words_can_be_relaxed_to_any_of_them() -> None:
    assert any_of_words("Bremsbeläge wechseln") == "Bremsbeläge or wechseln"


@pytest.mark.parametrize("query", ['"air spring"', "spring -overnight", "a or b", "brake"])
def test_precise_syntax_or_one_word_is_not_relaxed(query: str) -> None:
    assert any_of_words(query) is None


@pytest.mark.parametrize("query", ["- -", "... ?!", "brake -"])
def test_punctuation_is_no_word_to_relax_to(query: str) -> None:
    # "- -" once became "- or -", which websearch_to_tsquery reads as "not 'or'": every German
    # document (where "or" is no stop word) matched a query without a single word.
    assert any_of_words(query) is None


def test_punctuation_between_words_is_left_out_of_the_relaxed_query() -> None:
    assert any_of_words("brake - pads") == "brake or pads"


def test_correctable_words_are_letters_only_in_lower_case() -> None:
    assert correctable_words("Brake PDAS B48 10 Nm öl Bremsbeläge") == [
        "brake",
        "pdas",
        "bremsbeläge",
    ]


def test_replacing_words_keeps_the_rest_of_the_query_and_the_capitals() -> None:
    corrections = {"pdas": "pads", "bremsbelaege": "bremsbeläge", "brkae": "brake"}

    assert replace_words("brkae PDAS B48", corrections) == "brake PADS B48"
    assert replace_words("Bremsbelaege vorn", corrections) == "Bremsbeläge vorn"


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("pdas", "pads", 1),
        ("pads", "pads", 0),
        ("brake", "brakes", 1),
        ("bremsbelaege", "bremsbeläge", 2),
        ("", "abc", 3),
        ("spring", "string", 1),
        ("ca", "abc", 3),
    ],
)
def test_edit_distance_counts_a_swap_of_neighbours_once(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance


def test_short_words_allow_fewer_edits() -> None:
    assert [allowed_edits(w) for w in ("pdas", "brakes", "bremsbelaege")] == [1, 2, 3]
