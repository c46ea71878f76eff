"""The VAT rules of billing.domain.tax: the matrix of customer kinds and supplies."""

from __future__ import annotations

import pytest

from billing.domain.tax import (
    EU_STANDARD_RATES_BP,
    SupplyKind,
    TaxTreatment,
    decide_tax,
    format_rate,
    line_vat_minor,
    vat_id_country,
)

SERVICE, GOODS = SupplyKind.SERVICE, SupplyKind.GOODS


@pytest.mark.parametrize(
    ("customer", "vat_id_country_", "supply", "treatment", "rate_bp", "note_cites"),
    [
        # A German customer of a German seller pays 19 %, VAT id or not.
        ("DE", None, SERVICE, TaxTreatment.DOMESTIC, 1900, None),
        ("DE", "DE", GOODS, TaxTreatment.DOMESTIC, 1900, None),
        # An Austrian business with a valid VAT id: reverse charge / exempt supply.
        ("AT", "AT", SERVICE, TaxTreatment.REVERSE_CHARGE, 0, "Art. 196"),
        ("AT", "AT", GOODS, TaxTreatment.INTRA_EU_SUPPLY, 0, "Art. 138"),
        # A French customer without a (valid) VAT id pays the French rate (OSS).
        ("FR", None, SERVICE, TaxTreatment.OSS, 2000, None),
        ("FR", None, GOODS, TaxTreatment.OSS, 2000, None),
        # A Swiss customer: not taxable in the EU / export.
        ("CH", None, SERVICE, TaxTreatment.OUTSIDE_EU, 0, "Art. 59"),
        ("CH", None, GOODS, TaxTreatment.EXPORT, 0, "Art. 146"),
        # A Finnish consumer pays 25.5 %.
        ("FI", None, SERVICE, TaxTreatment.OSS, 2550, None),
        # A VAT id of the seller's own country does not make a foreign sale reverse-charged.
        ("AT", "DE", SERVICE, TaxTreatment.OSS, 2000, None),
    ],
)
def test_the_vat_matrix(customer, vat_id_country_, supply, treatment, rate_bp, note_cites) -> None:
    decision = decide_tax(
        seller_country="DE",
        customer_country=customer,
        valid_vat_id_country=vat_id_country_,
        supply=supply,
    )
    assert (decision.treatment, decision.rate_bp) == (treatment, rate_bp)
    if note_cites is None:
        assert decision.note is None
    else:
        assert decision.note is not None and note_cites in decision.note
    assert decision.charges_vat == (rate_bp > 0)


def test_the_table_has_the_27_member_states_with_plausible_rates() -> None:
    assert len(EU_STANDARD_RATES_BP) == 27
    assert all(1500 <= rate <= 2700 for rate in EU_STANDARD_RATES_BP.values())
    assert "GB" not in EU_STANDARD_RATES_BP  # left in 2020


def test_a_seller_outside_the_eu_is_refused() -> None:
    with pytest.raises(ValueError, match="EU"):
        decide_tax(
            seller_country="CH", customer_country="DE", valid_vat_id_country=None, supply=SERVICE
        )


@pytest.mark.parametrize(
    ("net", "rate_bp", "vat"),
    [(3000, 1900, 570), (5, 1900, 1), (2, 1900, 0), (50, 100, 1), (1000, 2550, 255), (0, 1900, 0)],
)
def test_line_vat_rounds_half_up_to_the_cent(net: int, rate_bp: int, vat: int) -> None:
    # 5 ct at 19 % is 0.95 ct -> 1 ct; 2 ct is 0.38 ct -> 0; 50 ct at 1 % is exactly 0.5 -> 1.
    assert line_vat_minor(net, rate_bp=rate_bp) == vat


def test_negative_amounts_are_refused() -> None:
    with pytest.raises(ValueError, match="net amount"):
        line_vat_minor(-1, rate_bp=1900)
    with pytest.raises(ValueError, match="rate"):
        line_vat_minor(1, rate_bp=-1)


def test_rates_print_like_an_invoice_prints_them() -> None:
    assert [format_rate(bp) for bp in (1900, 2550, 0, 1750)] == ["19 %", "25.5 %", "0 %", "17.5 %"]


def test_vat_id_prefixes_name_their_member_state() -> None:
    assert vat_id_country("ATU12345678") == "AT"
    assert vat_id_country("EL123456789") == "GR"
    assert vat_id_country("CHE-123.456.789") is None
