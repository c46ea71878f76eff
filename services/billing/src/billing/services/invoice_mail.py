"""Mailing issued invoices and credit notes with their PDF: billing's queue (``invoice_mail``)
for servicekit.mail's sender."""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.invoices import InvoiceRepository
from billing.db.models import InvoiceMail
from billing.domain.invoicing import InvoiceKind
from billing.services.invoice_pdf import render_invoice_pdf
from billing.services.invoicing import invoice_with_lines
from servicekit import mail
from servicekit.db import Database
from servicekit.mail import Attachment, OutgoingMessage, claim_next_due

__all__ = ["InvoiceMailQueue", "invoice_mail_sender"]

_INVOICE_TEXT = """Hello,

attached is invoice {number} of {date} for order {order_id}: {gross} {currency} in total.

You find all your invoices in the AOS portal under Orders.

This mail was sent automatically; please do not reply to it.

---

Guten Tag,

anbei die Rechnung {number} vom {date} zu Bestellung {order_id}: insgesamt {gross} {currency}.
"""

_CREDIT_NOTE_TEXT = """Hello,

attached is credit note {number} of {date}, correcting invoice {credited}: {gross} {currency}
are credited to you.

This mail was sent automatically; please do not reply to it.

---

Guten Tag,

anbei die Rechnungskorrektur {number} vom {date} zu Rechnung {credited}: {gross} {currency}
werden Ihnen gutgeschrieben.
"""


def _amount(minor: int) -> str:
    whole, cents = divmod(minor, 100)
    return f"{whole:,}.{cents:02d}"


class InvoiceMailQueue:
    async def claim_next_due(self, session: AsyncSession, *, now: datetime) -> InvoiceMail | None:
        return await claim_next_due(session, InvoiceMail, now=now)

    async def compose(self, session: AsyncSession, queued: InvoiceMail) -> OutgoingMessage:
        found = await InvoiceRepository(session).get(queued.invoice_id)
        if found is None:  # the foreign key rules it out; a clear error if it ever happens
            raise LookupError(f"invoice {queued.invoice_id} of mail {queued.id} is missing")
        invoice, lines, credited_number = await invoice_with_lines(
            session, found.id, organization_id=found.organization_id
        )
        pdf = await asyncio.to_thread(
            render_invoice_pdf, invoice, lines, credited_number=credited_number
        )
        fields = {
            "number": invoice.number,
            "date": invoice.issued_at.date().isoformat(),
            "order_id": invoice.order_id,
            "gross": _amount(invoice.gross_minor),
            "currency": invoice.currency,
            "credited": credited_number or "",
        }
        if invoice.kind == InvoiceKind.CREDIT_NOTE.value:
            subject = f"Credit note {invoice.number} / Rechnungskorrektur {invoice.number}"
            body = _CREDIT_NOTE_TEXT.format(**fields)
        else:
            subject = f"Invoice {invoice.number} / Rechnung {invoice.number}"
            body = _INVOICE_TEXT.format(**fields)
        return OutgoingMessage(
            subject=subject,
            body=body,
            attachments=(Attachment(f"{invoice.number}.pdf", pdf, "application/pdf"),),
        )

    def delivered(self, queued: InvoiceMail) -> None:
        """Nothing to drop: the row holds no copy of the invoice."""


def invoice_mail_sender(
    database: Database,
    *,
    smtp_host: str,
    smtp_port: int,
    mail_from: str,
    timeout: float,
    poll_interval: float,
) -> mail.MailSender[InvoiceMail]:
    return mail.MailSender(
        database,
        InvoiceMailQueue(),
        smtp_host=smtp_host,
        smtp_port=smtp_port,
        mail_from=mail_from,
        timeout=timeout,
        poll_interval=poll_interval,
        id_prefix="invoice-mail",
    )
