"""Which VAT applies to a sale, by the rules of the EU VAT Directive (2006/112/EC).

The seller is established in one member state (Germany by default) and sells two kinds of
supply: electronically supplied services (passes) and goods (tools, shipped). For each
customer the place of supply and the rate follow from where the customer is and whether it is
a business with a valid VAT id of another member state:

========================  ==========================  =====================================
customer                  service (a pass)            goods (a tool)
========================  ==========================  =====================================
in the seller's country   seller's rate               seller's rate
other EU, valid VAT id    0 %, reverse charge         0 %, exempt intra-Community supply
                          (Art. 196)                  (Art. 138)
other EU, no valid id     customer country's rate     customer country's rate
                          (OSS, Art. 58)              (OSS distance sale, Art. 33)
outside the EU            0 %, not taxable in the EU  0 %, exempt export (Art. 146)
                          (Art. 44 / 59)
========================  ==========================  =====================================

Amounts are integer minor units and rates basis points (1 % = 100 bp, so Finland's 25.5 % is
2550). VAT is computed **per line** and rounded half up to a whole cent: a credit note for one
line then takes back exactly the VAT that line was charged. The totals per rate are the sums of
the lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

__all__ = [
    "EU_COUNTRIES",
    "EU_STANDARD_RATES_BP",
    "RATES_CHECKED_ON",
    "SupplyKind",
    "TaxDecision",
    "TaxTreatment",
    "decide_tax",
    "format_rate",
    "is_eu",
    "line_vat_minor",
    "standard_rate_bp",
    "vat_id_country",
]

# Standard VAT rates of the 27 member states in basis points, keyed by ISO 3166-1 alpha-2 (so
# Greece is GR here although its VAT ids start with EL). Taken from the European Commission's
# table "VAT rates applied in the member states"; the changes since 2024 are Finland 25.5 %
# (2024-09-01), Slovakia 23 % (2025-01-01), Estonia 24 % (2025-07-01) and Romania 21 %
# (2025-08-01). Check the table again when a member state announces a change.
RATES_CHECKED_ON = date(2026, 12, 3)
EU_STANDARD_RATES_BP: dict[str, int] = {
    "AT": 2000,
    "BE": 2100,
    "BG": 2000,
    "CY": 1900,
    "CZ": 2100,
    "DE": 1900,
    "DK": 2500,
    "EE": 2400,
    "ES": 2100,
    "FI": 2550,
    "FR": 2000,
    "GR": 2400,
    "HR": 2500,
    "HU": 2700,
    "IE": 2300,
    "IT": 2200,
    "LT": 2100,
    "LU": 1700,
    "LV": 2100,
    "MT": 1800,
    "NL": 2100,
    "PL": 2300,
    "PT": 2300,
    "RO": 2100,
    "SE": 2500,
    "SI": 2200,
    "SK": 2300,
}
EU_COUNTRIES = frozenset(EU_STANDARD_RATES_BP)

# VAT id prefixes that differ from the ISO country code.
_VAT_PREFIX_COUNTRY = {"EL": "GR"}


class SupplyKind(StrEnum):
    SERVICE = "SERVICE"  # an electronically supplied service: a pass
    GOODS = "GOODS"  # a physical product shipped to the customer (and its shipping)


class TaxTreatment(StrEnum):
    DOMESTIC = "DOMESTIC"  # customer in the seller's country: the seller's rate
    REVERSE_CHARGE = "REVERSE_CHARGE"  # EU business, service: the customer accounts for VAT
    INTRA_EU_SUPPLY = "INTRA_EU_SUPPLY"  # EU business, goods: exempt intra-Community supply
    OSS = "OSS"  # EU customer without a valid VAT id: the customer country's rate
    OUTSIDE_EU = "OUTSIDE_EU"  # service to a customer outside the EU: not taxable in the EU
    EXPORT = "EXPORT"  # goods shipped outside the EU: exempt export


# The legal notes an invoice must carry when no VAT is charged (Art. 226 (11) and (11a)).
_NOTES: dict[TaxTreatment, str] = {
    TaxTreatment.REVERSE_CHARGE: (
        "Reverse charge: the recipient is liable for the VAT (Art. 196 Council Directive "
        "2006/112/EC)."
    ),
    TaxTreatment.INTRA_EU_SUPPLY: (
        "Exempt intra-Community supply of goods (Art. 138 Council Directive 2006/112/EC)."
    ),
    TaxTreatment.OUTSIDE_EU: (
        "Not taxable in the EU: the place of supply is outside the EU (Art. 59 Council "
        "Directive 2006/112/EC)."
    ),
    TaxTreatment.EXPORT: "Exempt export of goods (Art. 146 Council Directive 2006/112/EC).",
}


@dataclass(frozen=True)
class TaxDecision:
    """The VAT of one line: its treatment, rate and the legal note the invoice carries."""

    treatment: TaxTreatment
    rate_bp: int
    # The country whose VAT is charged (None when no VAT is charged).
    rate_country: str | None
    note: str | None

    @property
    def charges_vat(self) -> bool:
        return self.rate_bp > 0


def is_eu(country: str) -> bool:
    return country.upper() in EU_COUNTRIES


def standard_rate_bp(country: str) -> int:
    """Raises KeyError for a country outside the EU."""
    return EU_STANDARD_RATES_BP[country.upper()]


def vat_id_country(vat_id: str) -> str | None:
    """The member state a VAT id belongs to ('GR' for 'EL…'), None when its prefix is no EU
    member state's."""
    prefix = vat_id.strip().upper()[:2]
    country = _VAT_PREFIX_COUNTRY.get(prefix, prefix)
    return country if country in EU_COUNTRIES else None


