"""Consumer of billing's events: the local projection of AIR entitlements (grants and
revocations), in the shape servicekit.entitlement_consumer gives every service. Windows of other
scopes are not stored: this service only ever asks about AIR time."""

from __future__ import annotations

from air.domain.access import AIR_SCOPE
from air.services.access import record_entitlement, revoke_entitlement
from servicekit.entitlement_consumer import entitlement_consumer

__all__ = [
    "CONSUMER_NAME",
    "ENTITLEMENTS_CONSUMER",
    "handle_entitlement_granted",
    "handle_entitlement_revoked",
]

CONSUMER_NAME = "air.entitlements"

_CONSUMER = entitlement_consumer(
    name=CONSUMER_NAME, scope=AIR_SCOPE, record=record_entitlement, revoke=revoke_entitlement
)
ENTITLEMENTS_CONSUMER = _CONSUMER.spec
handle_entitlement_granted = _CONSUMER.granted
handle_entitlement_revoked = _CONSUMER.revoked
