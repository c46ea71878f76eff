"""CAN ids of each ECU type (11-bit request and response, both or none; the demo types filled),
the battery readings of each job, and who confirmed a session's pre-flight checklist and when.

Revision ID: programming_0011
Revises: programming_0010
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "programming_0011"
down_revision = "programming_0010"
branch_labels = None
depends_on = None

# The demo vehicle's ECUs on CAN (the simulator's defaults), by ECU type of the catalog.
_DEMO_CAN_IDS = {
    "DME_B48": (0x712, 0x71A),
    "BDC_G20": (0x740, 0x748),
    "HU_MGU": (0x763, 0x76B),
}


def upgrade() -> None:
    op.add_column("ecu_types", sa.Column("can_request_id", sa.Integer(), nullable=True))
    op.add_column("ecu_types", sa.Column("can_response_id", sa.Integer(), nullable=True))
    op.create_check_constraint(
        op.f("ck_ecu_types_can_ids"),
        "ecu_types",
        "(can_request_id IS NULL AND can_response_id IS NULL) OR "
        "(can_request_id BETWEEN 0 AND 2047 AND can_response_id BETWEEN 0 AND 2047 "
        "AND can_request_id <> can_response_id)",
    )
    for key, (request, response) in _DEMO_CAN_IDS.items():
        op.execute(
            sa.text(
                "UPDATE ecu_types SET can_request_id = :request, can_response_id = :response "
                "WHERE key = :key AND can_request_id IS NULL"
            ).bindparams(key=key, request=request, response=response)
        )
    for column in ("battery_volts_at_start", "battery_volts_min", "battery_volts_max"):
        op.add_column("jobs", sa.Column(column, sa.Float(), nullable=True))
    op.add_column("sessions", sa.Column("preflight_confirmed_by", sa.Uuid(), nullable=True))
    op.add_column(
        "sessions",
        sa.Column("preflight_confirmed_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("sessions", "preflight_confirmed_at")
    op.drop_column("sessions", "preflight_confirmed_by")
    for column in ("battery_volts_max", "battery_volts_min", "battery_volts_at_start"):
        op.drop_column("jobs", column)
    op.drop_constraint(op.f("ck_ecu_types_can_ids"), "ecu_types", type_="check")
    op.drop_column("ecu_types", "can_response_id")
    op.drop_column("ecu_types", "can_request_id")
