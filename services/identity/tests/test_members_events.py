"""Member and organisation changes are recorded in the outbox (topic identity.v1, keyed by the
organisation) with the fields consumers need."""

from __future__ import annotations

from typing import Any

import pyotp
from fastapi import FastAPI
from google.protobuf.message import Message
from sqlalchemy import select, text

from aos.events.v1 import identity_pb2
from servicekit.outbox import outbox_table

MEMBERS = "/organizations/current/members"


async def _events(app: FastAPI, kind: type[Message]) -> list[tuple[str, str, Any]]:
    """(topic, aggregate id, message) of every recorded event of ``kind``, oldest first."""
    async with app.state.database.transaction() as session:
        rows = (
            await session.execute(
                select(outbox_table.c.topic, outbox_table.c.aggregate_id, outbox_table.c.payload)
                .where(outbox_table.c.event_type == kind.DESCRIPTOR.full_name)
                .order_by(outbox_table.c.id)
            )
        ).all()
    return [(row.topic, row.aggregate_id, kind.FromString(row.payload)) for row in rows]


async def test_invitation_and_joining_are_recorded(members, app: FastAPI) -> None:
    owner = await members.owner()
    org = str(owner.account.organization_id)

    joined = await members.join(owner, role="technician")

    [(topic, key, invited)] = await _events(app, identity_pb2.MemberInvited)
    assert topic.endswith("identity.v1")
    assert key == org
    assert (invited.organization_id, invited.email, invited.role) == (
        org,
        joined.email,
        "technician",
    )
    assert invited.invited_by == str(owner.account.user_id)
    assert invited.expires_at.ToSeconds() - invited.invited_at.ToSeconds() == 7 * 24 * 3600
    [(_, key, member)] = await _events(app, identity_pb2.MemberJoined)
    assert key == org
    assert (member.user_id, member.email, member.role, member.name) == (
        str(joined.user_id),
        joined.email,
        "technician",
        "Anna Schrauber",
    )
    assert member.invitation_id == invited.invitation_id


async def test_role_change_deactivation_and_removal_are_recorded(members, app: FastAPI) -> None:
    owner = await members.owner()
    member = await members.join(owner, role="technician")
    path = f"{MEMBERS}/{member.user_id}"

    await members.http.patch(path, json={"role": "accountant"}, headers=owner.headers)
    await members.http.post(f"{path}/deactivate", headers=owner.headers)
    await members.http.delete(path, headers=owner.headers)

    [(_, _, changed)] = await _events(app, identity_pb2.MemberRoleChanged)
    assert (changed.user_id, changed.old_role, changed.new_role, changed.changed_by) == (
        str(member.user_id),
        "technician",
        "accountant",
        str(owner.account.user_id),
    )
    deactivations = [event for _, _, event in await _events(app, identity_pb2.MemberDeactivated)]
    assert [(event.user_id, event.removed) for event in deactivations] == [
        (str(member.user_id), False),
        (str(member.user_id), True),
    ]
    assert {event.deactivated_by for event in deactivations} == {str(owner.account.user_id)}
    assert all(
        event.organization_id == str(owner.account.organization_id) for event in deactivations
    )


async def test_profile_change_is_recorded_with_the_whole_profile(members, app: FastAPI) -> None:
    owner = await members.owner(company_name="Event Werkstatt GmbH")

    await members.http.patch(
        "/organizations/current",
        json={"street": "Hauptstraße 1", "postcode": "80331", "city": "München"},
        headers=owner.headers,
    )
    # The same values again change nothing, and record nothing.
    await members.http.patch(
        "/organizations/current", json={"city": "München"}, headers=owner.headers
    )

    [(_, key, updated)] = await _events(app, identity_pb2.OrganizationUpdated)
    assert key == str(owner.account.organization_id)
    assert (
        updated.legal_name,
        updated.street,
        updated.postcode,
        updated.city,
        updated.country,
        updated.vat_id,
        updated.invoice_email,
    ) == ("Event Werkstatt GmbH", "Hauptstraße 1", "80331", "München", "DE", "DE123456704", "")


async def test_closing_records_every_deactivation_and_the_closing(members, app: FastAPI) -> None:
    owner = await members.owner()
    member = await members.join(owner, role="technician")
    async with app.state.database.transaction() as session:
        await session.execute(
            text("UPDATE users SET totp_last_step = totp_last_step - 2 WHERE id = :id"),
            {"id": owner.account.user_id},
        )
    closed = await members.http.post(
        "/organizations/current/close",
        json={
            "password": owner.account.password,
            "totp_code": pyotp.TOTP(owner.account.totp_secret).now(),
        },
        headers=owner.headers,
    )
    assert closed.status_code == 200, closed.text

    [(_, _, closing)] = await _events(app, identity_pb2.OrganizationClosed)
    assert (closing.organization_id, closing.closed_by) == (
        str(owner.account.organization_id),
        str(owner.account.user_id),
    )
    deactivations = [event for _, _, event in await _events(app, identity_pb2.MemberDeactivated)]
    assert {(event.user_id, event.removed, event.deactivated_by) for event in deactivations} == {
        (str(owner.account.user_id), True, ""),
        (str(member.user_id), True, ""),
    }
