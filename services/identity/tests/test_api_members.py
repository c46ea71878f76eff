"""Members: list, role changes and who may make them, deactivation, removal, last owner."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime

import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from identity.member_errors import LastOwnerError
from identity.services.members import change_role
from servicekit.auth import Principal
from servicekit.roles import Role

MEMBERS = "/organizations/current/members"


def _principal(member) -> Principal:
    return Principal(
        user_id=member.account.user_id,
        organization_id=member.account.organization_id,
        roles=("owner",),
        token_id=uuid.uuid4().hex,
        expires_at=int(time.time()) + 600,
    )


async def test_member_list_shows_name_email_role_2fa_last_login_and_active(members) -> None:
    owner = await members.owner(owner_name="Olga Owner")
    technician = await members.member(owner, role="technician")
    # Joined, TOTP set up, never logged in.
    accountant = await members.join(owner, role="accountant")

    listed = await members.http.get(MEMBERS, headers=owner.headers)

    assert listed.status_code == 200, listed.text
    rows = {item["id"]: item for item in listed.json()["items"]}
    assert rows[str(owner.account.user_id)]["name"] == "Olga Owner"
    assert rows[str(owner.account.user_id)]["role"] == "owner"
    assert rows[str(technician.account.user_id)]["email"] == technician.account.email
    assert rows[str(technician.account.user_id)]["last_login_at"] is not None
    assert rows[str(accountant.user_id)]["last_login_at"] is None
    assert all(row["totp_enabled"] and row["active"] for row in rows.values())
    assert len(rows) == 3


async def test_owner_changes_a_role_and_the_next_refresh_carries_it(members, problem) -> None:
    owner = await members.owner()
    technician = await members.member(owner, role="technician")

    changed = await members.http.patch(
        f"{MEMBERS}/{technician.account.user_id}",
        json={"role": "accountant"},
        headers=owner.headers,
    )

    assert changed.status_code == 200, changed.text
    assert changed.json()["role"] == "accountant"
    refreshed = await members.identity.refresh(technician.refresh_token)
    assert refreshed.status_code == 200, refreshed.text
    claims = jwt.decode(refreshed.json()["access_token"], options={"verify_signature": False})
    assert claims["roles"] == ["accountant"]


async def test_admin_may_not_grant_or_take_away_owner(members, problem) -> None:
    owner = await members.owner()
    admin = await members.member(owner, role="admin")
    technician = await members.join(owner, role="technician")

    grant = await members.http.patch(
        f"{MEMBERS}/{technician.user_id}", json={"role": "owner"}, headers=admin.headers
    )
    demote = await members.http.patch(
        f"{MEMBERS}/{owner.account.user_id}", json={"role": "admin"}, headers=admin.headers
    )
    deactivate = await members.http.post(
        f"{MEMBERS}/{owner.account.user_id}/deactivate", headers=admin.headers
    )

    problem(grant, 403, "owner-required")
    problem(demote, 403, "owner-required")
    problem(deactivate, 403, "owner-required")
    allowed = await members.http.patch(
        f"{MEMBERS}/{technician.user_id}", json={"role": "accountant"}, headers=admin.headers
    )
    assert allowed.status_code == 200, allowed.text


async def test_owner_may_make_another_owner(members) -> None:
    owner = await members.owner()
    admin = await members.join(owner, role="admin")

    made = await members.http.patch(
        f"{MEMBERS}/{admin.user_id}", json={"role": "owner"}, headers=owner.headers
    )

    assert made.json()["role"] == "owner"


@pytest.mark.parametrize("role", ["technician", "accountant"])
async def test_technicians_and_accountants_may_not_manage_members(
    members, problem, role: str
) -> None:
    owner = await members.owner()
    member = await members.member(owner, role=role)

    problem(await members.http.get(MEMBERS, headers=member.headers), 403, "role-forbidden")
    patch = await members.http.patch(
        f"{MEMBERS}/{member.account.user_id}", json={"role": "admin"}, headers=member.headers
    )
    problem(patch, 403, "role-forbidden")


async def test_a_demoted_admin_is_refused_at_once_though_the_token_still_says_admin(
    members, problem
) -> None:
    owner = await members.owner()
    admin = await members.member(owner, role="admin")
    await members.http.patch(
        f"{MEMBERS}/{admin.account.user_id}", json={"role": "technician"}, headers=owner.headers
    )

    body = problem(await members.http.get(MEMBERS, headers=admin.headers), 403, "role-forbidden")

    assert "technician" in body["detail"]


async def test_the_last_owner_cannot_be_demoted_deactivated_or_removed(members, problem) -> None:
    owner = await members.owner()
    me = f"{MEMBERS}/{owner.account.user_id}"

    problem(
        await members.http.patch(me, json={"role": "admin"}, headers=owner.headers),
        409,
        "last-owner",
    )
    problem(await members.http.post(f"{me}/deactivate", headers=owner.headers), 409, "last-owner")
    problem(await members.http.delete(me, headers=owner.headers), 409, "last-owner")


async def test_a_deactivated_owner_does_not_count_as_the_remaining_owner(members, problem) -> None:
    owner = await members.owner()
    second = await members.join(owner, role="owner")
    deactivated = await members.http.post(
        f"{MEMBERS}/{second.user_id}/deactivate", headers=owner.headers
    )
    assert deactivated.status_code == 200, deactivated.text

    demote = await members.http.patch(
        f"{MEMBERS}/{owner.account.user_id}", json={"role": "admin"}, headers=owner.headers
    )

    problem(demote, 409, "last-owner")


async def test_two_owners_stepping_down_at_once_leave_one_owner(members) -> None:
    first = await members.owner()
    second = await members.member(first, role="owner")

    answers = await asyncio.gather(
        members.http.patch(
            f"{MEMBERS}/{first.account.user_id}", json={"role": "admin"}, headers=first.headers
        ),
        members.http.patch(
            f"{MEMBERS}/{second.account.user_id}", json={"role": "admin"}, headers=second.headers
        ),
    )

    assert sorted(answer.status_code for answer in answers) == [200, 409]
    assert "last-owner" in [answer.json().get("code") for answer in answers]
    listed = await members.http.get(MEMBERS, headers=first.headers)
    if listed.status_code == 403:  # first was demoted: ask the one who stayed owner
        listed = await members.http.get(MEMBERS, headers=second.headers)
    owners = [item for item in listed.json()["items"] if item["role"] == "owner"]
    assert len(owners) == 1


async def _waiting_on_a_lock(app: FastAPI) -> bool:
    async with app.state.database.transaction() as session:
        found = await session.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
        return int(found.scalar_one()) > 0


async def test_a_demotion_waits_for_a_concurrent_one_and_then_sees_it(
    members, app: FastAPI
) -> None:
    """The organisation row lock, shown step by step: two owners step down; while the first
    one's transaction is open, the second waits, and once it commits finds no other owner."""
    first = await members.owner()
    second = await members.member(first, role="owner")
    database = app.state.database

    async def second_steps_down() -> None:
        async with database.transaction() as session:
            await change_role(
                session,
                _principal(second),
                second.account.user_id,
                role=Role.ADMIN,
                now=first_now,
            )

    first_now = datetime.now(UTC)
    async with database.transaction() as session:
        await change_role(
            session,
            _principal(first),
            first.account.user_id,
            role=Role.ADMIN,
            now=first_now,
        )
        other = asyncio.create_task(second_steps_down())
        async with asyncio.timeout(10):
            while not other.done() and not await _waiting_on_a_lock(app):
                await asyncio.sleep(0.01)
        assert not other.done(), "the second demotion did not wait for the first"
    with pytest.raises(LastOwnerError):
        await other


