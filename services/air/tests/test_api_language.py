"""The caller's content language from lang and Accept-Language."""

from __future__ import annotations

import pytest

from air.api.language import caller_language, preferred_language
from air.domain.content import Language


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", Language.DE),
        ("en-GB", Language.EN),
        ("fr-FR,fr;q=0.9,de;q=0.5,en;q=0.7", Language.EN),
        ("fr, de;q=0.1", Language.DE),
        ("de;q=0, en;q=0.2", Language.EN),
        ("DE-at", Language.DE),
        ("fr", None),
        ("", None),
        (None, None),
        ("de;q=abc, en", Language.EN),
        (";;,,", None),
    ],
)
def test_preferred_language_is_the_first_we_have_by_weight(
    header: str | None, expected: Language | None
) -> None:
    assert preferred_language(header) is expected


def test_lang_wins_and_english_is_the_last_resort() -> None:
    assert caller_language(Language.EN, "de") is Language.EN
    assert caller_language(None, "fr") is Language.EN
