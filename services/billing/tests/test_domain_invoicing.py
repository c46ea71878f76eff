"""Invoice numbers and totals: plain rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from billing.domain.invoicing import (
    RateTotal,
    invoice_number,
    invoice_year,
    parse_invoice_number,
    totals,
)


def test_numbers_are_prefixed_yearly_and_zero_padded() -> None:
    assert invoice_number(2026, 123) == "AOS-2026-000123"
    assert invoice_number(2026, 1_234_567) == "AOS-2026-1234567"  # grows past six digits
    assert parse_invoice_number("AOS-2026-000123") == (2026, 123)
    with pytest.raises(ValueError, match="start at 1"):
        invoice_number(2026, 0)
    for bad in ("AOS-26-000001", "AOS-2026-12", "XYZ-2026-000001", "AOS-2026-000001 "):
        with pytest.raises(ValueError, match="not an invoice number"):
            parse_invoice_number(bad)


def test_the_year_is_the_utc_year_of_the_issue_time() -> None:
    berlin = timezone(timedelta(hours=1))
    assert invoice_year(datetime(2027, 1, 1, 0, 30, tzinfo=berlin)) == 2026
    assert invoice_year(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) == 2026
    with pytest.raises(ValueError, match="time zone"):
        invoice_year(datetime(2026, 12, 31, 23, 59))


def test_totals_are_the_sums_of_the_lines_per_rate_ascending() -> None:
    summed = totals([(1900, 4_999, 950), (0, 1_000, 0), (1900, 2_995, 569), (700, 995, 70)])
    assert summed.by_rate == (
        RateTotal(0, 1_000, 0),
        RateTotal(700, 995, 70),
        RateTotal(1900, 7_994, 1_519),
    )
    assert (summed.net_minor, summed.vat_minor, summed.gross_minor) == (9_989, 1_589, 11_578)
    assert totals([]).by_rate == ()
