"""Initial schema: messaging tables, documents (full-text search), entitlement projection.

Revision ID: air_0001
Revises:
Create Date: 2025-01-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from servicekit.migrations import create_messaging_tables, drop_messaging_tables

revision: str = "air_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Same expression as air.db.models.SEARCH_VECTOR_SQL; copied so that this migration never
# changes when the model does.
SEARCH_VECTOR_SQL = (
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'C')"
)


def upgrade() -> None:
    create_messaging_tables(op)
    op.create_table(
        "documents",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("svg", sa.Text(), nullable=True),
        sa.Column(
            "series", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False
        ),
        sa.Column("all_series", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("model_year_from", sa.SmallInteger(), nullable=True),
        sa.Column("model_year_to", sa.SmallInteger(), nullable=True),
        sa.Column("content_hash", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(SEARCH_VECTOR_SQL, persisted=True),
            nullable=False,
        ),
        sa.CheckConstraint(
            "type IN ('repair_instruction', 'wiring_diagram', 'technical_bulletin')",
            name=op.f("ck_documents_type"),
        ),
        sa.CheckConstraint(
            "all_series OR cardinality(series) > 0", name=op.f("ck_documents_applicability")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    op.create_index(
        "ix_documents_search_vector", "documents", ["search_vector"], postgresql_using="gin"
    )
    op.create_index("ix_documents_series", "documents", ["series"], postgresql_using="gin")
    op.create_table(
        "entitlements",
        sa.Column("entitlement_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("valid_until > valid_from", name=op.f("ck_entitlements_window")),
        sa.PrimaryKeyConstraint("entitlement_id", name=op.f("pk_entitlements")),
    )
    op.create_index(
        "ix_entitlements_organization_scope",
        "entitlements",
        ["organization_id", "scope", "valid_until"],
    )


def downgrade() -> None:
    op.drop_index("ix_entitlements_organization_scope", table_name="entitlements")
    op.drop_table("entitlements")
    op.drop_index("ix_documents_series", table_name="documents")
    op.drop_index("ix_documents_search_vector", table_name="documents")
    op.drop_table("documents")
    drop_messaging_tables(op)
