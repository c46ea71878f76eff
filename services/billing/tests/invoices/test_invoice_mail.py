"""Invoice mail: queued with the invoice, delivered after commit with the PDF attached to the
organisation's invoice address, retried while SMTP is away, never sent for a rolled-back
invoice; and the running app delivers it on its own."""

from __future__ import annotations

import asyncio
import io
import socket
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pypdf
import pytest
from sqlalchemy import select, text

from billing.db.models import InvoiceMail
from billing.domain.invoices import Party
from billing.services.invoice_mail import invoice_mail_sender
from billing.services.invoicing import issue_credit_note, issue_invoice
from servicekit.db import Database

from .conftest import NOW, AddCustomer, draft, line
from .fakes import SmtpSink

ADDRESS = "rechnungen@werkstatt.example"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sender(db: Database, port: int) -> Any:
    return invoice_mail_sender(
        db,
        smtp_host="127.0.0.1",
        smtp_port=port,
        mail_from="AOS Billing <billing@aos.example>",
        timeout=2.0,
        poll_interval=60.0,
    )


def attached_pdf_text(message: Any) -> tuple[str, str]:
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    pdf = attachment.get_payload(decode=True)
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return attachment.get_filename(), text


async def mail_rows(db: Database) -> list[InvoiceMail]:
    async with db.transaction() as session:
        return list((await session.execute(select(InvoiceMail).order_by(InvoiceMail.id))).scalars())


async def test_the_invoice_arrives_with_its_pdf_attached(
    db: Database, seller: Party, add_customer: AddCustomer
) -> None:
    customer = await add_customer(invoice_email=ADDRESS)
    async with db.transaction() as session:
        invoice = await issue_invoice(
            session, draft(organization_id=customer.organization_id), now=NOW, seller=seller
        )

    async with SmtpSink() as sink:
        assert await sender(db, sink.port).deliver_next() is True
        message = await sink.wait_for()

    assert sink.recipients == [(ADDRESS,)]
    assert message["Subject"] == f"Invoice {invoice.number} / Rechnung {invoice.number}"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and invoice.number in body.get_content()
    filename, text = attached_pdf_text(message)
    assert filename == f"{invoice.number}.pdf"
    assert invoice.number in text and "58.31 EUR" in text
    (row,) = await mail_rows(db)
    assert (row.status, row.attempts, row.sent_at is not None) == ("sent", 1, True)


async def test_a_credit_note_is_mailed_naming_its_invoice(
    db: Database, seller: Party, add_customer: AddCustomer
) -> None:
    customer = await add_customer(invoice_email=ADDRESS)
    order_line = uuid.uuid4()
    async with db.transaction() as session:
        invoice = await issue_invoice(
            session,
            draft(line(order_line_id=order_line), organization_id=customer.organization_id),
            now=NOW,
            seller=seller,
        )
        credit = await issue_credit_note(
            session, invoice_id=invoice.id, order_line_ids=[order_line], reason="refund", now=NOW
        )

    async with SmtpSink() as sink:
        mail_sender = sender(db, sink.port)
        assert await mail_sender.deliver_next() is True
        assert await mail_sender.deliver_next() is True
        await sink.wait_for(2)

    credit_mail = next(m for m in sink.messages if credit.number in m["Subject"])
    assert credit_mail["Subject"].startswith("Credit note")
    _, text = attached_pdf_text(credit_mail)
    assert f"Korrigiert Rechnung {invoice.number}" in " ".join(text.split())


async def test_the_mail_waits_while_smtp_is_away_and_goes_out_later(
    db: Database, seller: Party, add_customer: AddCustomer
) -> None:
    customer = await add_customer(invoice_email=ADDRESS)
    async with db.transaction() as session:
        await issue_invoice(
            session, draft(organization_id=customer.organization_id), now=NOW, seller=seller
        )
    port = free_port()
    mail_sender = sender(db, port)

    assert await mail_sender.deliver_next() is True  # tried, SMTP refused the connection
    (row,) = await mail_rows(db)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error
    assert await mail_sender.deliver_next() is False  # not due before its retry time
    async with db.transaction() as session:
        await session.execute(text("UPDATE invoice_mail SET next_attempt_at = now()"))
    async with SmtpSink(port=port) as sink:
        assert await mail_sender.deliver_next() is True
        await sink.wait_for()
    (row,) = await mail_rows(db)
    assert (row.status, row.attempts) == ("sent", 2)


async def test_a_rolled_back_invoice_is_never_mailed(
    db: Database, seller: Party, add_customer: AddCustomer
) -> None:
    customer = await add_customer(invoice_email=ADDRESS)
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await issue_invoice(
                session, draft(organization_id=customer.organization_id), now=NOW, seller=seller
            )
            raise RuntimeError("the payment's transaction failed")
    async with SmtpSink() as sink:
        assert await sender(db, sink.port).deliver_next() is False
    assert sink.messages == []


async def test_the_running_app_mails_an_issued_invoice(
    start_billing: Callable[..., AbstractAsyncContextManager[Any]], seller: Party
) -> None:
    async with (
        SmtpSink() as sink,
        start_billing(
            run_background_workers=True, smtp_port=sink.port, mail_poll_seconds=0.1
        ) as billing,
    ):
        org = uuid.uuid4()
        database = billing.app.state.database
        async with database.transaction() as session:
            await session.execute(
                text(
                    "INSERT INTO customers (organization_id, legal_name, country, "
                    "owner_email, source_updated_at) VALUES (:org, 'W GmbH', 'DE', "
                    ":email, now())"
                ),
                {"org": org, "email": "owner@werkstatt.example"},
            )
            invoice = await issue_invoice(
                session, draft(organization_id=org), now=NOW, seller=seller
            )
        message = await sink.wait_for(seconds=30)
    assert sink.recipients == [("owner@werkstatt.example",)]
    assert invoice.number in message["Subject"]


async def test_senders_of_several_replicas_at_once_mail_each_invoice_once(
    db: Database, database_url: str, seller: Party, add_customer: AddCustomer
) -> None:
    customer = await add_customer(invoice_email=ADDRESS)
    async with db.transaction() as session:
        numbers = [
            (
                await issue_invoice(
                    session,
                    draft(organization_id=customer.organization_id),
                    now=NOW,
                    seller=seller,
                )
            ).number
            for _ in range(4)
        ]
    pools = [Database(database_url, pool_size=2) for _ in range(3)]

    async def drain(mail_sender: Any) -> int:
        sent = 0
        while await mail_sender.deliver_next():
            sent += 1
        return sent

    try:
        async with SmtpSink() as sink:
            delivered = await asyncio.gather(*(drain(sender(pool, sink.port)) for pool in pools))
            await sink.wait_for(len(numbers))
    finally:
        for pool in pools:
            await pool.dispose()

    assert sum(delivered) == len(numbers)
    subjects = sorted(str(message["Subject"]) for message in sink.messages)
    assert subjects == sorted(f"Invoice {n} / Rechnung {n}" for n in numbers)
    assert [(row.status, row.attempts) for row in await mail_rows(db)] == [("sent", 1)] * 4
