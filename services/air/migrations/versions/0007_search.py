"""Search vocabulary for "did you mean" suggestions, with trigram matching (pg_trgm).

The vocabulary holds the words of every document's title and summary (both languages) and of
the glossary, rebuilt by ``air.services.suggestions.rebuild_vocabulary`` whenever content is
seeded. pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: the database owner
may create it.

Revision ID: air_0007
Revises: air_0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "air_0007"
down_revision = "air_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "search_vocabulary",
        sa.Column("word", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("word", "language", name=op.f("pk_search_vocabulary")),
        sa.CheckConstraint("language IN ('en', 'de')", name=op.f("ck_search_vocabulary_language")),
    )
    op.create_index(
        "ix_search_vocabulary_word_trgm",
        "search_vocabulary",
        ["word"],
        postgresql_using="gin",
        postgresql_ops={"word": "gin_trgm_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_search_vocabulary_word_trgm", table_name="search_vocabulary")
    op.drop_table("search_vocabulary")
    # The extension stays: other objects may use it, and it holds no data.
