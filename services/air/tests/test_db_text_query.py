"""The tsquery a search box becomes, per content language, as PostgreSQL builds it."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Text, cast, select

from air.db.documents import text_query
from air.domain.content import Language


async def _as_text(app: FastAPI, query: str, language: Language) -> str:
    async with app.state.database.transaction() as session:
        result = await session.execute(select(cast(text_query(query, language), Text)))
        return str(result.scalar_one())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Bremse", "'brems':*"),
        ("Bremsbeläge wechseln", "'bremsbelag':* & 'wechseln':*"),
        # A single letter stays exact, and the lexemes after it are still prefixed.
        ("x Bremse", "'x' & 'brems':*"),
        ("'a' & 'b' Öl", "'a' & 'b' & 'ol':*"),
        ('"vorn ersetzen" -hinten', "'vorn':* <-> 'ersetz':* & !'hint':*"),
        ("it's", "'it':* <-> 's'"),
        ("!!! & | :* ()", ""),
    ],
)
async def test_german_lexemes_are_matched_as_prefixes(
    app: FastAPI, client: httpx.AsyncClient, query: str, expected: str
) -> None:
    assert await _as_text(app, query, Language.DE) == expected


async def test_english_lexemes_stay_exact(app: FastAPI, client: httpx.AsyncClient) -> None:
    assert await _as_text(app, "brake pads", Language.EN) == "'brake' & 'pad'"


@pytest.mark.parametrize(
    ("query", "language", "expected"),
    [
        # A dash standing alone separates words; websearch_to_tsquery would read it as "not".
        ("brake - pads", Language.EN, "'brake' & 'pad'"),
        ("Bremse – - Belag", Language.DE, "'brems':* & 'belag':*"),
        ("- -", Language.DE, ""),
        ("- or -", Language.DE, "'or':*"),
        # A dash written against a word still excludes it.
        ("brake -pads", Language.EN, "'brake' & !'pad'"),
    ],
)
async def test_a_lone_dash_excludes_nothing(
    app: FastAPI, client: httpx.AsyncClient, query: str, language: Language, expected: str
) -> None:
    assert await _as_text(app, query, language) == expected
