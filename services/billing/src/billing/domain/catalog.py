"""The products AOS sells and how their prices are computed.

Three kinds: time passes (access to one scope for every vehicle), 24-hour passes for one VIN
(the per-transaction model Regulation (EU) 2018/858 Art. 63 allows beside time passes), and
tools (physical goods with stock and a weight, shipped). Pass durations follow Art. 63 (1 hour,
1 day, 1 month, 1 year) plus the common 1 week; a month is 30 days and a year 365 days, so a
pass always lasts the same number of seconds whatever the calendar says.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from billing.domain.tax import line_vat_minor

__all__ = [
    "CURRENCY",
    "Price",
    "ProductKind",
    "ProductSpec",
    "Scope",
    "price_with_vat",
    "standard_catalog",
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


class ProductKind(StrEnum):
    PASS = "PASS"  # time-based access to a scope, every vehicle
    VIN_PASS = "VIN_PASS"  # 24 hours of access to a scope for one vehicle
    TOOL = "TOOL"  # a physical product, shipped

    @property
    def is_pass(self) -> bool:
        return self is not ProductKind.TOOL


@dataclass(frozen=True)
class ProductSpec:
    """A product of the standard catalog; ``net_minor`` is in minor units of ``currency``.

    Passes have a scope and a duration; tools a stock and a weight instead.
    """

    code: str
    kind: ProductKind
    name: str
    net_minor: int
    scope: Scope | None = None
    duration_seconds: int | None = None
    description: str = ""
    stock: int | None = None
    weight_grams: int | None = None
    currency: str = CURRENCY


@dataclass(frozen=True)
class Price:
    """A price split into net, VAT and gross, all in minor units of ``currency``."""

    net_minor: int
    vat_minor: int
    gross_minor: int
    vat_rate_bp: int
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

# 24 hours for one vehicle: half a day pass, since it serves one car only.
_VIN_PASS_NET: dict[Scope, int] = {Scope.AIR: 1500, Scope.PROGRAMMING: 4500}

_TOOLS: tuple[ProductSpec, ...] = (
    ProductSpec(
        code="TOOL_ICOM_VCI",
        kind=ProductKind.TOOL,
        name="ICOM-type vehicle communication interface",
        description="VCI for diagnosis and programming over DoIP/ENET and D-CAN, with case",
        net_minor=89000,
        stock=20,
        weight_grams=1800,
    ),
    ProductSpec(
        code="TOOL_ENET_CABLE",
        kind=ProductKind.TOOL,
        name="ENET cable (OBD to RJ45)",
        description="Ethernet cable for DoIP programming, 2 m",
        net_minor=3900,
        stock=100,
        weight_grams=250,
    ),
    ProductSpec(
        code="TOOL_PROGRAMMING_CHARGER",
        kind=ProductKind.TOOL,
        name="Programming battery charger, 100 A",
        description="Keeps the vehicle voltage stable during programming",
        net_minor=64900,
        stock=10,
        weight_grams=7500,
    ),
    ProductSpec(
        code="TOOL_OBD_EXTENSION",
        kind=ProductKind.TOOL,
        name="OBD extension cable",
        description="OBD-II extension, 16 pins, 3 m",
        net_minor=2900,
        stock=100,
        weight_grams=300,
    ),
)


def standard_catalog() -> tuple[ProductSpec, ...]:
    """The products seeded into a new database: AIR_1H ... PROGRAMMING_1Y, the two per-VIN
    passes and the tools."""
    passes = tuple(
        ProductSpec(
            code=f"{scope.value}_{suffix}",
            kind=ProductKind.PASS,
            scope=scope,
            name=f"{_SCOPE_LABELS[scope]}, {label}",
            duration_seconds=seconds,
            net_minor=net,
        )
        for scope, prices in _NET_PRICES.items()
        for (suffix, seconds, label), net in zip(_DURATIONS, prices, strict=True)
    )
    vin_passes = tuple(
        ProductSpec(
            code=f"{scope.value}_VIN_24H",
            kind=ProductKind.VIN_PASS,
            scope=scope,
            name=f"{_SCOPE_LABELS[scope]}, 24 hours for one vehicle",
            description="Access for the one VIN given at checkout, for 24 hours",
            duration_seconds=DAY_SECONDS,
            net_minor=net,
        )
        for scope, net in _VIN_PASS_NET.items()
    )
    return passes + vin_passes + _TOOLS


def price_with_vat(net_minor: int, *, vat_rate_bp: int, currency: str) -> Price:
    """The full price of ``net_minor`` at ``vat_rate_bp`` (VAT rounded half up)."""
    vat = line_vat_minor(net_minor, rate_bp=vat_rate_bp)
    return Price(
        net_minor=net_minor,
        vat_minor=vat,
        gross_minor=net_minor + vat,
        vat_rate_bp=vat_rate_bp,
        currency=currency,
    )
