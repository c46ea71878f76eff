"""Tables of the AIR database: searchable documents and the local entitlement projection.

Full-text search uses the ``english`` configuration: the content is English prose and users
search with inflected words ("leaking", "replaced", "pads"), which stemming matches to the
document's "leak", "replace", "pad". Codes such as "B48", "X13512" or "F105" are kept as
whole tokens by the parser either way, so ``simple`` would only lose the stemming.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    Computed,
    DateTime,
    Index,
    SmallInteger,
    Text,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from servicekit.db import new_metadata
from servicekit.entitlement_projection import EntitlementColumns

TEXT_SEARCH_CONFIG: ColumnElement[Any] = literal_column("'english'::regconfig")

# Title matches rank above summary matches, which rank above body matches (ts_rank weights).
SEARCH_VECTOR_SQL = (
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'C')"
)


class Base(DeclarativeBase):
    metadata = new_metadata()


class Document(Base):
    """One piece of repair information; ``series`` is empty when ``all_series`` is true."""

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    type: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    svg: Mapped[str | None] = mapped_column(Text)
    series: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    all_series: Mapped[bool] = mapped_column(server_default=text("false"))
    model_year_from: Mapped[int | None] = mapped_column(SmallInteger)
    model_year_to: Mapped[int | None] = mapped_column(SmallInteger)
    content_hash: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    search_vector: Mapped[str] = mapped_column(
        TSVECTOR, Computed(SEARCH_VECTOR_SQL, persisted=True), deferred=True
    )

    __table_args__ = (
        CheckConstraint(
            "type IN ('repair_instruction', 'wiring_diagram', 'technical_bulletin')", name="type"
        ),
        CheckConstraint("all_series OR cardinality(series) > 0", name="applicability"),
        Index("ix_documents_search_vector", "search_vector", postgresql_using="gin"),
        Index("ix_documents_series", "series", postgresql_using="gin"),
    )


class Entitlement(EntitlementColumns, Base):
    """An AIR window in which an organisation may read content (servicekit's shared shape)."""

    __tablename__ = "entitlements"


__all__ = ["SEARCH_VECTOR_SQL", "TEXT_SEARCH_CONFIG", "Base", "Document", "Entitlement"]
