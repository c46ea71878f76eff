from decimal import ROUND_HALF_UP, Decimal

import pytest

from billing.domain.catalog import Scope, price_with_vat, standard_catalog, vat_minor


@pytest.mark.parametrize(
    ("net_minor", "expected_vat"),
    [
        (0, 0),
        (2, 0),  # 0.38 -> 0
        (3, 1),  # 0.57 -> 1
        (50, 10),  # 9.50 -> 10: exactly half rounds up
        (150, 29),  # 28.50 -> 29
        (250, 48),  # 47.50 -> 48
        (52, 10),  # 9.88 -> 10
        (700, 133),
        (285000, 54150),
    ],
)
def test_vat_at_19_percent_rounds_half_up(net_minor: int, expected_vat: int) -> None:
    assert vat_minor(net_minor, rate_percent=19) == expected_vat


def test_vat_matches_decimal_half_up_for_every_amount_up_to_ten_thousand_cents() -> None:
    for net in range(10_001):
        exact = (Decimal(net) * 19 / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        assert vat_minor(net, rate_percent=19) == int(exact), net


def test_vat_is_exact_for_amounts_beyond_float_precision() -> None:
    net = 2**60 + 50
    exact = (Decimal(net) * 19 / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert vat_minor(net, rate_percent=19) == int(exact)


def test_vat_refuses_negative_amounts() -> None:
    with pytest.raises(ValueError, match="negative"):
        vat_minor(-1, rate_percent=19)


def test_price_gross_is_net_plus_rounded_vat() -> None:
    price = price_with_vat(150, vat_rate_percent=19, currency="EUR")
    assert (price.net_minor, price.vat_minor, price.gross_minor) == (150, 29, 179)
    assert price.vat_rate_percent == 19
    assert price.currency == "EUR"


def test_standard_catalog_has_five_durations_for_each_scope_at_published_prices() -> None:
    catalog = {p.code: p for p in standard_catalog()}
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
    durations = {p.code: p.duration_seconds for p in standard_catalog() if p.scope is Scope.AIR}
    assert durations == {
        "AIR_1H": 3600,
        "AIR_1D": 86400,
        "AIR_1W": 604800,
        "AIR_1M": 2592000,
        "AIR_1Y": 31536000,
    }