async def test_deactivated_member_cannot_log_in_or_refresh(members, identity, problem) -> None:
    owner = await members.owner()
    technician = await members.member(owner, role="technician")

    deactivated = await members.http.post(
        f"{MEMBERS}/{technician.account.user_id}/deactivate", headers=owner.headers
    )

    assert deactivated.status_code == 200, deactivated.text
    assert deactivated.json()["active"] is False
    refresh = await members.identity.refresh(technician.refresh_token)
    problem(refresh, 401, "refresh-token-invalid")
    login = await identity.login(technician.account, totp_code=technician.account.next_code())
    body = problem(login, 403, "account-deactivated")
    assert "reactivate" in body["detail"]


async def test_deactivation_revokes_every_refresh_token_of_the_member(
    members, app: FastAPI
) -> None:
    owner = await members.owner()
    technician = await members.member(owner, role="technician")

    await members.http.post(
        f"{MEMBERS}/{technician.account.user_id}/deactivate", headers=owner.headers
    )

    async with app.state.database.transaction() as session:
        unrevoked = await session.execute(
            text("SELECT count(*) FROM refresh_tokens WHERE user_id = :id AND revoked_at IS NULL"),
            {"id": technician.account.user_id},
        )
        assert unrevoked.scalar_one() == 0


async def test_a_wrong_password_of_a_deactivated_member_says_only_login_failed(
    members, identity, problem
) -> None:
    owner = await members.owner()
    technician = await members.join(owner, role="technician")
    await members.http.post(f"{MEMBERS}/{technician.user_id}/deactivate", headers=owner.headers)
    technician.password = "not the password at all"

    problem(await identity.login(technician), 401, "login-failed")


