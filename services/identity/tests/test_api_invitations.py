"""Invitations: create → mail → accept → TOTP → login; expiry, reuse, resend and revoke."""

from __future__ import annotations

import asyncio
import time

import jwt
import pyotp
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from identity.config import Settings
from identity.domain.tokens import hash_token
from identity.main import create_app
from servicekit.testing import ManualClock, running_app

PASSWORD = "correct horse battery staple"
DAY = 24 * 3600


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def app(settings: Settings, clock: ManualClock) -> FastAPI:
    return create_app(settings, clock=clock)


async def test_invited_technician_accepts_enrols_totp_and_logs_in_with_the_role(
    members, client, mail_sink
) -> None:
    owner = await members.owner(company_name="Einladung Werkstatt")
    invited = await members.invite(owner, role="technician", email="Anna@Workshop.example")
    assert invited.status_code == 201, invited.text
    assert invited.json()["email"] == "anna@workshop.example"
    assert invited.json()["state"] == "pending"
    mail = await mail_sink.wait_for(recipient="anna@workshop.example")
    assert "Einladung Werkstatt" in mail.subject
    token = await members.invitation_token("anna@workshop.example")

    preview = await client.post("/invitations/preview", json={"token": token})
    assert preview.status_code == 200, preview.text
    assert preview.json()["organization_name"] == "Einladung Werkstatt"
    assert (preview.json()["email"], preview.json()["role"]) == (
        "anna@workshop.example",
        "technician",
    )

    accepted = await members.accept(token, name="Anna Schrauber")
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["organization_id"] == str(owner.account.organization_id)
    login = {"email": "anna@workshop.example", "password": PASSWORD}
    # Before TOTP is set up a login only hands out an enrolment token, as for a new owner:
    # the e-mail counts as verified (the link proved it).
    first = await client.post("/auth/login", json=login)
    assert first.status_code == 403
    assert first.json()["code"] == "totp-enrolment-required"

    auth = {"Authorization": f"Bearer {accepted.json()['enrolment_token']}"}
    secret = (await client.post("/totp/enrolment", headers=auth)).json()["secret"]
    confirmed = await client.post(
        "/totp/enrolment/confirm", headers=auth, json={"code": pyotp.TOTP(secret).now()}
    )
    assert confirmed.status_code == 200, confirmed.text
    code = pyotp.TOTP(secret).at(time.time() + 30)
    logged_in = await client.post("/auth/login", json={**login, "totp_code": code})
    assert logged_in.status_code == 200, logged_in.text
    claims = jwt.decode(logged_in.json()["access_token"], options={"verify_signature": False})
    assert claims["roles"] == ["technician"]
    assert claims["org"] == str(owner.account.organization_id)

    listed = await client.get("/organizations/current/invitations", headers=owner.headers)
    assert [(item["email"], item["state"]) for item in listed.json()["items"]] == [
        ("anna@workshop.example", "accepted")
    ]


async def test_accepting_twice_is_refused_as_used(members, problem) -> None:
    owner = await members.owner()
    email = (await members.invite(owner, role="accountant")).json()["email"]
    token = await members.invitation_token(email)
    assert (await members.accept(token)).status_code == 201

    problem(await members.accept(token), 410, "invitation-used")
    problem(
        await members.http.post("/invitations/preview", json={"token": token}),
        410,
        "invitation-used",
    )


async def test_invitation_expires_after_seven_days(members, clock, problem) -> None:
    owner = await members.owner()
    email = (await members.invite(owner, role="technician")).json()["email"]
    token = await members.invitation_token(email)

    clock.advance(7 * DAY - 1)
    assert (
        await members.http.post("/invitations/preview", json={"token": token})
    ).status_code == 200
    clock.advance(1)
    problem(
        await members.http.post("/invitations/preview", json={"token": token}),
        410,
        "invitation-expired",
    )
    problem(await members.accept(token), 410, "invitation-expired")
    listed = await members.http.get("/organizations/current/invitations", headers=owner.headers)
    assert [item["state"] for item in listed.json()["items"]] == ["expired"]


async def test_resend_kills_the_old_link_and_gives_seven_new_days(members, clock, problem) -> None:
    owner = await members.owner()
    invited = (await members.invite(owner, role="technician")).json()
    old_token = await members.invitation_token(invited["email"])
    clock.advance(8 * DAY)  # expired: a resend revives it

    resent = await members.http.post(
        f"/organizations/current/invitations/{invited['id']}/resend", headers=owner.headers
    )

    assert resent.status_code == 200, resent.text
    assert resent.json()["state"] == "pending"
    new_token = await members.invitation_token(invited["email"], count=2)
    assert new_token != old_token
    problem(
        await members.http.post("/invitations/preview", json={"token": old_token}),
        404,
        "invitation-not-found",
    )
    clock.advance(7 * DAY - 1)
    assert (await members.accept(new_token)).status_code == 201


