"""Documents per language, with the full applicability conditions and a navigation pathway.

A document now has one row per language (primary key id + language); the search vector uses
the configuration of the row's language. New condition arrays (engine codes, fuel types,
transmissions, option codes; empty sets no condition) and the system and component the
document belongs to. Existing rows become the English versions.

Revision ID: air_0004
Revises: air_0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "air_0004"
down_revision = "air_0003"
branch_labels = None
depends_on = None

# The expressions as of this revision (air.db.models builds the same); copied so that this
# migration never changes when the model does.
_OLD_VECTOR = (
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'C')"
)


def _vector(config: str) -> str:
    return (
        f"setweight(to_tsvector('{config}'::regconfig, coalesce(title, '')), 'A') || "
        f"setweight(to_tsvector('{config}'::regconfig, coalesce(summary, '')), 'B') || "
        f"setweight(to_tsvector('{config}'::regconfig, coalesce(body, '')), 'C')"
    )


_NEW_VECTOR = (
    f"CASE language WHEN 'en' THEN {_vector('english')} WHEN 'de' THEN {_vector('german')} END"
)
_ARRAYS = ("engine_codes", "fuel_types", "transmissions", "option_codes")


def upgrade() -> None:
    op.add_column(
        "documents", sa.Column("language", sa.Text(), server_default="en", nullable=False)
    )
    op.alter_column("documents", "language", server_default=None)
    for name in _ARRAYS:
        op.add_column(
            "documents",
            sa.Column(
                name, postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False
            ),
        )
    for name in ("system", "component"):
        op.add_column(
            "documents",
            sa.Column(name, sa.Text(), server_default=sa.text("'general'"), nullable=False),
        )
    op.drop_constraint(op.f("pk_documents"), "documents", type_="primary")
    op.create_primary_key(op.f("pk_documents"), "documents", ["id", "language"])
    op.create_check_constraint(op.f("ck_documents_language"), "documents", "language IN ('en', 'de')")
    op.create_check_constraint(
        op.f("ck_documents_fuel_types"),
        "documents",
        "fuel_types <@ ARRAY['petrol', 'diesel', 'plug_in_hybrid', 'electric']::text[]",
    )
    op.drop_index("ix_documents_search_vector", table_name="documents")
    op.drop_column("documents", "search_vector")
    op.add_column(
        "documents",
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(_NEW_VECTOR, persisted=True),
            nullable=False,
        ),
    )
    op.create_index(
        "ix_documents_search_vector", "documents", ["search_vector"], postgresql_using="gin"
    )


def downgrade() -> None:
    op.drop_index("ix_documents_search_vector", table_name="documents")
    op.drop_column("documents", "search_vector")
    op.execute("DELETE FROM documents WHERE language <> 'en'")
    op.drop_constraint(op.f("ck_documents_fuel_types"), "documents", type_="check")
    op.drop_constraint(op.f("ck_documents_language"), "documents", type_="check")
    op.drop_constraint(op.f("pk_documents"), "documents", type_="primary")
    op.create_primary_key(op.f("pk_documents"), "documents", ["id"])
    for name in ("component", "system", *reversed(_ARRAYS), "language"):
        op.drop_column("documents", name)
    op.add_column(
        "documents",
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(_OLD_VECTOR, persisted=True),
            nullable=False,
        ),
    )
    op.create_index(
        "ix_documents_search_vector", "documents", ["search_vector"], postgresql_using="gin"
    )
