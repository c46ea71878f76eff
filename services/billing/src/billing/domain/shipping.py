"""The shipping fee of an order of tools: by total weight and destination zone.

================  ==========  ===========  ==========
parcel weight     domestic    EU           world
================  ==========  ===========  ==========
up to 2 kg        4.90        9.90         24.90
up to 10 kg       6.90        16.90        44.90
up to 31.5 kg     12.90       29.90        79.90
each further      +12.90      +29.90       +79.90
31.5 kg parcel
================  ==========  ===========  ==========

Net amounts in euro; VAT on shipping follows the goods it ships (a supply ancillary to them).
Domestic means the seller's country; EU any other member state; world the rest. An order
without tools ships nothing and costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from billing.domain.tax import is_eu

__all__ = ["MAX_PARCEL_GRAMS", "ShippingFee", "ShippingZone", "shipping_fee", "zone_of"]

MAX_PARCEL_GRAMS = 31_500


class ShippingZone(StrEnum):
    DOMESTIC = "domestic"
    EU = "eu"
    WORLD = "world"


# (up to grams, net minor) per zone, for one parcel.
_BANDS: dict[ShippingZone, tuple[tuple[int, int], ...]] = {
    ShippingZone.DOMESTIC: ((2_000, 490), (10_000, 690), (MAX_PARCEL_GRAMS, 1290)),
    ShippingZone.EU: ((2_000, 990), (10_000, 1690), (MAX_PARCEL_GRAMS, 2990)),
    ShippingZone.WORLD: ((2_000, 2490), (10_000, 4490), (MAX_PARCEL_GRAMS, 7990)),
}


@dataclass(frozen=True)
class ShippingFee:
    net_minor: int
    zone: ShippingZone
    parcels: int
    rule: str  # how the fee came about, for the customer


def zone_of(destination_country: str, *, seller_country: str) -> ShippingZone:
    country = destination_country.upper()
    if country == seller_country.upper():
        return ShippingZone.DOMESTIC
    return ShippingZone.EU if is_eu(country) else ShippingZone.WORLD


def _parcel_fee(zone: ShippingZone, grams: int) -> int:
    for up_to, fee in _BANDS[zone]:
        if grams <= up_to:
            return fee
    raise AssertionError("a parcel never exceeds MAX_PARCEL_GRAMS")


def shipping_fee(
    total_weight_grams: int, *, destination_country: str, seller_country: str
) -> ShippingFee:
    """The fee for ``total_weight_grams`` (split into parcels of at most 31.5 kg).

    Raises ValueError for a weight that is not positive.
    """
    if total_weight_grams <= 0:
        raise ValueError(f"a shipment weighs something, got {total_weight_grams} g")
    zone = zone_of(destination_country, seller_country=seller_country)
    full, rest = divmod(total_weight_grams, MAX_PARCEL_GRAMS)
    net = full * _parcel_fee(zone, MAX_PARCEL_GRAMS) + (_parcel_fee(zone, rest) if rest else 0)
    parcels = full + (1 if rest else 0)
    kilograms = f"{total_weight_grams / 1000:.2f}".rstrip("0").rstrip(".")
    return ShippingFee(
        net_minor=net,
        zone=zone,
        parcels=parcels,
        rule=f"{zone.value}, {kilograms} kg in {parcels} parcel{'s' if parcels > 1 else ''}",
    )
