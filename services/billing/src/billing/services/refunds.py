"""Cancelling an unused pass: the entitlement is revoked and the line marked refunded."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.entitlements import EntitlementRepository
from billing.db.models import Entitlement, OrderLine
from billing.db.orders import OrderRepository
from billing.domain.refunds import (
    RefundRefusal,
    refund_refusal,
    started_long_enough_to_count_as_used,
)
from billing.errors import (
    AlreadyRefundedError,
    EntitlementNotFoundError,
    PassUsedError,
    RefundPeriodOverError,
)
from billing.events.publishing import record_entitlement_revoked
from servicekit.auth import Principal
from servicekit.logging import get_logger

__all__ = ["RefundPolicy", "pass_was_used", "refund_entitlement", "refund_refusal_for"]

log = get_logger(__name__)


@dataclass(frozen=True)
class RefundPolicy:
    period: timedelta  # after payment
    grace: timedelta  # a window started less than this ago still counts as unused


async def pass_was_used(
    session: AsyncSession, entitlement: Entitlement, *, now: datetime, grace: timedelta
) -> bool:
    """Whether the pass has been used. The one place that decides it, so that recorded usage
    (AIR searches, programming sessions) can answer here; until billing receives usage, a
    window counts as used once it has run longer than ``grace``."""
    del session  # the usage read model will be read through it
    return started_long_enough_to_count_as_used(entitlement.valid_from, now=now, grace=grace)


async def refund_refusal_for(
    session: AsyncSession,
    entitlement: Entitlement,
    line: OrderLine,
    *,
    paid_at: datetime,
    now: datetime,
    policy: RefundPolicy,
) -> RefundRefusal | None:
    return refund_refusal(
        paid_at=paid_at,
        now=now,
        period=policy.period,
        refunded=entitlement.revoked_at is not None or line.refunded_at is not None,
        used=await pass_was_used(session, entitlement, now=now, grace=policy.grace),
    )


async def refund_entitlement(
    session: AsyncSession,
    principal: Principal,
    entitlement_id: uuid.UUID,
    *,
    now: datetime,
    policy: RefundPolicy,
) -> Entitlement:
    """Revoke an unused pass of the caller's organisation and mark its line refunded;
    EntitlementRevoked (reason REFUNDED) goes to the outbox in the same transaction.

    Raises EntitlementNotFoundError (also for another organisation's), AlreadyRefundedError,
    RefundPeriodOverError, PassUsedError.
    """
    # Locked: two refunds of one pass at once revoke it once.
    entitlement = await EntitlementRepository(session).get_for_organization(
        entitlement_id, principal.organization_id, for_update=True
    )
    if entitlement is None:
        raise EntitlementNotFoundError(
            f"Your organisation has no entitlement {entitlement_id}; GET /entitlements lists yours."
        )
    orders = OrderRepository(session)
    line = await orders.get_line(entitlement.order_line_id, for_update=True)
    order = await orders.get_for_organization(entitlement.order_id, principal.organization_id)
    if line is None or order is None or order.paid_at is None:
        raise EntitlementNotFoundError(f"Entitlement {entitlement_id} has no paid order.")
    refusal = await refund_refusal_for(
        session, entitlement, line, paid_at=order.paid_at, now=now, policy=policy
    )
    hours = int(policy.period.total_seconds() // 3600)
    if refusal is RefundRefusal.ALREADY_REFUNDED:
        raise AlreadyRefundedError(f"Entitlement {entitlement.id} was refunded already.")
    if refusal is RefundRefusal.PERIOD_OVER:
        raise RefundPeriodOverError(
            f"A pass can be cancelled within {hours} hours of payment; order {order.id} was "
            f"paid at {order.paid_at.isoformat()}.",
            refundable_until=(order.paid_at + policy.period).isoformat(),
        )
    if refusal is RefundRefusal.USED:
        raise PassUsedError(
            f"Entitlement {entitlement.id} has been in use since "
            f"{entitlement.valid_from.isoformat()}; only a pass never used can be cancelled."
        )
    entitlement.revoked_at = now
    line.refunded_at = now
    await session.flush()
    await record_entitlement_revoked(session, entitlement)
    log.info(
        "pass refunded",
        entitlement_id=str(entitlement.id),
        organization_id=str(entitlement.organization_id),
        order_id=str(order.id),
    )
    return entitlement
