from decimal import ROUND_HALF_UP, Decimal

import pytest

from billing.domain.catalog import ProductKind, Scope, price_with_vat, standard_catalog


def test_line_vat_matches_decimal_half_up_for_every_amount_up_to_ten_thousand_cents() -> None:
    for net in range(10_001):
        exact = (Decimal(net) * 19 / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        assert price_with_vat(net, vat_rate_bp=1900, currency="EUR").vat_minor == int(exact), net


def test_line_vat_is_exact_for_amounts_beyond_float_precision() -> None:
    net = 2**60 + 50
    exact = (Decimal(net) * Decimal("25.5") / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert price_with_vat(net, vat_rate_bp=2550, currency="EUR").vat_minor == int(exact)


def test_price_gross_is_net_plus_rounded_vat() -> None:
    price = price_with_vat(150, vat_rate_bp=1900, currency="EUR")
    assert (price.net_minor, price.vat_minor, price.gross_minor) == (150, 29, 179)
    assert price.vat_rate_bp == 1900
    assert price.currency == "EUR"


def test_price_refuses_negative_amounts() -> None:
    with pytest.raises(ValueError, match="negative"):
        price_with_vat(-1, vat_rate_bp=1900, currency="EUR")


def test_standard_catalog_has_five_durations_for_each_scope_at_published_prices() -> None:
    catalog = {p.code: p for p in standard_catalog() if p.kind is ProductKind.PASS}
    assert {code: p.net_minor for code, p in catalog.items()} == {
        "AIR_1H": 700,
        "AIR_1D": 3000,
        "AIR_1W": 13000,
        "AIR_1M": 31000,
        "AIR_1Y": 285000,
        "PROGRAMMING_1H": 2500,
        "PROGRAMMING_1D": 9500,
        "PROGRAMMING_1W": 39000,
        "PROGRAMMING_1M": 95000,
        "PROGRAMMING_1Y": 850000,
    }
    assert {p.currency for p in catalog.values()} == {"EUR"}
    assert catalog["AIR_1M"].scope is Scope.AIR
    assert catalog["PROGRAMMING_1H"].scope is Scope.PROGRAMMING


def test_standard_catalog_durations_are_hour_day_week_30_days_365_days() -> None:
    durations = {
        p.code: p.duration_seconds
        for p in standard_catalog()
        if p.scope is Scope.AIR and p.kind is ProductKind.PASS
    }
    assert durations == {
        "AIR_1H": 3600,
        "AIR_1D": 86400,
        "AIR_1W": 604800,
        "AIR_1M": 2592000,
        "AIR_1Y": 31536000,
    }


def test_per_vin_passes_last_24_hours_and_carry_a_scope() -> None:
    catalog = {p.code: p for p in standard_catalog() if p.kind is ProductKind.VIN_PASS}
    assert {code: (p.scope, p.duration_seconds, p.net_minor) for code, p in catalog.items()} == {
        "AIR_VIN_24H": (Scope.AIR, 86400, 1500),
        "PROGRAMMING_VIN_24H": (Scope.PROGRAMMING, 86400, 4500),
    }


def test_tools_have_stock_and_weight_but_no_scope_or_duration() -> None:
    tools = [p for p in standard_catalog() if p.kind is ProductKind.TOOL]
    assert {p.code for p in tools} == {
        "TOOL_ICOM_VCI",
        "TOOL_ENET_CABLE",
        "TOOL_PROGRAMMING_CHARGER",
        "TOOL_OBD_EXTENSION",
    }
    for tool in tools:
        assert tool.scope is None and tool.duration_seconds is None
        assert tool.stock is not None and tool.stock > 0
        assert tool.weight_grams is not None and tool.weight_grams > 0
        assert tool.net_minor > 0
