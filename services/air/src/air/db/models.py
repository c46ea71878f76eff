"""Tables of the AIR database: searchable documents and the local entitlement projection.

A document has one row per language (primary key id + language). Its search vector uses the
text search configuration of its language (``english`` or ``german``): users search with
inflected words ("leaking", "replaced", "pads"; "Bremsbeläge", "gewechselt"), which stemming
matches to the document's "leak", "replace", "pad"; "Bremsbelag", "wechseln". Codes such as
"B48", "X13512" or "F105" are kept as whole tokens by the parser either way.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    Text,
    Uuid,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from servicekit.db import new_metadata
from servicekit.entitlement_projection import EntitlementColumns

TEXT_SEARCH_CONFIG: ColumnElement[Any] = literal_column("'english'::regconfig")
# The text search configuration of each content language.
TEXT_SEARCH_CONFIGS = {"en": "english", "de": "german"}


def _weighted_vector(config: str) -> str:
    # Title matches rank above summary matches, which rank above body matches (ts_rank weights).
    return (
        f"setweight(to_tsvector('{config}'::regconfig, coalesce(title, '')), 'A') || "
        f"setweight(to_tsvector('{config}'::regconfig, coalesce(summary, '')), 'B') || "
        f"setweight(to_tsvector('{config}'::regconfig, coalesce(body, '')), 'C')"
    )


# A generated column must be immutable: the configuration is chosen by a CASE over constants
# rather than by casting the language to regconfig (a cast that is only stable).
SEARCH_VECTOR_SQL = (
    "CASE language "
    + " ".join(
        f"WHEN '{language}' THEN {_weighted_vector(config)}"
        for language, config in TEXT_SEARCH_CONFIGS.items()
    )
    + " END"
)


class Base(DeclarativeBase):
    metadata = new_metadata()


class Document(Base):
    """One language version of a piece of repair information; ``series`` is empty when
    ``all_series`` is true. An empty condition array (engine codes, fuel types, transmissions,
    option codes) sets no condition."""

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    language: Mapped[str] = mapped_column(Text, primary_key=True)
    type: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    svg: Mapped[str | None] = mapped_column(Text)
    series: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    all_series: Mapped[bool] = mapped_column(server_default=text("false"))
    model_year_from: Mapped[int | None] = mapped_column(SmallInteger)
    model_year_to: Mapped[int | None] = mapped_column(SmallInteger)
    engine_codes: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    fuel_types: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    transmissions: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    option_codes: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    system: Mapped[str] = mapped_column(Text, server_default=text("'general'"))
    component: Mapped[str] = mapped_column(Text, server_default=text("'general'"))
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
        CheckConstraint("language IN ('en', 'de')", name="language"),
        CheckConstraint(
            "fuel_types <@ ARRAY['petrol', 'diesel', 'plug_in_hybrid', 'electric']::text[]",
            name="fuel_types",
        ),
        Index("ix_documents_search_vector", "search_vector", postgresql_using="gin"),
        Index("ix_documents_series", "series", postgresql_using="gin"),
    )


class Workshop(Base):
    """An organisation as the service book shows it (projected from identity.v1): its company
    name and city, never a person. ``name`` is the legal name once the company data is filled
    in, else the name given at registration; ``city`` is None until then."""

    __tablename__ = "workshops"

    organization_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When identity last changed the data; an older event than this is ignored.
    source_updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ServiceEntry(Base):
    """One entry of a vehicle's service book. Never deleted: voiding sets ``status``. ``parts``
    is a JSON list of ``{number, quantity, description}`` (quantity a decimal string, litres
    have decimals). ``user_id`` is kept for the audit trail and the event; no response shows
    it."""

    __tablename__ = "service_entries"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    vin: Mapped[str] = mapped_column(Text)
    organization_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    performed_on: Mapped[date] = mapped_column(Date)
    mileage_km: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(Text)
    work_items: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    parts: Mapped[list[dict[str, str]]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    note: Mapped[str] = mapped_column(Text, server_default=text("''"))
    next_due_date: Mapped[date | None] = mapped_column(Date)
    next_due_mileage_km: Mapped[int | None] = mapped_column(Integer)
    corrects: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("service_entries.id"))
    status: Mapped[str] = mapped_column(Text, server_default=text("'active'"))
    revision: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(
            "kind IN ('inspection', 'oil_service', 'brake_fluid', 'repair', 'recall')",
            name="kind",
        ),
        CheckConstraint("status IN ('active', 'voided')", name="status"),
        CheckConstraint("mileage_km BETWEEN 0 AND 2000000", name="mileage"),
        CheckConstraint("revision >= 1", name="revision"),
        CheckConstraint("corrects <> id", name="corrects_other"),
        Index("ix_service_entries_vin", "vin", "performed_on"),
        Index(
            "ix_service_entries_corrects",
            "corrects",
            postgresql_where=text("corrects IS NOT NULL"),
        ),
    )


class Entitlement(EntitlementColumns, Base):
    """An AIR window in which an organisation may read content (servicekit's shared shape)."""

    __tablename__ = "entitlements"


__all__ = [
    "SEARCH_VECTOR_SQL",
    "TEXT_SEARCH_CONFIG",
    "TEXT_SEARCH_CONFIGS",
    "Base",
    "Document",
    "Entitlement",
    "ServiceEntry",
    "Workshop",
]
