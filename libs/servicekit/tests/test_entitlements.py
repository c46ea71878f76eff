"""The one parser of billing's entitlement events that AIR and programming share."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from aos.events.v1 import billing_pb2
from servicekit.consumer import BadEvent
from servicekit.entitlements import (
    EntitlementRevocation,
    EntitlementWindow,
    parse_granted,
    parse_revoked,
    scope_name,
)
from servicekit.testing import timestamp

START = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
VIN = "WBA5F3103MFX12345"


def granted(**fields: object) -> billing_pb2.EntitlementGranted:
    values: dict[str, object] = {
        "entitlement_id": str(uuid.uuid4()),
        "organization_id": str(uuid.uuid4()),
        "scope": billing_pb2.SCOPE_AIR,
        "valid_from": timestamp(START),
        "valid_until": timestamp(START + timedelta(hours=24)),
        "order_id": str(uuid.uuid4()),
    }
    values.update(fields)
    return billing_pb2.EntitlementGranted(**values)  # type: ignore[arg-type]


def revoked(**fields: object) -> billing_pb2.EntitlementRevoked:
    values: dict[str, object] = {
        "entitlement_id": str(uuid.uuid4()),
        "organization_id": str(uuid.uuid4()),
        "scope": billing_pb2.SCOPE_PROGRAMMING,
        "order_id": str(uuid.uuid4()),
        "reason": billing_pb2.REVOCATION_REASON_REFUNDED,
        "revoked_at": timestamp(START),
    }
    values.update(fields)
    return billing_pb2.EntitlementRevoked(**values)  # type: ignore[arg-type]


def test_a_per_vin_grant_is_read_with_its_vehicle() -> None:
    message = granted(vin=VIN)

    assert parse_granted(message) == EntitlementWindow(
        entitlement_id=uuid.UUID(message.entitlement_id),
        organization_id=uuid.UUID(message.organization_id),
        scope="AIR",
        valid_from=START,
        valid_until=START + timedelta(hours=24),
        order_id=uuid.UUID(message.order_id),
        vin=VIN,
    )


def test_a_time_pass_has_no_vin_and_an_order_may_be_absent() -> None:
    window = parse_granted(granted(order_id=""))

    assert (window.vin, window.order_id) == (None, None)


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"vin": "WBA5F3103MFX1234"}, "is no VIN"),  # 16 characters
        ({"vin": "wba5f3103mfx12345"}, "is no VIN"),  # billing sends VINs upper-case
        ({"vin": "WBA5F3103MFX1234O"}, "is no VIN"),  # O is never used in a VIN
        ({"entitlement_id": "x"}, "entitlement_id 'x' is no UUID"),
        ({"organization_id": "not-a-uuid"}, "organization_id 'not-a-uuid' is no UUID"),
        ({"order_id": "42"}, "order_id '42' is no UUID"),
        ({"valid_until": timestamp(START)}, "ends before it starts"),
    ],
)
def test_a_grant_that_breaks_the_contract_is_a_bad_event(
    fields: dict[str, object], match: str
) -> None:
    with pytest.raises(BadEvent, match=match):
        parse_granted(granted(**fields))


@pytest.mark.parametrize("field", ["valid_from", "valid_until"])
def test_a_grant_without_its_window_is_a_bad_event(field: str) -> None:
    message = granted()
    message.ClearField(field)  # type: ignore[arg-type]

    with pytest.raises(BadEvent, match=f"has no {field}"):
        parse_granted(message)


def test_a_revocation_is_read_with_its_reason_and_moment() -> None:
    message = revoked(vin=VIN)

    assert parse_revoked(message) == EntitlementRevocation(
        entitlement_id=uuid.UUID(message.entitlement_id),
        organization_id=uuid.UUID(message.organization_id),
        scope="PROGRAMMING",
        order_id=uuid.UUID(message.order_id),
        vin=VIN,
        reason="REFUNDED",
        revoked_at=START,
    )


def test_a_revocation_without_its_moment_is_a_bad_event() -> None:
    message = revoked()
    message.ClearField("revoked_at")

    with pytest.raises(BadEvent, match="has no revoked_at"):
        parse_revoked(message)


def test_a_revocation_of_no_uuid_is_a_bad_event() -> None:
    with pytest.raises(BadEvent, match="entitlement_id 'nope' is no UUID"):
        parse_revoked(revoked(entitlement_id="nope"))


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (billing_pb2.SCOPE_AIR, "AIR"),
        (billing_pb2.SCOPE_PROGRAMMING, "PROGRAMMING"),
        (99, "UNKNOWN_99"),
    ],
)
def test_scope_names_drop_the_prefix_and_keep_unknown_values(value: int, name: str) -> None:
    assert scope_name(value) == name
