"""Invoice numbers and VAT totals: plain rules, no I/O.

Numbers run per calendar year of the issue date (UTC) without gaps: ``AOS-2026-000123``.
Totals are the sums of the lines, whose VAT was computed (and rounded) per line, so a credit
note for some lines takes back exactly the VAT those lines were charged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

__all__ = [
    "NUMBER_PREFIX",
    "InvoiceKind",
    "RateTotal",
    "Totals",
    "invoice_number",
    "invoice_year",
    "parse_invoice_number",
    "totals",
]

NUMBER_PREFIX = "AOS"
_NUMBER_DIGITS = 6
_NUMBER = re.compile(rf"^{NUMBER_PREFIX}-(\d{{4}})-(\d{{{_NUMBER_DIGITS},}})$")


class InvoiceKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


@dataclass(frozen=True)
class RateTotal:
    rate_bp: int
    net_minor: int
    vat_minor: int


@dataclass(frozen=True)
class Totals:
    net_minor: int
    vat_minor: int
    gross_minor: int
    by_rate: tuple[RateTotal, ...]


def invoice_year(issued_at: datetime) -> int:
    """The numbering year: the issue date's year in UTC. Raises ValueError for a naive time."""
    if issued_at.tzinfo is None:
        raise ValueError("the issue time must carry a time zone")
    return issued_at.astimezone(UTC).year


def invoice_number(year: int, sequence: int) -> str:
    """'AOS-2026-000123'; more than six digits once a year passes 999 999 invoices."""
    if sequence < 1:
        raise ValueError(f"invoice sequence numbers start at 1, got {sequence}")
    return f"{NUMBER_PREFIX}-{year:04d}-{sequence:0{_NUMBER_DIGITS}d}"


def parse_invoice_number(number: str) -> tuple[int, int]:
    """(year, sequence) of a number; raises ValueError for anything else."""
    match = _NUMBER.match(number)
    if match is None:
        raise ValueError(f"not an invoice number: {number!r}")
    return int(match.group(1)), int(match.group(2))


def totals(lines: Iterable[tuple[int, int, int]]) -> Totals:
    """Totals of (rate_bp, net_minor, vat_minor) lines, with the net and VAT per rate
    (ascending by rate), as Art. 226 (8) and (10) ask."""
    by_rate: dict[int, tuple[int, int]] = {}
    for rate_bp, net_minor, vat_minor in lines:
        net, vat = by_rate.get(rate_bp, (0, 0))
        by_rate[rate_bp] = (net + net_minor, vat + vat_minor)
    rates = tuple(
        RateTotal(rate_bp=rate, net_minor=net, vat_minor=vat)
        for rate, (net, vat) in sorted(by_rate.items())
    )
    net_total = sum(rate.net_minor for rate in rates)
    vat_total = sum(rate.vat_minor for rate in rates)
    return Totals(net_total, vat_total, net_total + vat_total, rates)
