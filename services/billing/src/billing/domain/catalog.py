"""The products AOS sells and how their prices are computed.

Passes grant time-based access to one scope. Durations follow Regulation (EU) 2018/858 Art. 63
(1 hour, 1 day, 1 month, 1 year) plus the common 1 week; a month is 30 days and a year 365 days,
so a pass always lasts the same number of seconds whatever the calendar says.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "CURRENCY",
    "Price",
    "ProductSpec",
    "Scope",
    "price_with_vat",
    "standard_catalog",
    "vat_minor",
]

CURRENCY = "EUR"

HOUR_SECONDS = 3600
DAY_SECONDS = 24 * HOUR_SECONDS
WEEK_SECONDS = 7 * DAY_SECONDS
MONTH_SECONDS = 30 * DAY_SECONDS
YEAR_SECONDS = 365 * DAY_SECONDS


class Scope(StrEnum):
    """What a pass gives access to."""

    AIR = "AIR"  # repair and maintenance information
    PROGRAMMING = "PROGRAMMING"  # remote ECU programming


@dataclass(frozen=True)
class ProductSpec:
    """A product of the standard catalog; ``net_minor`` is in minor units of ``currency``."""

    code: str
    scope: Scope
    name: str
    duration_seconds: int
    net_minor: int
    currency: str = CURRENCY


@dataclass(frozen=True)
class Price:
    """A price split into net, VAT and gross, all in minor units of ``currency``."""

    net_minor: int
    vat_minor: int
    gross_minor: int
    vat_rate_percent: int
    currency: str


# (code suffix, seconds, label) in catalog order.
_DURATIONS: tuple[tuple[str, int, str], ...] = (
    ("1H", HOUR_SECONDS, "1 hour"),
    ("1D", DAY_SECONDS, "1 day"),
    ("1W", WEEK_SECONDS, "1 week"),
    ("1M", MONTH_SECONDS, "1 month (30 days)"),
    ("1Y", YEAR_SECONDS, "1 year (365 days)"),
)

# Net prices in euro cents, in the order of _DURATIONS. AIR follows the prices workshops know
# from existing portals; programming costs more because a session occupies an ECU specialist.
_NET_PRICES: dict[Scope, tuple[int, int, int, int, int]] = {
    Scope.AIR: (700, 3000, 13000, 31000, 285000),
    Scope.PROGRAMMING: (2500, 9500, 39000, 95000, 850000),
}

_SCOPE_LABELS: dict[Scope, str] = {
    Scope.AIR: "AIR repair information pass",
    Scope.PROGRAMMING: "Remote programming pass",
}


def standard_catalog() -> tuple[ProductSpec, ...]:
    """The products seeded into a new database (AIR_1H ... PROGRAMMING_1Y)."""
    return tuple(
        ProductSpec(
            code=f"{scope.value}_{suffix}",
            scope=scope,
            name=f"{_SCOPE_LABELS[scope]}, {label}",
            duration_seconds=seconds,
            net_minor=net,
        )
        for scope, prices in _NET_PRICES.items()
        for (suffix, seconds, label), net in zip(_DURATIONS, prices, strict=True)
    )


def vat_minor(net_minor: int, *, rate_percent: int) -> int:
    """VAT on ``net_minor`` at ``rate_percent`` %, rounded half up to a whole minor unit.

    Integer arithmetic only, so no amount is ever off by a cent through binary floats.
    Raises ValueError for a negative amount or rate.
    """
    if net_minor < 0:
        raise ValueError(f"net amount must not be negative, got {net_minor}")
    if rate_percent < 0:
        raise ValueError(f"VAT rate must not be negative, got {rate_percent}")
    # net * rate / 100 rounded half up == floor((net * rate + 50) / 100) for non-negative values.
    return (net_minor * rate_percent + 50) // 100


def price_with_vat(net_minor: int, *, vat_rate_percent: int, currency: str) -> Price:
    """The full price of ``net_minor``.

    One rate for every buyer for now: the German standard rate is configured. Per-country
    rates (OSS) and the reverse charge for EU businesses with a VAT id come later.
    """
    vat = vat_minor(net_minor, rate_percent=vat_rate_percent)
    return Price(
        net_minor=net_minor,
        vat_minor=vat,
        gross_minor=net_minor + vat,
        vat_rate_percent=vat_rate_percent,
        currency=currency,
    )
