"""What billing needs from a parcel carrier: a shipment with a tracking number.

A real carrier (DHL, UPS, ...) is an outside service; :class:`TestCarrier` stands in for one
until a contract exists, as TestPaymentProvider does for the PSP.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

__all__ = ["Carrier", "CarrierError", "Parcel", "TestCarrier"]


class CarrierError(Exception):
    """The carrier refused the shipment or could not be reached."""


@dataclass(frozen=True)
class Parcel:
    order_id: uuid.UUID
    name: str
    street: str
    postcode: str
    city: str
    country: str
    weight_grams: int


class Carrier(Protocol):
    name: str

    async def create_shipment(self, parcel: Parcel) -> str:
        """Book the shipment; its tracking number. Raises CarrierError."""
        ...


class TestCarrier:
    """A fake carrier: books nothing, answers a tracking number derived from the order, so
    shipping the same order twice gives the same number."""

    __test__ = False  # not a pytest test class, despite the name
    name = "test-carrier"

    def __init__(self) -> None:
        self.shipments: list[Parcel] = []

    async def create_shipment(self, parcel: Parcel) -> str:
        self.shipments.append(parcel)
        return f"TEST{parcel.order_id.hex[:16].upper()}"
