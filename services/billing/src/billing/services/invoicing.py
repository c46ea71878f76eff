"""Issuing invoices and credit notes: numbered, stored for good, announced and mailed.

Everything happens in the caller's transaction (the one that records the payment or the
refund): the number, the rows, the ``InvoiceIssued`` event and the queued mail commit together
or not at all, so a rolled-back payment leaves no gap in the numbers and no stray mail.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from billing.config import Settings
from billing.db.invoices import InvoiceRepository
from billing.db.models import Customer, Invoice, InvoiceLine, InvoiceMail
from billing.domain.invoices import InvoiceDraft, InvoiceLineDraft, Party
from billing.domain.invoicing import InvoiceKind, invoice_number, invoice_year, totals
from billing.errors import (
    InvoiceLinesAlreadyCreditedError,
    InvoiceNotFoundError,
    NothingToCreditError,
)
from billing.events.publishing import record_invoice_issued
from billing.services.invoice_pdf import render_invoice_pdf

__all__ = [
    "customer_party",
    "invoice_with_lines",
    "issue_credit_note",
    "issue_invoice",
    "party_from_snapshot",
    "render_pdf",
    "seller_party",
]


def seller_party(settings: Settings) -> Party:
    """The seller as configured (``BILLING_SELLER_*``), printed on every invoice."""
    return Party(
        legal_name=settings.seller_legal_name,
        street=settings.seller_street,
        postcode=settings.seller_postcode,
        city=settings.seller_city,
        country=settings.seller_country,
        vat_id=settings.seller_vat_id,
    )


def customer_party(customer: Customer) -> Party:
    """The customer as an invoice prints it, from billing's copy of its company data."""
    return Party(
        legal_name=customer.legal_name,
        street=customer.street,
        postcode=customer.postcode,
        city=customer.city,
        country=customer.country,
        vat_id=customer.vat_id,
    )


def _snapshot(party: Party) -> dict[str, Any]:
    return asdict(party)


def party_from_snapshot(snapshot: dict[str, Any]) -> Party:
    return Party(**{name: str(snapshot.get(name, "")) for name in Party.__dataclass_fields__})


def _breakdown(lines: Iterable[InvoiceLine]) -> tuple[list[dict[str, int]], int, int, int]:
    summed = totals((line.vat_rate_bp, line.net_minor, line.vat_minor) for line in lines)
    breakdown = [
        {"rate_bp": rate.rate_bp, "net_minor": rate.net_minor, "vat_minor": rate.vat_minor}
        for rate in summed.by_rate
    ]
    return breakdown, summed.net_minor, summed.vat_minor, summed.gross_minor


async def _queue_mail(session: AsyncSession, invoice: Invoice) -> None:
    """Queue the invoice for mailing to the organisation's invoice address, if it has one."""
    customer = await session.get(Customer, invoice.organization_id)
    recipient = customer.invoice_recipient if customer is not None else ""
    if recipient:
        session.add(InvoiceMail(invoice_id=invoice.id, recipient=recipient))


async def _store(session: AsyncSession, invoice: Invoice, lines: list[InvoiceLine]) -> Invoice:
    repository = InvoiceRepository(session)
    year = invoice_year(invoice.issued_at)
    invoice.number = invoice_number(year, await repository.next_sequence(year))
    repository.add(invoice, lines)
    await session.flush()
    await record_invoice_issued(session, invoice)
    await _queue_mail(session, invoice)
    return invoice


def _line(
    source: InvoiceLineDraft | InvoiceLine,
    *,
    invoice_id: uuid.UUID,
    position: int,
    credited_line_id: uuid.UUID | None = None,
) -> InvoiceLine:
    """An invoice line copied from a draft line, or (for a credit note) from the line it takes
    back: the same amounts and per-line VAT."""
    return InvoiceLine(
        id=uuid.uuid4(),
        invoice_id=invoice_id,
        position=position,
        product_code=source.product_code,
        description=source.description,
        quantity=source.quantity,
        unit_net_minor=source.unit_net_minor,
        net_minor=source.net_minor,
        vat_rate_bp=source.vat_rate_bp,
        vat_minor=source.vat_minor,
        order_line_id=source.order_line_id,
        vin=source.vin,
        period_from=source.period_from,
        period_until=source.period_until,
        credited_line_id=credited_line_id,
    )


