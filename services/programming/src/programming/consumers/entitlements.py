"""Consumer of billing's events: the local projection of PROGRAMMING entitlements (grants and
revocations), in the shape servicekit.entitlement_consumer gives every service. Windows of other
scopes (AIR) are not stored: this service only ever asks about programming time."""

from __future__ import annotations

from programming.services.entitlements import (
    PROGRAMMING_SCOPE,
    record_entitlement,
    revoke_entitlement,
)
from servicekit.entitlement_consumer import entitlement_consumer

__all__ = [
    "CONSUMER_NAME",
    "ENTITLEMENTS_CONSUMER",
    "handle_entitlement_granted",
    "handle_entitlement_revoked",
]

CONSUMER_NAME = "programming.entitlements"

_CONSUMER = entitlement_consumer(
    name=CONSUMER_NAME,
    scope=PROGRAMMING_SCOPE,
    record=record_entitlement,
    revoke=revoke_entitlement,
)
ENTITLEMENTS_CONSUMER = _CONSUMER.spec
handle_entitlement_granted = _CONSUMER.granted
handle_entitlement_revoked = _CONSUMER.revoked
