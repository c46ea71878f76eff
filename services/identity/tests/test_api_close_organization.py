"""Closing an organisation (owner, confirmed with password and TOTP): everybody is
deactivated and their logins end, personal data is erased, the company data stays."""

from __future__ import annotations

import pyotp
import pytest
from fastapi import FastAPI
from sqlalchemy import text

CLOSE = "/organizations/current/close"
PASSWORD = "correct horse battery staple"


async def _fresh_code(app: FastAPI, member) -> str:
    """A code the owner may confirm with now. Their login took the next time step, and a step
    is accepted once, so the stored last step is moved back (as if the login were a minute
    old) instead of waiting for the clock."""
    async with app.state.database.transaction() as session:
        await session.execute(
            text("UPDATE users SET totp_last_step = totp_last_step - 2 WHERE id = :id"),
            {"id": member.account.user_id},
        )
    return pyotp.TOTP(member.account.totp_secret).now()


async def test_closing_erases_personal_data_and_keeps_the_company_data(
    members, app: FastAPI
) -> None:
    owner = await members.owner(company_name="Schluss Werkstatt GmbH")
    technician = await members.member(owner, role="technician")
    pending = (await members.invite(owner, role="accountant")).json()
    await members.http.patch(
        "/organizations/current",
        json={"street": "Hauptstraße 1", "postcode": "80331", "city": "München"},
        headers=owner.headers,
    )
    code = await _fresh_code(app, owner)

    closed = await members.http.post(
        CLOSE, json={"password": PASSWORD, "totp_code": code}, headers=owner.headers
    )

    assert closed.status_code == 200, closed.text
    async with app.state.database.transaction() as session:
        users = (
            await session.execute(
                text(
                    "SELECT email, name, password_hash, totp_secret_sealed, deactivated_at"
                    " FROM users WHERE organization_id = :org"
                ),
                {"org": owner.account.organization_id},
            )
        ).all()
        organization = (
            await session.execute(
                text(
                    "SELECT name, street, city, vat_id, closed_at FROM organizations WHERE id = :id"
                ),
                {"id": owner.account.organization_id},
            )
        ).one()
        invitation_emails = list(
            (await session.execute(text("SELECT email FROM invitations"))).scalars()
        )
        live_tokens = await session.execute(
            text("SELECT count(*) FROM refresh_tokens WHERE revoked_at IS NULL")
        )
        assert live_tokens.scalar_one() == 0
    assert len(users) == 2
    for user in users:
        assert user.email.endswith("@erased.invalid")
        assert user.email not in (owner.account.email, technician.account.email)
        assert user.name == "Erased member"
        assert (user.password_hash, user.totp_secret_sealed) == (None, None)
        assert user.deactivated_at is not None
    assert pending["email"] not in invitation_emails
    assert (organization.name, organization.street, organization.city, organization.vat_id) == (
        "Schluss Werkstatt GmbH",
        "Hauptstraße 1",
        "München",
        "DE123456704",
    )
    assert organization.closed_at is not None
    login = await members.identity.login(owner.account)
    assert login.json()["code"] == "login-failed"
    refresh = await members.identity.refresh(technician.refresh_token)
    assert refresh.json()["code"] == "refresh-token-invalid"
    pending_token = await members.invitation_token(pending["email"])
    assert (
        await members.http.post("/invitations/preview", json={"token": pending_token})
    ).status_code in {404, 410}


@pytest.mark.parametrize("wrong", ["password", "totp_code"])
async def test_closing_needs_the_right_password_and_code(
    members, app: FastAPI, problem, wrong: str
) -> None:
    owner = await members.owner()
    code = await _fresh_code(app, owner)
    body = {"password": PASSWORD, "totp_code": code}
    body[wrong] = (
        f"{(int(code) + 1) % 1_000_000:06d}" if wrong == "totp_code" else "wrong password!"
    )

    response = await members.http.post(CLOSE, json=body, headers=owner.headers)

    problem(response, 403, "close-confirmation-failed")
    assert (
        await members.http.get("/organizations/current", headers=owner.headers)
    ).status_code == 200


@pytest.mark.parametrize("role", ["admin", "technician", "accountant"])
async def test_only_an_owner_may_close(members, problem, role: str) -> None:
    owner = await members.owner()
    member = await members.member(owner, role=role)

    response = await members.http.post(
        CLOSE, json={"password": PASSWORD, "totp_code": "123456"}, headers=member.headers
    )

    problem(response, 403, "role-forbidden")
