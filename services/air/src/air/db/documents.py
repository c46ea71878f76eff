"""SQL for documents: idempotent loading and ranked full-text search in two languages."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import TSQUERY, distinct_on, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from air.db.applicability import applicable_to
from air.db.models import TEXT_SEARCH_CONFIGS, Document
from air.domain.content import ContentDocument, Language, VehicleFacts

# ts_headline options: plain-text markers around matches, up to two short fragments.
HEADLINE_OPTIONS = (
    'StartSel=«, StopSel=», MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'
)
# Markdown punctuation that would only clutter a plain-text snippet.
MARKDOWN_NOISE = r"[#*|`>]+|-{3,}"
# In RETURNING of an upsert: true for a freshly inserted row, false for an updated one.
WAS_INSERTED = literal_column("(xmax = 0)", type_=Boolean)


@dataclass(frozen=True)
class UpsertCounts:
    inserted: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class SearchRow:
    """One document of a result, in the language version that was chosen for it."""

    id: str
    language: str
    type: str
    title: str
    summary: str
    system: str
    component: str
    series: list[str]
    all_series: bool
    model_year_from: int | None
    model_year_to: int | None
    engine_codes: list[str]
    fuel_types: list[str]
    transmissions: list[str]
    option_codes: list[str]
    snippet: str | None


@dataclass(frozen=True)
class SearchFilters:
    """Narrowing of a result that the facets ignore, so the caller can switch between them."""

    types: Sequence[str] = ()
    system: str | None = None
    component: str | None = None

    def admits(self, *, system: str, component: str, kind: str) -> bool:
        """True when a document of this system, component and type passes the filters."""
        return (
            (not self.types or kind in self.types)
            and (self.system is None or system == self.system)
            and (self.component is None or component == self.component)
        )


@dataclass(frozen=True)
class SearchPage:
    """``total`` matches after the filters, one page of them, and the facet counts over the
    matches before the filters (``matched`` of them)."""

    total: int
    rows: list[SearchRow]
    system_counts: list[tuple[str, str, int]]
    type_counts: list[tuple[str, int]]

    @property
    def matched(self) -> int:
        return sum(count for _, count in self.type_counts)


# German writes compounds as one word ("Bremsbeläge", "Ölfilter") and PostgreSQL's german
# configuration does not split them, so "Bremse" (lexeme 'brems') would not find a document
# titled "Bremsbeläge vorn ersetzen" (lexeme 'bremsbelag'). Every German lexeme of two or more
# letters is therefore matched as a prefix ('brems':*), which finds the compounds that start
# with the word: Bremse → Bremsbeläge, Bremsscheibe; Öl → Ölfilter. A prefix match is chosen
# over also indexing the unstemmed ("simple") words because it needs no second vector and keeps
# the stemming (Bremsbelägen → bremsbelag); it cannot find a word inside a compound ("Beläge"
# in "Bremsbeläge"), which would need a decompounding dictionary PostgreSQL does not ship.
# English writes compounds apart ("brake pads") and stemming already covers inflection, so
# English lexemes stay exact ('pad' should not find "padding").
# Every quoted lexeme of a tsquery's text ('it''s' doubles its quote) gets ":*"; a single
# letter then loses it again ('s' of "it's" should not match every word starting with s). Two
# passes, because one pattern skipping short lexemes would realign on the text between them.
_LEXEME = r"'((?:[^']|'')+)'"
_PREFIX_LEXEME = r"'\1':*"
_SINGLE_LETTER_PREFIX = r"'([^'])':\*"
_EXACT_LEXEME = r"'\1'"

# Dashes standing alone between spaces ("brake - pads", "- -"): people separate words with
# them, but websearch_to_tsquery reads a "-" before whitespace as "not" the next word. A dash
# written against a word ("-hinten") is kept: that is the exclusion syntax.
_LONE_DASHES = re.compile(r"(?<!\S)[-\u2010-\u2015]+(?!\S)")


def _config(language: Language) -> ColumnElement[Any]:
    return literal_column(f"'{TEXT_SEARCH_CONFIGS[language.value]}'::regconfig")


def text_query(query: str, language: Language) -> ColumnElement[Any]:
    """The tsquery of web-search syntax ``query`` for documents in ``language``."""
    parsed = func.websearch_to_tsquery(_config(language), _LONE_DASHES.sub(" ", query))
    if language is not Language.DE:
        return parsed
    prefixed = func.regexp_replace(cast(parsed, Text), _LEXEME, _PREFIX_LEXEME, "g")
    letters_exact = func.regexp_replace(prefixed, _SINGLE_LETTER_PREFIX, _EXACT_LEXEME, "g")
    return cast(letters_exact, TSQUERY)


def _per_language(
    query: str, build: Callable[[Language, ColumnElement[Any]], ColumnElement[Any]]
) -> ColumnElement[Any]:
    """CASE over the row's language of ``build(language, its tsquery)``."""
    branches = [
        (Document.language == language.value, build(language, text_query(query, language)))
        for language in Language
    ]
    return case(*branches)


class DocumentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert(self, documents: Sequence[ContentDocument], *, now: datetime) -> UpsertCounts:
        """Insert new documents, update changed ones (by content hash), leave the rest."""
        inserted = updated = 0
        for doc in documents:
            values = {
                "id": doc.id,
                "language": doc.language.value,
                "type": doc.type.value,
                "title": doc.title,
                "summary": doc.summary,
                "body": doc.body,
                "svg": doc.svg,
                "series": list(doc.applicability.series),
                "all_series": doc.applicability.all_series,
                "model_year_from": doc.applicability.model_year_from,
                "model_year_to": doc.applicability.model_year_to,
                "engine_codes": list(doc.applicability.engine_codes),
                "fuel_types": [fuel.value for fuel in doc.applicability.fuel_types],
                "transmissions": list(doc.applicability.transmissions),
                "option_codes": list(doc.applicability.option_codes),
                "system": doc.system,
                "component": doc.component,
                "content_hash": doc.content_hash(),
                "updated_at": now,
            }
            insert_values = insert(Document).values(**values)
            excluded = insert_values.excluded
            statement = insert_values.on_conflict_do_update(
                index_elements=[Document.id, Document.language],
                set_={name: excluded[name] for name in values if name not in {"id", "language"}},
                # Unchanged content: no row version, no index churn, nothing returned.
                where=Document.content_hash != excluded.content_hash,
            ).returning(WAS_INSERTED)
            row = (await self.session.execute(statement)).first()
            if row is None:
                continue
            if row[0]:
                inserted += 1
            else:
                updated += 1
        return UpsertCounts(
            inserted=inserted, updated=updated, unchanged=len(documents) - inserted - updated
        )

    async def get(self, document_id: str, language: Language = Language.EN) -> Document | None:
        return await self.session.get(Document, (document_id, language.value))

    async def versions(self, document_id: str) -> list[Document]:
        """Every language version of the document (empty when there is none), English first."""
        rows = await self.session.execute(
            select(Document)
            .where(Document.id == document_id)
            .order_by((Document.language == Language.EN.value).desc(), Document.language)
        )
        return list(rows.scalars())

    def _matching(
        self, query: str | None, vehicle: VehicleFacts | None
    ) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if query is not None:
            # One "language AND match" term per language, ORed: PostgreSQL answers each with
            # the GIN index on search_vector (a CASE over the language would read every row).
            conditions.append(
                or_(
                    *(
                        and_(
                            Document.language == language.value,
                            Document.search_vector.bool_op("@@")(text_query(query, language)),
                        )
                        for language in Language
                    )
                )
            )
        if vehicle is not None:
            conditions.append(applicable_to(vehicle))
        return conditions

    async def is_known_word(self, word: str) -> bool:
        """True when some document version contains ``word``, or when it is a stop word of a
        content language (searched as nothing, so there is nothing to correct)."""
        stop_word = or_(
            *(
                func.numnode(func.websearch_to_tsquery(_config(language), word)) == 0
                for language in Language
            )
        )
        contained = select(Document.id).where(*self._matching(word, None)).exists()
        return bool((await self.session.execute(select(or_(stop_word, contained)))).scalar_one())

    async def count_matches(self, query: str, *, vehicle: VehicleFacts | None) -> int:
        """How many documents (any language version) match ``query`` (and apply to
        ``vehicle`` when given)."""
        where = and_(true(), *self._matching(query, vehicle))
        statement = select(func.count(func.distinct(Document.id))).where(where)
        return (await self.session.execute(statement)).scalar_one()

    async def search(
        self,
        *,
        query: str | None,
        language: Language,
        vehicle: VehicleFacts | None,
        filters: SearchFilters,
        limit: int | None,
        offset: int = 0,
        snippets: bool = True,
    ) -> SearchPage:
        """Documents matching ``query`` (web-search syntax; None: every document) that apply to
        ``vehicle``, each once: in ``language`` when that version matches, else in another.

        With a query: best rank first, with a snippet (when ``snippets``); without: ordered by
        system, component, type and title. ``limit`` None returns every row.
        """
        preferred = (Document.language == language.value).desc()
        rank: ColumnElement[Any] = (
            _per_language(query, lambda _, tsquery: func.ts_rank(Document.search_vector, tsquery))
            if query is not None
            else literal(0.0)
        )
        chosen = (
            select(
                Document.id,
                Document.language,
                Document.type,
                Document.system,
                Document.component,
                rank.label("rank"),
            )
            .where(and_(true(), *self._matching(query, vehicle)))
            .ext(distinct_on(Document.id))
            .order_by(Document.id, preferred)
            .cte("chosen")
        )
        narrowed: list[ColumnElement[bool]] = [true()]
        if filters.types:
            narrowed.append(chosen.c.type.in_(list(filters.types)))
        if filters.system is not None:
            narrowed.append(chosen.c.system == filters.system)
        if filters.component is not None:
            narrowed.append(chosen.c.component == filters.component)
        where = and_(*narrowed)

        # One pass over the matches gives the facets and the total: the groups by system,
        # component and type, summed in Python (the filters name exactly these three columns).
        groups = [
            (system, component, kind, count)
            for system, component, kind, count in await self.session.execute(
                select(chosen.c.system, chosen.c.component, chosen.c.type, func.count()).group_by(
                    chosen.c.system, chosen.c.component, chosen.c.type
                )
            )
        ]
        by_place: Counter[tuple[str, str]] = Counter()
        by_type: Counter[str] = Counter()
        total = 0
        for system, component, kind, count in groups:
            by_place[(system, component)] += count
            by_type[kind] += count
            if filters.admits(system=system, component=component, kind=kind):
                total += count
        system_counts = [(system, component, n) for (system, component), n in by_place.items()]
        type_counts = sorted(by_type.items())

        snippet: ColumnElement[str | None] = literal(None, type_=Text)
        if query is not None and snippets:
            plain = func.regexp_replace(
                Document.summary + " " + Document.body, MARKDOWN_NOISE, " ", "g"
            )
            snippet = _per_language(
                query,
                lambda lang, tsquery: func.ts_headline(
                    _config(lang), plain, tsquery, HEADLINE_OPTIONS
                ),
            )
        order: tuple[Any, ...] = (
            (chosen.c.rank.desc(), Document.title, Document.id)
            if query is not None
            else (Document.system, Document.component, Document.type, Document.title, Document.id)
        )
        page = (
            select(Document, snippet.label("snippet"))
            .options(defer(Document.body), defer(Document.svg))
            .join(chosen, and_(chosen.c.id == Document.id, chosen.c.language == Document.language))
            .where(where)
            .order_by(*order)
            .offset(offset)
        )
        if limit is not None:
            page = page.limit(limit)
        rows = [
            SearchRow(
                id=document.id,
                language=document.language,
                type=document.type,
                title=document.title,
                summary=document.summary,
                system=document.system,
                component=document.component,
                series=list(document.series),
                all_series=document.all_series,
                model_year_from=document.model_year_from,
                model_year_to=document.model_year_to,
                engine_codes=list(document.engine_codes),
                fuel_types=list(document.fuel_types),
                transmissions=list(document.transmissions),
                option_codes=list(document.option_codes),
                snippet=" ".join(text.split()) if text else None,
            )
            for document, text in await self.session.execute(page)
        ]
        return SearchPage(
            total=total, rows=rows, system_counts=system_counts, type_counts=type_counts
        )


__all__ = [
    "DocumentRepository",
    "SearchFilters",
    "SearchPage",
    "SearchRow",
    "UpsertCounts",
    "text_query",
]
