"""Invoice PDFs, rendered with typst from the stored invoice.

Why typst: the ``typst`` package is a self-contained wheel (compiler and fonts inside), so
rendering needs no system libraries on the host, where WeasyPrint needs pango and cairo. The
invoice goes into the template as one JSON input, never spliced into typst markup: customer
text cannot be read as markup (see templates/invoice.typ). System fonts are ignored and the
document date is the issue time, so the same invoice always renders to the same bytes.

Contents follow Art. 226 of the VAT Directive: date of issue, number, seller and customer with
address and VAT id, per line the quantity, description (a pass's period, the VIN) and unit
price, net per rate, the rate, the VAT and the gross amount, the note of an exemption or
reverse charge, and for a credit note the invoice it corrects. Labels are English with the
German beside them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pycountry
import typst

from billing.db.models import Invoice, InvoiceLine
from billing.domain.invoicing import InvoiceKind
from billing.domain.tax import format_rate

__all__ = ["format_money", "invoice_document", "render_invoice_pdf"]

_TEMPLATE = resources.files("billing").joinpath("templates/invoice.typ").read_bytes()

_VAT_LABELS = {"DE": "USt-IdNr.", "AT": "UID"}


def _label(english: str, german: str) -> str:
    return f"{english} / {german}"


def format_money(minor: int, currency: str) -> str:
    """'1,234.56 EUR' from 123456; minor units of two decimals (every currency sold)."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{whole:,}.{cents:02d} {currency}"


def _date(moment: datetime) -> str:
    return moment.astimezone(UTC).date().isoformat()


def _moment(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if code else None
    return f"{country.name} ({code})" if country is not None else code


def _party(snapshot: dict[str, Any]) -> dict[str, Any]:
    country = str(snapshot.get("country", ""))
    city_line = " ".join(
        part for part in (str(snapshot.get("postcode", "")), str(snapshot.get("city", ""))) if part
    )
    lines = [str(snapshot.get("street", "")), city_line, _country_name(country)]
    return {
        "name": str(snapshot.get("legal_name", "")),
        "address_lines": [line for line in lines if line],
        "vat_id": str(snapshot.get("vat_id", "")),
        "vat_label": _label("VAT ID", _VAT_LABELS.get(country, "USt-IdNr.")) + ":",
    }


def _line_details(line: InvoiceLine) -> list[str]:
    details = [f"{line.product_code}"]
    if line.period_from is not None and line.period_until is not None:
        details.append(
            f"{_label('Period', 'Zeitraum')}: {_moment(line.period_from)} – "
            f"{_moment(line.period_until)}"
        )
    if line.vin:
        details.append(f"{_label('VIN', 'FIN')}: {line.vin}")
    return details


def invoice_document(
    invoice: Invoice,
    lines: Sequence[InvoiceLine],
    *,
    credited_number: str | None = None,
) -> dict[str, Any]:
    """What the template prints, every value a ready string. ``credited_number`` is the number
    of the invoice a credit note corrects."""
    currency = invoice.currency
    credit = invoice.kind == InvoiceKind.CREDIT_NOTE.value
    title = _label("Credit note", "Rechnungskorrektur") if credit else _label("Invoice", "Rechnung")
    facts = [
        {"label": _label("Number", "Nummer"), "value": invoice.number},
        {"label": _label("Date of issue", "Ausstellungsdatum"), "value": _date(invoice.issued_at)},
    ]
    # Art. 226 (7): the date of supply where it differs from the issue date. A pass prints its
    # period on its line; goods and shipping are supplied as invoiced.
    if not all(line.period_from for line in lines):
        facts.append(
            {"label": _label("Date of supply", "Leistungsdatum"), "value": _date(invoice.issued_at)}
        )
    if credit:
        facts.append(
            {
                "label": _label("Corrects invoice", "Korrigiert Rechnung"),
                "value": credited_number or str(invoice.credited_invoice_id),
            }
        )
        if invoice.reason:
            facts.append({"label": _label("Reason", "Grund"), "value": invoice.reason})
    facts.append({"label": _label("Order", "Bestellung"), "value": str(invoice.order_id)})
    notes = [invoice.note] if invoice.note else []
    if credit:
        notes.append(
            "The amounts above are credited to the customer. / Die obigen Beträge werden dem "
            "Kunden gutgeschrieben."
        )
    return {
        "title": title,
        "number": invoice.number,
        "labels": {
            "seller": _label("Seller", "Verkäufer"),
            "customer": _label("Customer", "Kunde"),
        },
        "seller": _party(invoice.seller),
        "customer": _party(invoice.customer),
        "facts": facts,
        "line_headers": [
            _label("Description", "Beschreibung"),
            _label("Qty", "Menge"),
            _label("Unit price", "Einzelpreis"),
            _label("VAT rate", "USt-Satz"),
            _label("Net", "Netto"),
        ],
        "lines": [
            {
                "description": line.description,
                "details": _line_details(line),
                "quantity": str(line.quantity),
                "unit_net": format_money(line.unit_net_minor, currency),
                "rate": format_rate(line.vat_rate_bp),
                "net": format_money(line.net_minor, currency),
            }
            for line in lines
        ],
        "breakdown_headers": [
            _label("VAT rate", "USt-Satz"),
            _label("Net", "Netto"),
            _label("VAT", "USt"),
            _label("Gross", "Brutto"),
        ],
        "breakdown": [
            {
                "rate": format_rate(int(rate["rate_bp"])),
                "net": format_money(int(rate["net_minor"]), currency),
                "vat": format_money(int(rate["vat_minor"]), currency),
                "gross": format_money(int(rate["net_minor"]) + int(rate["vat_minor"]), currency),
            }
            for rate in invoice.vat_breakdown
        ],
        "totals": {
            "label": _label("Total", "Gesamt"),
            "net": format_money(invoice.net_minor, currency),
            "vat": format_money(invoice.vat_minor, currency),
            "gross": format_money(invoice.gross_minor, currency),
        },
        "notes": notes,
    }


def render_invoice_pdf(
    invoice: Invoice,
    lines: Sequence[InvoiceLine],
    *,
    credited_number: str | None = None,
) -> bytes:
    """The PDF of a stored invoice; the same invoice gives the same bytes."""
    document = invoice_document(invoice, lines, credited_number=credited_number)
    pdf = typst.compile(
        _TEMPLATE,
        format="pdf",
        sys_inputs={"invoice": json.dumps(document, ensure_ascii=False, sort_keys=True)},
        ignore_system_fonts=True,
        timestamp=int(invoice.issued_at.timestamp()),
    )
    if not isinstance(pdf, bytes):
        raise TypeError("typst returned no PDF")
    return pdf
