"""Cancelling an unused pass: the entitlement is revoked, the line marked refunded and credited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.entitlements import EntitlementRepository
from billing.db.invoices import InvoiceRepository
from billing.db.models import Entitlement, Invoice, OrderLine, UsageFact
from billing.db.orders import OrderRepository
from billing.domain.catalog import Scope
from billing.domain.invoicing import InvoiceKind
from billing.domain.refunds import RefundRefusal, refund_refusal
from billing.errors import (
    AlreadyRefundedError,
    EntitlementNotFoundError,
    PassUsedError,
    RefundPeriodOverError,
)
from billing.events.publishing import record_entitlement_revoked
from billing.services.invoicing import issue_credit_note
from servicekit.auth import Principal
from servicekit.logging import get_logger

__all__ = [
    "Refund",
    "RefundPolicy",
    "pass_was_used",
    "refund_entitlement",
    "refund_refusal_for",
]

_PROGRAMMING_KINDS = ("programming_session", "programming_job")
CREDIT_REASON = "refund of an unused pass"

log = get_logger(__name__)


@dataclass(frozen=True)
class Refund:
    entitlement: Entitlement
    # None only for an order paid before invoices existed (it has no invoice to correct).
    credit_note: Invoice | None


@dataclass(frozen=True)
class RefundPolicy:
    period: timedelta  # after payment


async def pass_was_used(session: AsyncSession, entitlement: Entitlement, *, now: datetime) -> bool:
    """Whether the pass has been used, by the usage read model (the one place that decides it).

    Used: an AIR search or document read that air attributed to this entitlement, or a
    programming session (or job) of the organisation on the pass's vehicle (any vehicle for a
    time pass) that ran during the window up to ``now``.
    """
    facts = UsageFact.__table__.c
    attributed = facts.entitlement_id == entitlement.id
    condition = attributed
    if entitlement.scope == Scope.PROGRAMMING.value:
        window_end = min(now, entitlement.valid_until)
        during = and_(
            facts.organization_id == entitlement.organization_id,
            facts.kind.in_(_PROGRAMMING_KINDS),
            facts.occurred_at < window_end,
            func.coalesce(facts.ended_at, facts.occurred_at) >= entitlement.valid_from,
        )
        if entitlement.vin:
            during = and_(during, facts.vin == entitlement.vin)
        condition = or_(attributed, during)
    return bool(await session.scalar(select(exists().where(condition))))


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
        used=await pass_was_used(session, entitlement, now=now),
    )


async def refund_entitlement(
    session: AsyncSession,
    principal: Principal,
    entitlement_id: uuid.UUID,
    *,
    now: datetime,
    policy: RefundPolicy,
) -> Refund:
    """Revoke an unused pass of the caller's organisation, mark its line refunded and issue the
    credit note for it; EntitlementRevoked (reason REFUNDED) and InvoiceIssued go to the outbox
    in the same transaction.

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
    invoice = next(
        (
            invoice
            for invoice in await InvoiceRepository(session).for_order(order.id)
            if invoice.kind == InvoiceKind.INVOICE.value
        ),
        None,
    )
    credit_note = None
    if invoice is not None:
        credit_note = await issue_credit_note(
            session,
            invoice_id=invoice.id,
            order_line_ids=[line.id],
            reason=CREDIT_REASON,
            now=now,
        )
    else:
        log.warning("refunded pass has no invoice to credit", order_id=str(order.id))
    log.info(
        "pass refunded",
        entitlement_id=str(entitlement.id),
        organization_id=str(entitlement.organization_id),
        order_id=str(order.id),
        credit_note=credit_note.number if credit_note else None,
    )
    return Refund(entitlement=entitlement, credit_note=credit_note)
