"""Invoice PDFs: the text pypdf extracts holds every field Art. 226 of the VAT Directive asks
for; customer text prints literally; a credit note names its invoice; the bytes are
deterministic."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pypdf

from billing.db.models import Invoice
from billing.domain.invoices import InvoiceDraft, Party
from billing.domain.tax import TaxTreatment
from billing.services.invoice_pdf import format_money
from billing.services.invoicing import issue_credit_note, issue_invoice, render_pdf
from servicekit.db import Database

from .conftest import NOW, draft, line, party

REVERSE_CHARGE_NOTE = (
    "Reverse charge: the recipient is liable for the VAT (Art. 196 Council Directive 2006/112/EC)."
)


def pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """The text with line breaks as spaces: a long value may wrap in its table cell."""
    return " ".join(text.split())


async def issue_and_render(
    db: Database, seller: Party, invoice_draft: InvoiceDraft
) -> tuple[Invoice, str]:
    async with db.transaction() as session:
        invoice = await issue_invoice(session, invoice_draft, now=NOW, seller=seller)
    async with db.transaction() as session:
        _, pdf = await render_pdf(
            session, invoice.id, organization_id=invoice_draft.organization_id
        )
    return invoice, pdf_text(pdf)


async def test_the_pdf_holds_every_field_an_eu_invoice_needs(db: Database, seller: Party) -> None:
    customer = party("Werkstatt Wien GmbH", country="AT", vat_id="ATU13585627")
    pass_line = line(
        "AIR_1W",
        description="AIR pass, 1 week",
        net_minor=4_999,
        rate_bp=0,
        period_from=NOW,
        period_until=NOW + timedelta(days=7),
    )
    vin_line = line(
        "AIR_VIN_24H",
        description="AIR for one VIN, 24 hours",
        net_minor=995,
        rate_bp=0,
        vin="WBA3A5C50CF256985",
    )
    tool_line = line(
        "TOOL_ENET_CABLE", description="ENET cable", net_minor=6_351, quantity=3, rate_bp=0
    )
    _, text = await issue_and_render(
        db,
        seller,
        draft(
            pass_line,
            vin_line,
            tool_line,
            customer=customer,
            treatment=TaxTreatment.REVERSE_CHARGE,
            note=REVERSE_CHARGE_NOTE,
        ),
    )
    text = flat(text)

    required = [
        # (5) number, (1) date of issue
        "Invoice / Rechnung",
        "Number / Nummer AOS-2026-000001",
        "Date of issue / Ausstellungsdatum 2026-12-03",
        # (7) date of supply: the cable's (the passes print their periods)
        "Date of supply / Leistungsdatum 2026-12-03",
        # (5) seller and customer: names, addresses, VAT ids (3), (4)
        seller.legal_name,
        seller.street,
        f"{seller.postcode} {seller.city}",
        f"VAT ID / USt-IdNr.: {seller.vat_id}",
        "Werkstatt Wien GmbH",
        "Hauptstrasse 5",
        "10115 Berlin",
        "Austria (AT)",
        "ATU13585627",
        # (6) quantity and nature, (7) date of supply (the pass's period), the VIN
        "AIR pass, 1 week",
        "Period / Zeitraum: 2026-12-03 10:00 UTC – 2026-12-10 10:00 UTC",
        "VIN / FIN: WBA3A5C50CF256985",
        "ENET cable",
        "3 21.17 EUR 0 % 63.51 EUR",  # quantity, (8) unit price, rate, net
        # (8) net per rate, (9) rate, (10) VAT, gross
        "VAT rate / USt-Satz Net / Netto VAT / USt Gross / Brutto",
        "0 % 123.45 EUR 0.00 EUR 123.45 EUR",
        "Total / Gesamt 123.45 EUR 0.00 EUR 123.45 EUR",
        # (11a) the reverse-charge note
        REVERSE_CHARGE_NOTE,
    ]
    missing = [field for field in required if field not in text]
    assert missing == [], f"missing {missing} in:\n{text}"


async def test_customer_text_with_typst_markup_prints_literally(
    db: Database, seller: Party
) -> None:
    hostile = 'A#B *Bold* $x^2$ [link] \\ _under_ @ref <label> `raw` // not a comment "q"'
    customer = Party(
        legal_name=hostile,
        street="#set page(width: 1cm)",
        postcode="1234",
        city='#import "x.typ"',
        country="DE",
        vat_id="",
    )
    _, text = await issue_and_render(
        db, seller, draft(line(description="#text(red)[Evil] = heading"), customer=customer)
    )
    text = flat(text)
    for literal in (hostile, "#set page(width: 1cm)", '#import "x.typ"', "#text(red)[Evil] ="):
        assert literal in text, f"{literal!r} not in:\n{text}"


async def test_a_credit_note_names_the_invoice_it_corrects(db: Database, seller: Party) -> None:
    order_line = uuid.uuid4()
    invoice_draft = draft(line("AIR_1D", net_minor=1_500, order_line_id=order_line))
    async with db.transaction() as session:
        invoice = await issue_invoice(session, invoice_draft, now=NOW, seller=seller)
        credit = await issue_credit_note(
            session,
            invoice_id=invoice.id,
            order_line_ids=[order_line],
            reason="Refund of an unused pass",
            now=NOW + timedelta(days=1),
        )
    async with db.transaction() as session:
        _, pdf = await render_pdf(session, credit.id, organization_id=invoice.organization_id)
    text = flat(pdf_text(pdf))

    for field in (
        "Credit note / Rechnungskorrektur",
        "Number / Nummer AOS-2026-000002",
        "Date of issue / Ausstellungsdatum 2026-12-04",
        "Corrects invoice / Korrigiert Rechnung AOS-2026-000001",
        "Reason / Grund Refund of an unused pass",
        "19 % 15.00 EUR 2.85 EUR 17.85 EUR",
    ):
        assert field in text, f"{field!r} not in:\n{text}"


async def test_the_same_invoice_renders_to_the_same_bytes(db: Database, seller: Party) -> None:
    invoice_draft = draft()
    async with db.transaction() as session:
        invoice = await issue_invoice(session, invoice_draft, now=NOW, seller=seller)
    renders = []
    for _ in range(2):
        async with db.transaction() as session:
            _, pdf = await render_pdf(
                session, invoice.id, organization_id=invoice_draft.organization_id
            )
        renders.append(pdf)
    assert renders[0] == renders[1]
    assert renders[0].startswith(b"%PDF-")


def test_money_is_printed_from_integer_cents() -> None:
    assert format_money(123_456_789, "EUR") == "1,234,567.89 EUR"
    assert format_money(5, "EUR") == "0.05 EUR"
    assert format_money(-1_050, "EUR") == "-10.50 EUR"


async def test_a_long_invoice_runs_over_pages_with_every_line_and_the_totals(
    db: Database, seller: Party
) -> None:
    lines = [
        line("TOOL_OBD_EXTENSION", description=f"OBD extension cable no. {n}", net_minor=1_000)
        for n in range(1, 61)
    ]
    invoice_draft = draft(*lines)
    async with db.transaction() as session:
        invoice = await issue_invoice(session, invoice_draft, now=NOW, seller=seller)
    async with db.transaction() as session:
        _, pdf = await render_pdf(
            session, invoice.id, organization_id=invoice_draft.organization_id
        )
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = flat(pdf_text(pdf))

    assert len(reader.pages) > 1
    assert all(f"OBD extension cable no. {n} " in text for n in range(1, 61))
    assert "Total / Gesamt 600.00 EUR 114.00 EUR 714.00 EUR" in text
    # Every page names the invoice and its page (the footer).
    for number, page in enumerate(reader.pages, start=1):
        assert f"{invoice.number} · {number} / {len(reader.pages)}" in page.extract_text()
