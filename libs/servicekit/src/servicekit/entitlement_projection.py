"""The local projection of billing's entitlements, one shape for every service that keeps one.

AIR and programming each keep a table ``entitlements`` in their own database (a service's model
mixes in :class:`EntitlementColumns`) and apply grants and revocations with :func:`record_window`
and :func:`revoke_window`. What access a window gives is each service's own question; the
helpers :func:`effective_until` and :func:`covers_vin` word the two rules every question shares:
a revoked window ends at its revocation, and a per-VIN window covers its vehicle only.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    DateTime,
    Index,
    Text,
    Uuid,
    func,
    or_,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from servicekit.entitlements import EntitlementRevocation, EntitlementWindow

__all__ = [
    "VIN_PATTERN_SQL",
    "EntitlementColumns",
    "covers_vin",
    "effective_until",
    "record_window",
    "revoke_window",
]

# ISO 3779, as servicekit.entitlements checks it before a VIN is stored.
VIN_PATTERN_SQL = "^[A-HJ-NPR-Z0-9]{17}$"


class EntitlementColumns:
    """A window ``[valid_from, valid_until)`` in which an organisation may use a scope.

    The entitlement id is billing's, so a redelivered or replayed grant finds its row and changes
    nothing. ``vin`` is set for a per-VIN pass. A revoked window keeps its row, with
    ``revoked_at`` and ``revocation_reason``, as the audit trail of what was granted and when it
    was taken back.
    """

    entitlement_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    scope: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    order_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    vin: Mapped[str | None] = mapped_column(Text)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revocation_reason: Mapped[str | None] = mapped_column(Text)

    # Built per table: a constraint object belongs to one table only, and each service's model
    # is its own table (SQLAlchemy passes the class, hence ``cls``).
    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:  # noqa: N805
        return (
            CheckConstraint("valid_until > valid_from", name="window"),
            CheckConstraint(f"vin IS NULL OR vin ~ '{VIN_PATTERN_SQL}'", name="vin"),
            Index("ix_entitlements_organization_scope", "organization_id", "scope", "valid_until"),
        )


def effective_until(model: type[EntitlementColumns]) -> ColumnElement[Any]:
    """Where a window stops giving access: its end, or its revocation when that comes first."""
    return func.least(model.valid_until, func.coalesce(model.revoked_at, model.valid_until))


def covers_vin(model: type[EntitlementColumns], vin: str | None) -> ColumnElement[bool]:
    """Windows that cover a request for ``vin``: time passes, and that vehicle's own passes
    (``vin`` None: a request for no vehicle, which only time passes cover)."""
    if vin is None:
        return model.vin.is_(None)
    return or_(model.vin.is_(None), model.vin == vin)


async def record_window(
    session: AsyncSession,
    model: type[EntitlementColumns],
    window: EntitlementWindow,
    *,
    recorded_at: datetime,
) -> bool:
    """Store a granted window; False when its entitlement id is already known."""
    statement = (
        insert(model)
        .values(
            entitlement_id=window.entitlement_id,
            organization_id=window.organization_id,
            scope=window.scope,
            valid_from=window.valid_from,
            valid_until=window.valid_until,
            order_id=window.order_id,
            vin=window.vin,
            recorded_at=recorded_at,
        )
        .on_conflict_do_nothing(index_elements=[model.entitlement_id])
        .returning(model.entitlement_id)
    )
    return (await session.execute(statement)).first() is not None


async def revoke_window(
    session: AsyncSession, model: type[EntitlementColumns], revocation: EntitlementRevocation
) -> bool:
    """Mark the organisation's window revoked; False when no such window is stored.

    The earliest revocation wins, so a replay (or a later one) changes nothing; a revocation
    naming another organisation than the grant matches no row.
    """
    statement = (
        update(model)
        .where(
            model.entitlement_id == revocation.entitlement_id,
            model.organization_id == revocation.organization_id,
        )
        .values(
            revoked_at=func.least(
                func.coalesce(model.revoked_at, revocation.revoked_at), revocation.revoked_at
            ),
            revocation_reason=func.coalesce(model.revocation_reason, revocation.reason),
        )
        .returning(model.entitlement_id)
    )
    return (await session.execute(statement)).first() is not None
