"""The usage read model (AIR searches and reads, programming sessions and jobs, fed by air's
and programming's events), the members projection (names for the usage report) and the
optional expiry e-mails (per-organisation setting and the notices sent).

Revision ID: 0007_usage
Revises: 0006_invoices
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_usage"
down_revision = "0006_invoices"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "usage_facts",
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("vin", sa.Text(), nullable=False, server_default=sa.text("''")),
        sa.Column("session_id", sa.Uuid(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("entitlement_id", sa.Uuid(), nullable=True),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")
        ),
        sa.PrimaryKeyConstraint("kind", "id", name="pk_usage_facts"),
        sa.CheckConstraint(
            "kind IN ('air_search', 'air_document', 'programming_session', 'programming_job')",
            name="ck_usage_facts_kind",
        ),
        sa.CheckConstraint(
            "ended_at IS NULL OR ended_at >= occurred_at", name="ck_usage_facts_ends_after_start"
        ),
    )
    op.create_index("ix_usage_facts_organization_day", "usage_facts", ["organization_id", "day"])
    op.create_index(
        "ix_usage_facts_organization_occurred",
        "usage_facts",
        ["organization_id", "kind", "occurred_at"],
    )
    op.create_table(
        "members",
        sa.Column("user_id", sa.Uuid(), primary_key=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False, server_default=sa.text("''")),
        sa.Column("name", sa.Text(), nullable=False, server_default=sa.text("''")),
        sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_members_organization_id", "members", ["organization_id"])
    op.create_table(
        "expiry_settings",
        sa.Column("organization_id", sa.Uuid(), primary_key=True),
        sa.Column("email", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("hours_before", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")
        ),
        sa.CheckConstraint(
            "hours_before BETWEEN 1 AND 168", name="ck_expiry_settings_hours_before_range"
        ),
    )
    op.create_table(
        "expiry_notices",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False, server_default=sa.text("'queued'")),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint(
            "organization_id", "scope", "window_end", name="uq_expiry_notices_window_end"
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'sent', 'obsolete')", name="ck_expiry_notices_status"
        ),
        sa.CheckConstraint("scope IN ('AIR', 'PROGRAMMING')", name="ck_expiry_notices_scope"),
    )
    op.create_index(
        "ix_expiry_notices_queued",
        "expiry_notices",
        ["created_at"],
        postgresql_where=sa.text("status = 'queued'"),
    )


def downgrade() -> None:
    op.drop_table("expiry_notices")
    op.drop_table("expiry_settings")
    op.drop_table("members")
    op.drop_table("usage_facts")