async def issue_invoice(
    session: AsyncSession, draft: InvoiceDraft, *, now: datetime, seller: Party
) -> Invoice:
    """Number and store the invoice for a paid order, record ``InvoiceIssued`` and queue its
    mail, all in the caller's transaction.

    Raises ValueError for a draft without lines or with a naive ``now``.
    """
    if not draft.lines:
        raise ValueError(f"an invoice needs at least one line (order {draft.order_id})")
    invoice_id = uuid.uuid4()
    lines = [
        _line(line, invoice_id=invoice_id, position=position)
        for position, line in enumerate(draft.lines, start=1)
    ]
    breakdown, net, vat, gross = _breakdown(lines)
    invoice = Invoice(
        id=invoice_id,
        kind=InvoiceKind.INVOICE.value,
        organization_id=draft.organization_id,
        order_id=draft.order_id,
        credited_invoice_id=None,
        issued_at=now,
        currency=draft.currency,
        treatment=draft.treatment.value,
        note=draft.note,
        reason=None,
        seller=_snapshot(seller),
        customer=_snapshot(draft.customer),
        vat_breakdown=breakdown,
        net_minor=net,
        vat_minor=vat,
        gross_minor=gross,
    )
    return await _store(session, invoice, lines)


async def issue_credit_note(
    session: AsyncSession,
    *,
    invoice_id: uuid.UUID,
    order_line_ids: Iterable[uuid.UUID],
    reason: str,
    now: datetime,
) -> Invoice:
    """A credit note taking back the invoice's lines of these order lines, with the same
    amounts and per-line VAT they were charged. Seller, customer, treatment and note are those
    of the invoice it corrects.

    Raises InvoiceNotFoundError, NothingToCreditError (no such lines on the invoice) and
    InvoiceLinesAlreadyCreditedError (a line was credited before).
    """
    repository = InvoiceRepository(session)
    invoice = await repository.get_for_update(invoice_id)
    if invoice is None or invoice.kind != InvoiceKind.INVOICE.value:
        raise InvoiceNotFoundError(f"There is no invoice {invoice_id} to credit.")
    wanted = set(order_line_ids)
    originals = [
        line for line in await repository.lines(invoice.id) if line.order_line_id in wanted
    ]
    missing = wanted - {line.order_line_id for line in originals}
    if not wanted or missing:
        raise NothingToCreditError(
            f"Invoice {invoice.number} has no line for order line(s) "
            f"{', '.join(sorted(str(line_id) for line_id in missing)) or '(none given)'}."
        )
    credited = await repository.credited_line_ids([line.id for line in originals])
    if credited:
        raise InvoiceLinesAlreadyCreditedError(
            f"{len(credited)} of these lines of invoice {invoice.number} were credited before."
        )
    credit_id = uuid.uuid4()
    lines = [
        _line(line, invoice_id=credit_id, position=position, credited_line_id=line.id)
        for position, line in enumerate(originals, start=1)
    ]
    breakdown, net, vat, gross = _breakdown(lines)
    credit_note = Invoice(
        id=credit_id,
        kind=InvoiceKind.CREDIT_NOTE.value,
        organization_id=invoice.organization_id,
        order_id=invoice.order_id,
        credited_invoice_id=invoice.id,
        issued_at=now,
        currency=invoice.currency,
        treatment=invoice.treatment,
        note=invoice.note,
        reason=reason,
        seller=invoice.seller,
        customer=invoice.customer,
        vat_breakdown=breakdown,
        net_minor=net,
        vat_minor=vat,
        gross_minor=gross,
    )
    return await _store(session, credit_note, lines)


async def invoice_with_lines(
    session: AsyncSession, invoice_id: uuid.UUID, *, organization_id: uuid.UUID
) -> tuple[Invoice, list[InvoiceLine], str | None]:
    """The organisation's invoice, its lines and (for a credit note) the number of the invoice
    it corrects. Raises InvoiceNotFoundError, also for another organisation's invoice."""
    repository = InvoiceRepository(session)
    invoice = await repository.get(invoice_id, organization_id=organization_id)
    if invoice is None:
        raise InvoiceNotFoundError(f"There is no invoice {invoice_id} in your organisation.")
    credited_number = None
    if invoice.credited_invoice_id is not None:
        credited = await repository.get(invoice.credited_invoice_id)
        credited_number = credited.number if credited is not None else None
    return invoice, await repository.lines(invoice.id), credited_number


async def render_pdf(
    session: AsyncSession, invoice_id: uuid.UUID, *, organization_id: uuid.UUID
) -> tuple[Invoice, bytes]:
    """The invoice and its PDF. Rendering is CPU work, so it runs in a thread."""
    invoice, lines, credited_number = await invoice_with_lines(
        session, invoice_id, organization_id=organization_id
    )
    pdf = await asyncio.to_thread(
        render_invoice_pdf, invoice, lines, credited_number=credited_number
    )
    return invoice, pdf
