"""Initial schema: messaging tables, agents, pairing codes, catalog, entitlements, sessions.

Revision ID: programming_0001
Revises:
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from servicekit.migrations import create_messaging_tables, drop_messaging_tables

revision: str = "programming_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    create_messaging_tables(op)
    op.create_table(
        "agents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("credential_hash", sa.LargeBinary(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        _ts("created_at"),
        _ts("revoked_at", nullable=True),
        _ts("last_seen_at", nullable=True),
        sa.Column("agent_version", sa.Text(), nullable=True),
        sa.Column("hostname", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
        sa.UniqueConstraint("credential_hash", name=op.f("uq_agents_credential_hash")),
    )
    op.create_index("ix_agents_organization_id", "agents", ["organization_id"])
    op.create_table(
        "pairing_codes",
        sa.Column("code_hash", sa.LargeBinary(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        _ts("created_at"),
        _ts("expires_at"),
        _ts("used_at", nullable=True),
        sa.Column("agent_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_pairing_codes")),
    )
    op.create_table(
        "ecu_types",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "security_algorithm",
            sa.Text(),
            server_default=sa.text("'AOS-DEMO-1'"),
            nullable=False,
        ),
        sa.Column("security_secret", sa.LargeBinary(), nullable=False),
        sa.Column("security_level", sa.Integer(), server_default=sa.text("17"), nullable=False),
        sa.Column("memory_address", sa.BigInteger(), nullable=False),
        sa.Column("region_size", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_ecu_types")),
    )
    op.create_table(
        "releases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ecu_type", sa.Text(), nullable=False),
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("image", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("memory_address", sa.BigInteger(), nullable=False),
        _ts("created_at"),
        sa.ForeignKeyConstraint(
            ["ecu_type"], ["ecu_types.key"], name=op.f("fk_releases_ecu_type_ecu_types")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_releases")),
        sa.UniqueConstraint("ecu_type", "version", name=op.f("uq_releases_ecu_type")),
    )
    op.create_table(
        "targets",
        sa.Column("model_series", sa.Text(), nullable=False),
        sa.Column("ecu_type", sa.Text(), nullable=False),
        sa.Column("target_version", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ecu_type"], ["ecu_types.key"], name=op.f("fk_targets_ecu_type_ecu_types")
        ),
        sa.PrimaryKeyConstraint("model_series", "ecu_type", name=op.f("pk_targets")),
    )
    op.create_table(
        "entitlements",
        sa.Column("entitlement_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        _ts("valid_from"),
        _ts("valid_until"),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        _ts("recorded_at"),
        sa.CheckConstraint("valid_until > valid_from", name=op.f("ck_entitlements_window")),
        sa.PrimaryKeyConstraint("entitlement_id", name=op.f("pk_entitlements")),
    )
    op.create_index(
        "ix_entitlements_organization_scope",
        "entitlements",
        ["organization_id", "scope", "valid_until"],
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("agent_id", sa.Uuid(), nullable=False),
        sa.Column("vin", sa.Text(), nullable=False),
        sa.Column("model_series", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("abort_requested", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        _ts("created_at"),
        sa.Column("started_by", sa.Uuid(), nullable=True),
        _ts("started_at", nullable=True),
        _ts("ended_at", nullable=True),
        sa.Column("end_detail", sa.Text(), nullable=True),
        sa.Column("vehicle_before", postgresql.JSONB(), nullable=False),
        sa.Column("vehicle_after", postgresql.JSONB(), nullable=True),
        sa.CheckConstraint(
            "state IN ('PLANNED', 'RUNNING', 'COMPLETED', 'EXPIRED', 'ABORTED', 'FAILED')",
            name=op.f("ck_sessions_state"),
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_sessions_agent_id_agents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    op.create_index("ix_sessions_organization_id", "sessions", ["organization_id", "created_at"])
    op.create_table(
        "jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("ecu_logical_address", sa.Integer(), nullable=False),
        sa.Column("ecu_name", sa.Text(), nullable=False),
        sa.Column("ecu_type", sa.Text(), nullable=False),
        sa.Column("release_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("version_before", sa.Text(), nullable=False),
        sa.Column("target_version", sa.Text(), nullable=False),
        sa.Column("estimated_seconds", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text(), server_default=sa.text("'PENDING'"), nullable=False),
        sa.Column("download_token_hash", sa.LargeBinary(), nullable=True),
        sa.Column("version_after", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        _ts("started_at", nullable=True),
        _ts("finished_at", nullable=True),
        sa.Column("bytes_transferred", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("retried_blocks", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("resumed_times", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint(
            "state IN ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'REFUSED', 'SKIPPED', "
            "'TIMED_OUT')",
            name=op.f("ck_jobs_state"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_jobs_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["release_id"], ["releases.id"], name=op.f("fk_jobs_release_id_releases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("session_id", "position", name=op.f("uq_jobs_session_id")),
        sa.UniqueConstraint("download_token_hash", name=op.f("uq_jobs_download_token_hash")),
    )
    op.create_table(
        "trace_summaries",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("nrc", sa.Integer(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("retried", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
            name=op.f("fk_trace_summaries_job_id_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", "service_id", "nrc", name=op.f("pk_trace_summaries")),
    )


def downgrade() -> None:
    op.drop_table("trace_summaries")
    op.drop_table("jobs")
    op.drop_index("ix_sessions_organization_id", table_name="sessions")
    op.drop_table("sessions")
    op.drop_index("ix_entitlements_organization_scope", table_name="entitlements")
    op.drop_table("entitlements")
    op.drop_table("targets")
    op.drop_table("releases")
    op.drop_table("ecu_types")
    op.drop_table("pairing_codes")
    op.drop_index("ix_agents_organization_id", table_name="agents")
    op.drop_table("agents")
    drop_messaging_tables(op)