def decide_tax(
    *,
    seller_country: str,
    customer_country: str,
    valid_vat_id_country: str | None,
    supply: SupplyKind,
) -> TaxDecision:
    """The VAT of a supply by the seller to the customer.

    ``valid_vat_id_country`` is the member state of the customer's VAT id when that id has been
    found valid (checksum and, where configured, VIES), else None: a missing, malformed or
    unconfirmed id counts as no id. Raises ValueError when the seller is not in the EU.
    """
    seller = seller_country.upper()
    customer = customer_country.upper()
    if not is_eu(seller):
        raise ValueError(f"the seller must be established in the EU, not in {seller!r}")
    if customer == seller:
        return TaxDecision(TaxTreatment.DOMESTIC, standard_rate_bp(seller), seller, None)
    if not is_eu(customer):
        treatment = TaxTreatment.EXPORT if supply is SupplyKind.GOODS else TaxTreatment.OUTSIDE_EU
        return TaxDecision(treatment, 0, None, _NOTES[treatment])
    business = valid_vat_id_country is not None and valid_vat_id_country.upper() != seller
    if business:
        treatment = (
            TaxTreatment.INTRA_EU_SUPPLY
            if supply is SupplyKind.GOODS
            else TaxTreatment.REVERSE_CHARGE
        )
        return TaxDecision(treatment, 0, None, _NOTES[treatment])
    return TaxDecision(TaxTreatment.OSS, standard_rate_bp(customer), customer, None)


def line_vat_minor(net_minor: int, *, rate_bp: int) -> int:
    """VAT on one line's net amount, rounded half up to a whole minor unit.

    Integer arithmetic only (no binary floats). Raises ValueError for a negative amount or rate.
    """
    if net_minor < 0:
        raise ValueError(f"net amount must not be negative, got {net_minor}")
    if rate_bp < 0:
        raise ValueError(f"VAT rate must not be negative, got {rate_bp} bp")
    # net * bp / 10000 rounded half up == floor((net * bp + 5000) / 10000) for non-negatives.
    return (net_minor * rate_bp + 5_000) // 10_000


def format_rate(rate_bp: int) -> str:
    """'19 %', '25.5 %', '0 %': the rate as an invoice prints it."""
    whole, rest = divmod(rate_bp, 100)
    if rest == 0:
        return f"{whole} %"
    return f"{whole}.{rest:02d}".rstrip("0") + " %"
