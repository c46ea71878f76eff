"""Billing's entitlement events as the services that grant access read them.

AIR and programming both project ``EntitlementGranted`` and ``EntitlementRevoked`` into a local
table; they read the events through this one parser, so a contract break (a window that ends
before it starts, an id that is no UUID, a malformed VIN) is refused the same way in both: as
:class:`~servicekit.consumer.BadEvent`, which the consumer dead-letters at once, as retrying
cannot mend it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from aos.events.v1 import billing_pb2
from servicekit.consumer import BadEvent

__all__ = [
    "EntitlementRevocation",
    "EntitlementWindow",
    "parse_granted",
    "parse_revoked",
    "scope_name",
]

_SCOPE_PREFIX = "SCOPE_"
_REASON_PREFIX = "REVOCATION_REASON_"
# ISO 3779: 17 characters, digits and capital letters except I, O and Q.
_VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")


@dataclass(frozen=True)
class EntitlementWindow:
    """A granted window ``[valid_from, valid_until)`` of one scope for one organisation.

    ``vin`` is set for a per-VIN pass, which covers that vehicle only; None for a time pass.
    """

    entitlement_id: uuid.UUID
    organization_id: uuid.UUID
    scope: str
    valid_from: datetime
    valid_until: datetime
    order_id: uuid.UUID | None
    vin: str | None


@dataclass(frozen=True)
class EntitlementRevocation:
    """A granted window that gives no access from ``revoked_at`` on."""

    entitlement_id: uuid.UUID
    organization_id: uuid.UUID
    scope: str
    order_id: uuid.UUID | None
    vin: str | None
    reason: str
    revoked_at: datetime


def scope_name(value: int) -> str:
    """'AIR' for SCOPE_AIR; scopes newer than our contract are kept as 'UNKNOWN_<n>'."""
    try:
        return billing_pb2.Scope.Name(value).removeprefix(_SCOPE_PREFIX)
    except ValueError:
        return f"UNKNOWN_{value}"


def _reason_name(value: int) -> str:
    try:
        name = billing_pb2.RevocationReason.Name(value)
    except ValueError:
        return f"UNKNOWN_{value}"
    return name.removeprefix(_REASON_PREFIX)


def _uuid(value: str, *, field: str, event: str, entitlement_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise BadEvent(f"{event} {entitlement_id!r}: {field} {value!r} is no UUID") from exc


def _optional_uuid(value: str, *, field: str, event: str, entitlement_id: str) -> uuid.UUID | None:
    if not value:
        return None
    return _uuid(value, field=field, event=event, entitlement_id=entitlement_id)


def _vin(value: str, *, event: str, entitlement_id: str) -> str | None:
    if not value:
        return None
    if not _VIN.fullmatch(value):
        raise BadEvent(f"{event} {entitlement_id!r}: vin {value[:40]!r} is no VIN")
    return value


def parse_granted(message: billing_pb2.EntitlementGranted) -> EntitlementWindow:
    """The window an EntitlementGranted announces; raises BadEvent for a contract break."""
    event, entitlement_id = "EntitlementGranted", message.entitlement_id
    for field in ("valid_from", "valid_until"):
        if not message.HasField(field):
            raise BadEvent(f"{event} {entitlement_id!r} has no {field}")
    valid_from = message.valid_from.ToDatetime(tzinfo=UTC)
    valid_until = message.valid_until.ToDatetime(tzinfo=UTC)
    if valid_until <= valid_from:
        raise BadEvent(
            f"{event} {entitlement_id!r} ends before it starts "
            f"({valid_from.isoformat()} .. {valid_until.isoformat()})"
        )
    ids = {"event": event, "entitlement_id": entitlement_id}
    return EntitlementWindow(
        entitlement_id=_uuid(entitlement_id, field="entitlement_id", **ids),
        organization_id=_uuid(message.organization_id, field="organization_id", **ids),
        scope=scope_name(message.scope),
        valid_from=valid_from,
        valid_until=valid_until,
        order_id=_optional_uuid(message.order_id, field="order_id", **ids),
        vin=_vin(message.vin, **ids),
    )


def parse_revoked(message: billing_pb2.EntitlementRevoked) -> EntitlementRevocation:
    """What an EntitlementRevoked takes back; raises BadEvent for a contract break."""
    event, entitlement_id = "EntitlementRevoked", message.entitlement_id
    if not message.HasField("revoked_at"):
        raise BadEvent(f"{event} {entitlement_id!r} has no revoked_at")
    ids = {"event": event, "entitlement_id": entitlement_id}
    return EntitlementRevocation(
        entitlement_id=_uuid(entitlement_id, field="entitlement_id", **ids),
        organization_id=_uuid(message.organization_id, field="organization_id", **ids),
        scope=scope_name(message.scope),
        order_id=_optional_uuid(message.order_id, field="order_id", **ids),
        vin=_vin(message.vin, **ids),
        reason=_reason_name(message.reason),
        revoked_at=message.revoked_at.ToDatetime(tzinfo=UTC),
    )
