"""Issuing invoices and credit notes against real PostgreSQL: gap-free yearly numbers under
concurrency and rollback, stored snapshots and totals, immutability, the InvoiceIssued event,
and credit notes that take back exactly what was charged."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from aos.events.v1 import billing_pb2
from billing.db.models import Invoice, InvoiceLine, InvoiceMail
from billing.domain.invoices import Party
from billing.errors import (
    InvoiceLinesAlreadyCreditedError,
    InvoiceNotFoundError,
    NothingToCreditError,
)
from billing.services.invoicing import issue_credit_note, issue_invoice
from servicekit.db import Database

from .conftest import NOW, AddCustomer, draft, line


class Rollback(Exception):
    pass


async def issued_numbers(db: Database) -> list[str]:
    async with db.transaction() as session:
        rows = await session.execute(select(Invoice.number).order_by(Invoice.number))
        return list(rows.scalars())


async def test_fifty_concurrent_issues_get_numbers_one_to_fifty(
    db: Database, seller: Party
) -> None:
    async def issue_one() -> str:
        async with db.transaction() as session:
            invoice = await issue_invoice(session, draft(), now=NOW, seller=seller)
            # Hold the number a moment inside the transaction, so the issuers overlap.
            await session.execute(text("SELECT pg_sleep(0.01)"))
            return invoice.number

    numbers = await asyncio.gather(*(issue_one() for _ in range(50)))

    expected = [f"AOS-2026-{n:06d}" for n in range(1, 51)]
    assert sorted(numbers) == expected
    assert await issued_numbers(db) == expected


async def test_a_rolled_back_issue_leaves_no_gap(db: Database, seller: Party) -> None:
    async with db.transaction() as session:
        first = await issue_invoice(session, draft(), now=NOW, seller=seller)
    with pytest.raises(Rollback):
        async with db.transaction() as session:
            await issue_invoice(session, draft(), now=NOW, seller=seller)
            raise Rollback  # e.g. the payment's transaction failed after the invoice
    async with db.transaction() as session:
        third = await issue_invoice(session, draft(), now=NOW, seller=seller)

    assert (first.number, third.number) == ("AOS-2026-000001", "AOS-2026-000002")
    assert await issued_numbers(db) == ["AOS-2026-000001", "AOS-2026-000002"]


async def test_a_rollback_while_others_wait_on_the_counter_leaves_no_gap(
    db: Database, seller: Party
) -> None:
    holder_has_number = asyncio.Event()
    release = asyncio.Event()

    async def doomed() -> None:
        with pytest.raises(Rollback):
            async with db.transaction() as session:
                await issue_invoice(session, draft(), now=NOW, seller=seller)
                holder_has_number.set()
                await release.wait()
                raise Rollback

    async def waiting_issuer() -> str:
        await holder_has_number.wait()
        async with db.transaction() as session:
            return (await issue_invoice(session, draft(), now=NOW, seller=seller)).number

    doomed_task = asyncio.create_task(doomed())
    waiters = [asyncio.create_task(waiting_issuer()) for _ in range(3)]
    await holder_has_number.wait()
    # The waiters queue on the counter row behind the doomed transaction; wait until
    # PostgreSQL shows them blocked on it before letting it roll back.
    async with asyncio.timeout(10):
        while True:
            async with db.transaction() as session:
                blocked = (
                    await session.execute(
                        text(
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = "
                            "'Lock' AND datname = current_database()"
                        )
                    )
                ).scalar_one()
            if blocked >= 3:
                break
            await asyncio.sleep(0.01)
    release.set()
    await doomed_task
    numbers = await asyncio.gather(*waiters)

    assert sorted(numbers) == ["AOS-2026-000001", "AOS-2026-000002", "AOS-2026-000003"]


async def test_numbers_restart_each_year_by_the_utc_issue_date(db: Database, seller: Party) -> None:
    new_years_eve_berlin = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 in Berlin
    async with db.transaction() as session:
        late = await issue_invoice(session, draft(), now=new_years_eve_berlin, seller=seller)
        early = await issue_invoice(
            session, draft(), now=new_years_eve_berlin + timedelta(hours=1), seller=seller
        )
        second = await issue_invoice(
            session, draft(), now=new_years_eve_berlin + timedelta(hours=2), seller=seller
        )

    assert late.number == "AOS-2026-000001"
    assert (early.number, second.number) == ("AOS-2027-000001", "AOS-2027-000002")


async def test_an_invoice_stores_snapshots_lines_and_totals_per_rate(
    db: Database, seller: Party
) -> None:
    org = uuid.uuid4()
    pass_line = line(
        "AIR_1W",
        net_minor=4_999,
        rate_bp=1900,
        period_from=NOW,
        period_until=NOW + timedelta(days=7),
    )
    tool_line = line("TOOL_ENET_CABLE", net_minor=2_995, quantity=1, rate_bp=1900)
    vin_line = line(
        "AIR_VIN_24H", net_minor=995, rate_bp=700, vin="WBA3A5C50CF256985"
    )  # another rate, to see the breakdown per rate
    async with db.transaction() as session:
        invoice = await issue_invoice(
            session,
            draft(pass_line, tool_line, vin_line, organization_id=org),
            now=NOW,
            seller=seller,
        )

    async with db.transaction() as session:
        stored = await session.get(Invoice, invoice.id)
        lines = (
            (
                await session.execute(
                    select(InvoiceLine)
                    .where(InvoiceLine.invoice_id == invoice.id)
                    .order_by(InvoiceLine.position)
                )
            )
            .scalars()
            .all()
        )
    assert stored is not None
    assert stored.kind == "invoice" and stored.organization_id == org
    assert stored.seller["legal_name"] == seller.legal_name
    assert stored.seller["vat_id"] == seller.vat_id
    assert stored.customer["legal_name"] == "Werkstatt Muster GmbH"
    # VAT per line, rounded half up: 4999 * 19 % = 949.81 -> 950; 2995 -> 569.05 -> 569.
    assert [(row.product_code, row.vat_minor) for row in lines] == [
        ("AIR_1W", 950),
        ("TOOL_ENET_CABLE", 569),
        ("AIR_VIN_24H", 70),
    ]
    assert stored.vat_breakdown == [
        {"rate_bp": 700, "net_minor": 995, "vat_minor": 70},
        {"rate_bp": 1900, "net_minor": 7_994, "vat_minor": 1_519},
    ]
    assert (stored.net_minor, stored.vat_minor, stored.gross_minor) == (8_989, 1_589, 10_578)
    assert lines[0].period_until == NOW + timedelta(days=7)
    assert lines[2].vin == "WBA3A5C50CF256985"


async def test_an_issued_invoice_cannot_be_changed_or_deleted(db: Database, seller: Party) -> None:
    async with db.transaction() as session:
        invoice = await issue_invoice(session, draft(), now=NOW, seller=seller)

    for statement in (
        "UPDATE invoices SET gross_minor = 1, net_minor = 1, vat_minor = 0 WHERE id = :id",
        "DELETE FROM invoices WHERE id = :id",
        "UPDATE invoice_lines SET net_minor = 1 WHERE invoice_id = :id",
    ):
        with pytest.raises(DBAPIError, match="immutable"):
            async with db.transaction() as session:
                await session.execute(text(statement), {"id": invoice.id})
    async with db.transaction() as session:
        stored = await session.get(Invoice, invoice.id)
    assert stored is not None and stored.gross_minor == invoice.gross_minor


async def test_issuing_records_invoice_issued_in_the_outbox(db: Database, seller: Party) -> None:
    async with db.transaction() as session:
        invoice = await issue_invoice(session, draft(), now=NOW, seller=seller)
    async with db.transaction() as session:
        rows = (
            await session.execute(
                text("SELECT topic, payload FROM outbox WHERE event_type LIKE '%InvoiceIssued'")
            )
        ).all()
    assert len(rows) == 1
    topic, payload = rows[0]
    assert topic == "billing.v1"
    message = billing_pb2.InvoiceIssued.FromString(bytes(payload))
    assert message.number == invoice.number
    assert message.kind == billing_pb2.INVOICE_KIND_INVOICE
    assert message.gross_minor == invoice.gross_minor
    assert message.organization_id == str(invoice.organization_id)


async def test_the_invoice_is_queued_for_the_customers_invoice_address(
    db: Database, seller: Party, add_customer: AddCustomer
) -> None:
    with_address = await add_customer(invoice_email="invoices@werkstatt.example")
    without_address = await add_customer()
    async with db.transaction() as session:
        mailed = await issue_invoice(
            session, draft(organization_id=with_address.organization_id), now=NOW, seller=seller
        )
        await issue_invoice(
            session,
            draft(organization_id=without_address.organization_id),
            now=NOW,
            seller=seller,
        )
    async with db.transaction() as session:
        queued = (await session.execute(select(InvoiceMail))).scalars().all()
    assert [(mail.invoice_id, mail.recipient, mail.status) for mail in queued] == [
        (mailed.id, "invoices@werkstatt.example", "pending")
    ]


async def test_a_credit_note_takes_back_exactly_the_lines_it_names(
    db: Database, seller: Party
) -> None:
    refunded, kept = uuid.uuid4(), uuid.uuid4()
    async with db.transaction() as session:
        invoice = await issue_invoice(
            session,
            draft(
                line("AIR_1W", net_minor=4_999, order_line_id=refunded),
                line("TOOL_ENET_CABLE", net_minor=2_995, order_line_id=kept),
            ),
            now=NOW,
            seller=seller,
        )
        credit = await issue_credit_note(
            session,
            invoice_id=invoice.id,
            order_line_ids=[refunded],
            reason="refund of an unused pass",
            now=NOW + timedelta(hours=1),
        )

    assert credit.kind == "credit_note"
    assert credit.credited_invoice_id == invoice.id
    assert credit.number == "AOS-2026-000002"  # one sequence for invoices and credit notes
    assert (credit.net_minor, credit.vat_minor, credit.gross_minor) == (4_999, 950, 5_949)
    assert credit.customer == invoice.customer and credit.seller == invoice.seller
    assert credit.reason == "refund of an unused pass"


async def test_a_line_is_credited_once_even_by_two_racing_refunds(
    db: Database, seller: Party
) -> None:
    order_line = uuid.uuid4()
    async with db.transaction() as session:
        invoice = await issue_invoice(
            session, draft(line(order_line_id=order_line)), now=NOW, seller=seller
        )

    async def refund() -> str:
        async with db.transaction() as session:
            credit = await issue_credit_note(
                session,
                invoice_id=invoice.id,
                order_line_ids=[order_line],
                reason="refund",
                now=NOW,
            )
            return credit.number

    results = await asyncio.gather(refund(), refund(), return_exceptions=True)

    assert sorted(type(result).__name__ for result in results) == [
        "InvoiceLinesAlreadyCreditedError",
        "str",
    ]
    with pytest.raises(InvoiceLinesAlreadyCreditedError):
        async with db.transaction() as session:
            await issue_credit_note(
                session,
                invoice_id=invoice.id,
                order_line_ids=[order_line],
                reason="again",
                now=NOW,
            )
    # The refused attempts gave their numbers back.
    assert await issued_numbers(db) == ["AOS-2026-000001", "AOS-2026-000002"]


async def test_a_credit_note_refuses_lines_not_on_the_invoice_and_unknown_invoices(
    db: Database, seller: Party
) -> None:
    async with db.transaction() as session:
        invoice = await issue_invoice(session, draft(), now=NOW, seller=seller)
    with pytest.raises(NothingToCreditError):
        async with db.transaction() as session:
            await issue_credit_note(
                session,
                invoice_id=invoice.id,
                order_line_ids=[uuid.uuid4()],
                reason="x",
                now=NOW,
            )
    with pytest.raises(NothingToCreditError):
        async with db.transaction() as session:
            await issue_credit_note(
                session, invoice_id=invoice.id, order_line_ids=[], reason="x", now=NOW
            )
    with pytest.raises(InvoiceNotFoundError):
        async with db.transaction() as session:
            await issue_credit_note(
                session,
                invoice_id=uuid.uuid4(),
                order_line_ids=[uuid.uuid4()],
                reason="x",
                now=NOW,
            )


async def test_a_credit_note_is_announced_as_one_referring_to_its_invoice(
    db: Database, seller: Party
) -> None:
    order_line = uuid.uuid4()
    async with db.transaction() as session:
        invoice = await issue_invoice(
            session, draft(line(order_line_id=order_line)), now=NOW, seller=seller
        )
        credit = await issue_credit_note(
            session, invoice_id=invoice.id, order_line_ids=[order_line], reason="refund", now=NOW
        )
    async with db.transaction() as session:
        payloads = (
            (
                await session.execute(
                    text(
                        "SELECT payload FROM outbox WHERE event_type LIKE '%InvoiceIssued' "
                        "ORDER BY id"
                    )
                )
            )
            .scalars()
            .all()
        )
    messages = [billing_pb2.InvoiceIssued.FromString(bytes(payload)) for payload in payloads]
    assert [(m.number, m.kind, m.credited_invoice_id) for m in messages] == [
        (invoice.number, billing_pb2.INVOICE_KIND_INVOICE, ""),
        (credit.number, billing_pb2.INVOICE_KIND_CREDIT_NOTE, str(invoice.id)),
    ]
    assert messages[1].gross_minor == invoice.gross_minor  # positive: the kind says "back"


async def test_a_credit_note_cannot_credit_a_credit_note(db: Database, seller: Party) -> None:
    order_line = uuid.uuid4()
    async with db.transaction() as session:
        invoice = await issue_invoice(
            session, draft(line(order_line_id=order_line)), now=NOW, seller=seller
        )
        credit = await issue_credit_note(
            session, invoice_id=invoice.id, order_line_ids=[order_line], reason="refund", now=NOW
        )
    with pytest.raises(InvoiceNotFoundError):
        async with db.transaction() as session:
            await issue_credit_note(
                session, invoice_id=credit.id, order_line_ids=[order_line], reason="x", now=NOW
            )


async def test_a_draft_without_lines_or_a_naive_time_is_refused_without_a_number(
    db: Database, seller: Party
) -> None:
    empty = draft()
    empty = type(empty)(**{**empty.__dict__, "lines": ()})
    with pytest.raises(ValueError, match="at least one line"):
        async with db.transaction() as session:
            await issue_invoice(session, empty, now=NOW, seller=seller)
    with pytest.raises(ValueError, match="time zone"):
        async with db.transaction() as session:
            await issue_invoice(session, draft(), now=NOW.replace(tzinfo=None), seller=seller)
    async with db.transaction() as session:
        first = await issue_invoice(session, draft(), now=NOW, seller=seller)
    assert first.number == "AOS-2026-000001"


async def test_a_second_invoice_for_one_order_is_refused(db: Database, seller: Party) -> None:
    once = draft()
    async with db.transaction() as session:
        await issue_invoice(session, once, now=NOW, seller=seller)
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            await issue_invoice(session, once, now=NOW, seller=seller)
    assert await issued_numbers(db) == ["AOS-2026-000001"]
