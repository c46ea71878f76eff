"""Pure rules of checkout: VINs, the shipping fee, fulfilment steps and refunds."""

from datetime import UTC, datetime, timedelta

import pytest

from billing.domain.orders import FulfilmentStatus, next_fulfilment
from billing.domain.refunds import (
    RefundRefusal,
    refund_refusal,
)
from billing.domain.shipping import ShippingZone, shipping_fee, zone_of
from billing.domain.vin import InvalidVin, validate_vin

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def test_a_vin_is_normalised_to_capitals_without_surrounding_space() -> None:
    assert validate_vin("  wba8e9g50gnt12345 ") == "WBA8E9G50GNT12345"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("WBA8E9G50GNT1234", "17 characters, this one has 16"),
        ("WBA8E9G50GNT123456", "this one has 18"),
        ("WBA8E9G50GNT1234I", "did you mean 1"),
        ("WBA8E9G50GNT1234Q", "did you mean 0"),
        ("WBA8E9G50GNT1234-", "character '-' at position 17"),
        ("WBA8E9G50GNT1234Ä", "not allowed"),
    ],
)
def test_a_bad_vin_is_refused_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidVin, match=reason):
        validate_vin(raw)


@pytest.mark.parametrize(
    ("country", "zone"),
    [("DE", ShippingZone.DOMESTIC), ("at", ShippingZone.EU), ("CH", ShippingZone.WORLD)],
)
def test_the_zone_follows_the_destination(country: str, zone: ShippingZone) -> None:
    assert zone_of(country, seller_country="DE") is zone


@pytest.mark.parametrize(
    ("grams", "country", "net", "parcels"),
    [
        (250, "DE", 490, 1),
        (2000, "DE", 490, 1),  # the band's upper bound is included
        (2001, "DE", 690, 1),
        (7500, "FR", 1690, 1),
        (31_500, "US", 7990, 1),
        (31_501, "DE", 1290 + 490, 2),  # a full parcel and a small one
        (63_000, "FR", 2 * 2990, 2),
    ],
)
def test_the_fee_goes_by_weight_band_and_zone(
    grams: int, country: str, net: int, parcels: int
) -> None:
    fee = shipping_fee(grams, destination_country=country, seller_country="DE")
    assert (fee.net_minor, fee.parcels) == (net, parcels)


def test_the_rule_says_how_the_fee_came_about() -> None:
    fee = shipping_fee(31_750, destination_country="AT", seller_country="DE")
    assert fee.rule == "eu, 31.75 kg in 2 parcels"


def test_nothing_to_ship_has_no_fee() -> None:
    with pytest.raises(ValueError, match="weighs"):
        shipping_fee(0, destination_country="DE", seller_country="DE")


def test_fulfilment_goes_pick_ship_deliver_and_nowhere_else() -> None:
    assert next_fulfilment(FulfilmentStatus.AWAITING_PICK) is FulfilmentStatus.PICKED
    assert next_fulfilment(FulfilmentStatus.PICKED) is FulfilmentStatus.SHIPPED
    assert next_fulfilment(FulfilmentStatus.SHIPPED) is FulfilmentStatus.DELIVERED
    assert next_fulfilment(FulfilmentStatus.DELIVERED) is None
    assert next_fulfilment(FulfilmentStatus.NONE) is None


@pytest.mark.parametrize(
    ("paid_ago", "refunded", "used", "refusal"),
    [
        (timedelta(hours=1), False, False, None),
        (timedelta(hours=23, minutes=59), False, False, None),
        (timedelta(hours=24), False, False, RefundRefusal.PERIOD_OVER),
        (timedelta(hours=1), False, True, RefundRefusal.USED),
        (timedelta(hours=1), True, False, RefundRefusal.ALREADY_REFUNDED),
        (timedelta(hours=30), True, True, RefundRefusal.ALREADY_REFUNDED),
    ],
)
def test_refund_refusals(
    paid_ago: timedelta, refunded: bool, used: bool, refusal: RefundRefusal | None
) -> None:
    assert (
        refund_refusal(
            paid_at=NOW - paid_ago,
            now=NOW,
            period=timedelta(hours=24),
            refunded=refunded,
            used=used,
        )
        is refusal
    )