async def test_revoked_invitation_cannot_be_accepted_or_resent(members, problem) -> None:
    owner = await members.owner()
    invited = (await members.invite(owner, role="technician")).json()
    token = await members.invitation_token(invited["email"])

    revoked = await members.http.post(
        f"/organizations/current/invitations/{invited['id']}/revoke", headers=owner.headers
    )

    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["state"] == "revoked"
    problem(
        await members.http.post("/invitations/preview", json={"token": token}),
        410,
        "invitation-revoked",
    )
    problem(await members.accept(token), 410, "invitation-revoked")
    resend = await members.http.post(
        f"/organizations/current/invitations/{invited['id']}/resend", headers=owner.headers
    )
    problem(resend, 410, "invitation-revoked")


async def test_delete_revokes_like_post_revoke(members, problem) -> None:
    owner = await members.owner()
    invited = (await members.invite(owner, role="admin")).json()
    token = await members.invitation_token(invited["email"])

    deleted = await members.http.delete(
        f"/organizations/current/invitations/{invited['id']}", headers=owner.headers
    )

    assert deleted.status_code == 200, deleted.text
    problem(await members.accept(token), 410, "invitation-revoked")


async def test_unknown_token_is_404(members, problem) -> None:
    preview = await members.http.post("/invitations/preview", json={"token": "not-a-token"})
    problem(preview, 404, "invitation-not-found")
    problem(await members.accept("not-a-token"), 404, "invitation-not-found")


async def test_address_with_an_account_cannot_be_invited(members, problem) -> None:
    owner = await members.owner()
    other = await members.identity.register()

    body = problem(await members.invite(owner, role="technician", email=other.email), 409)

    assert body["code"] == "email-taken"


async def test_a_second_pending_invitation_for_the_same_address_is_refused(
    members, problem
) -> None:
    owner = await members.owner()
    email = (await members.invite(owner, role="technician")).json()["email"]

    problem(await members.invite(owner, role="accountant", email=email), 409, "invitation-pending")


async def test_another_workshop_may_invite_an_address_pending_elsewhere(members) -> None:
    first = await members.owner()
    second = await members.owner()
    email = (await members.invite(first, role="technician")).json()["email"]

    assert (await members.invite(second, role="technician", email=email)).status_code == 201


async def test_only_an_owner_may_invite_an_owner(members, problem) -> None:
    owner = await members.owner()
    admin = await members.member(owner, role="admin")

    problem(await members.invite(admin, role="owner"), 403, "owner-required")
    assert (await members.invite(admin, role="technician")).status_code == 201
    assert (await members.invite(owner, role="owner")).status_code == 201


@pytest.mark.parametrize("role", ["technician", "accountant"])
async def test_technicians_and_accountants_may_not_invite(members, problem, role: str) -> None:
    owner = await members.owner()
    member = await members.member(owner, role=role)

    body = problem(await members.invite(member, role="technician"), 403, "role-forbidden")

    assert body["required_roles"] == ["owner", "admin"]


async def test_invitation_token_is_stored_only_hashed(members, app: FastAPI) -> None:
    owner = await members.owner()
    email = (await members.invite(owner, role="technician")).json()["email"]
    token = await members.invitation_token(email)
    async with app.state.database.transaction() as session:
        stored = list((await session.execute(text("SELECT token_hash FROM invitations"))).scalars())
    assert stored == [hash_token(token)]


async def test_an_invitation_whose_address_got_an_account_meanwhile_is_refused(
    members, problem
) -> None:
    owner = await members.owner()
    invited = (await members.invite(owner, role="technician")).json()
    token = await members.invitation_token(invited["email"])
    # The invited person registers a workshop of their own before accepting.
    await members.identity.register(email=invited["email"])

    problem(await members.accept(token), 409, "email-taken")
    resend = await members.http.post(
        f"/organizations/current/invitations/{invited['id']}/resend", headers=owner.headers
    )
    problem(resend, 409, "email-taken")


async def test_two_accepts_of_one_link_at_once_create_one_account(members, problem) -> None:
    owner = await members.owner()
    email = (await members.invite(owner, role="technician")).json()["email"]
    token = await members.invitation_token(email)

    answers = await asyncio.gather(members.accept(token), members.accept(token))

    assert sorted(answer.status_code for answer in answers) == [201, 410]
    refused = next(answer for answer in answers if answer.status_code == 410)
    problem(refused, 410, "invitation-used")


async def test_the_invitation_token_never_reaches_the_logs(
    identity, members, settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """The access log records each request's path: the link's token must not be in one."""
    verbose = settings.model_copy(update={"log_level": "INFO"})
    async with running_app(create_app(verbose)) as http:
        identity.http = members.http = http
        owner = await members.owner()
        await members.invite(owner, role="technician", email="logged@workshop.example")
        token = await members.invitation_token("logged@workshop.example")
        preview = await http.post("/invitations/preview", json={"token": token})
        assert preview.status_code == 200, preview.text
        assert (await members.accept(token)).status_code == 201
    logs = capsys.readouterr().err
    assert "/invitations/accept" in logs
    assert token not in logs
