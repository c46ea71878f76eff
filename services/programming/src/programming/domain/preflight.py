"""The pre-flight checklist a person confirms at the vehicle before a programming session
starts: what a flash needs and the service cannot see for itself."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["PREFLIGHT_ITEMS", "unconfirmed_preflight"]

# Item -> what the person confirms (in the order the portal shows them).
PREFLIGHT_ITEMS: Mapping[str, str] = MappingProxyType(
    {
        "charger_connected": "a battery charger is connected to the vehicle",
        "ignition_on": "the ignition is on",
        "no_other_tester": "no other diagnostic tester is connected",
    }
)


def unconfirmed_preflight(confirmed: Mapping[str, bool]) -> tuple[str, ...]:
    """The checklist's items not confirmed (missing or false) in ``confirmed``, in order."""
    return tuple(item for item in PREFLIGHT_ITEMS if confirmed.get(item) is not True)