async def test_reactivated_member_logs_in_again(members, identity) -> None:
    owner = await members.owner()
    technician = await members.join(owner, role="technician")
    await members.http.post(f"{MEMBERS}/{technician.user_id}/deactivate", headers=owner.headers)

    reactivated = await members.http.post(
        f"{MEMBERS}/{technician.user_id}/reactivate", headers=owner.headers
    )

    assert reactivated.json()["active"] is True
    login = await identity.login(technician, totp_code=technician.next_code())
    assert login.status_code == 200, login.text


async def test_removed_member_is_erased_and_cannot_log_in(
    members, identity, app: FastAPI, problem
) -> None:
    owner = await members.owner()
    technician = await members.member(owner, role="technician")

    removed = await members.http.delete(
        f"{MEMBERS}/{technician.account.user_id}", headers=owner.headers
    )

    assert removed.status_code == 204, removed.text
    listed = await members.http.get(MEMBERS, headers=owner.headers)
    assert str(technician.account.user_id) not in [item["id"] for item in listed.json()["items"]]
    async with app.state.database.transaction() as session:
        row = (
            await session.execute(
                text(
                    "SELECT name, email, password_hash, totp_secret_sealed, removed_at"
                    " FROM users WHERE id = :id"
                ),
                {"id": technician.account.user_id},
            )
        ).one()
        codes = await session.execute(
            text("SELECT count(*) FROM recovery_codes WHERE user_id = :id"),
            {"id": technician.account.user_id},
        )
        assert codes.scalar_one() == 0
    assert technician.account.email not in row.email
    assert row.name == "Erased member"
    assert (row.password_hash, row.totp_secret_sealed) == (None, None)
    assert row.removed_at is not None
    login = await identity.login(technician.account, totp_code=technician.account.next_code())
    problem(login, 401, "login-failed")
    refresh = await members.identity.refresh(technician.refresh_token)
    problem(refresh, 401, "refresh-token-invalid")
    # The address is free again: the person may be invited anew.
    assert (
        await members.invite(owner, role="technician", email=technician.account.email)
    ).status_code == 201


async def test_a_deactivated_admin_is_refused_at_once(members, problem) -> None:
    owner = await members.owner()
    admin = await members.member(owner, role="admin")
    await members.http.post(f"{MEMBERS}/{admin.account.user_id}/deactivate", headers=owner.headers)

    problem(await members.http.get(MEMBERS, headers=admin.headers), 403, "account-deactivated")


async def test_refresh_of_a_deactivated_member_is_refused_even_with_a_live_token(
    members, app: FastAPI, problem
) -> None:
    # A refresh token issued by a login that raced with the deactivation is not revoked by it;
    # the refresh itself still checks that the member is active.
    owner = await members.owner()
    technician = await members.member(owner, role="technician")
    async with app.state.database.transaction() as session:
        await session.execute(
            text("UPDATE users SET deactivated_at = now() WHERE id = :id"),
            {"id": technician.account.user_id},
        )

    refresh = await members.identity.refresh(technician.refresh_token)

    problem(refresh, 403, "account-deactivated")
