"""SQL for documents: idempotent loading and ranked full-text search."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Text,
    and_,
    func,
    literal,
    literal_column,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from air.db.applicability import applicable_to
from air.db.models import TEXT_SEARCH_CONFIG, Document
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
    id: str
    type: str
    title: str
    summary: str
    series: list[str]
    all_series: bool
    model_year_from: int | None
    model_year_to: int | None
    snippet: str | None


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

    async def search(
        self,
        *,
        query: str | None,
        types: Sequence[str],
        vehicle: VehicleFacts | None,
        limit: int,
        offset: int,
    ) -> tuple[int, list[SearchRow]]:
        """(total matches, one page of rows). With ``query``: best rank first, with a snippet;
        without: every applicable document ordered by type and title."""
        conditions: list[ColumnElement[bool]] = [Document.language == Language.EN.value]
        tsquery = None
        if query is not None:
            tsquery = func.websearch_to_tsquery(TEXT_SEARCH_CONFIG, query)
            conditions.append(Document.search_vector.bool_op("@@")(tsquery))
        if types:
            conditions.append(Document.type.in_(types))
        if vehicle is not None:
            conditions.append(applicable_to(vehicle))
        where = and_(true(), *conditions)

        total = (
            await self.session.execute(select(func.count()).select_from(Document).where(where))
        ).scalar_one()

        columns = (
            Document.id,
            Document.type,
            Document.title,
            Document.summary,
            Document.series,
            Document.all_series,
            Document.model_year_from,
            Document.model_year_to,
        )
        snippet: ColumnElement[str | None]
        order: tuple[Any, ...]
        if tsquery is None:
            snippet = literal(None, type_=Text)
            order = (Document.type, Document.title, Document.id)
        else:
            plain = func.regexp_replace(
                Document.summary + " " + Document.body, MARKDOWN_NOISE, " ", "g"
            )
            snippet = func.ts_headline(TEXT_SEARCH_CONFIG, plain, tsquery, HEADLINE_OPTIONS)
            rank = func.ts_rank(Document.search_vector, tsquery)
            order = (rank.desc(), Document.title, Document.id)
        page = select(*columns, snippet.label("snippet")).where(where).order_by(*order)
        result = await self.session.execute(page.limit(limit).offset(offset))
        rows = [
            SearchRow(
                id=row.id,
                type=row.type,
                title=row.title,
                summary=row.summary,
                series=list(row.series),
                all_series=row.all_series,
                model_year_from=row.model_year_from,
                model_year_to=row.model_year_to,
                snippet=" ".join(row.snippet.split()) if row.snippet else None,
            )
            for row in result
        ]
        return total, rows


__all__ = ["DocumentRepository", "SearchRow", "UpsertCounts"]
