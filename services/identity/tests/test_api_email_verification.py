"""E-mail verification and resending the mail.

"No mail is sent" is checked in the outgoing mail table, the only place mail is sent from: it is
written in the request's transaction, which has committed when the answer arrives, so no wait
is needed and a late mail cannot slip past the check.
"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import text


async def test_verification_token_verifies_the_address(identity, client) -> None:
    account = await identity.register()
    token = await identity.verification_token(account.email)
    response = await client.post("/email-verifications", json={"token": token})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "user_id": str(account.user_id),
        "email": account.email,
        "email_verified": True,
    }


async def test_verification_token_works_only_once(identity, client, problem) -> None:
    account = await identity.register()
    token = await identity.verification_token(account.email)
    await client.post("/email-verifications", json={"token": token})
    again = await client.post("/email-verifications", json={"token": token})
    problem(again, 409, "verification-token-used")


async def test_unknown_verification_token_gets_a_clear_problem(client, problem) -> None:
    response = await client.post("/email-verifications", json={"token": "no-such-token"})
    body = problem(response, 400, "verification-token-invalid")
    assert "request a new mail" in body["detail"]


async def test_expired_verification_token_gets_410_problem(
    identity, client, app: FastAPI, problem
) -> None:
    account = await identity.register()
    token = await identity.verification_token(account.email)
    async with app.state.database.transaction() as session:
        await session.execute(
            text("UPDATE user_tokens SET expires_at = now() - interval '1 second'")
        )
    response = await client.post("/email-verifications", json={"token": token})
    body = problem(response, 410, "verification-token-expired")
    assert "24 hours" in body["detail"]


async def mail_queued_for(app: FastAPI, recipient: str) -> int:
    """How many mails to ``recipient`` were ever queued (pending, sent or failed)."""
    async with app.state.database.transaction() as session:
        count = await session.scalar(
            text("SELECT count(*) FROM outgoing_mail WHERE recipient = :recipient"),
            {"recipient": recipient},
        )
    return int(count or 0)


async def all_mail_queued(app: FastAPI) -> int:
    async with app.state.database.transaction() as session:
        return int(await session.scalar(text("SELECT count(*) FROM outgoing_mail")) or 0)


async def test_resend_for_unknown_address_answers_202_and_sends_nothing(
    client, app: FastAPI
) -> None:
    response = await client.post(
        "/email-verifications/resend", json={"email": "nobody@workshop.example"}
    )
    assert response.status_code == 202
    assert await all_mail_queued(app) == 0


async def test_resend_answers_the_same_for_known_and_unknown_addresses(identity, client) -> None:
    account = await identity.register()
    known = await client.post("/email-verifications/resend", json={"email": account.email})
    unknown = await client.post(
        "/email-verifications/resend", json={"email": "nobody@workshop.example"}
    )
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()


async def test_resend_sends_a_new_working_token(identity, client, app: FastAPI) -> None:
    account = await identity.register()
    first = await identity.verification_token(account.email)
    async with app.state.database.transaction() as session:  # past the resend throttle
        await session.execute(
            text("UPDATE user_tokens SET created_at = created_at - interval '2 minutes'")
        )
    response = await client.post("/email-verifications/resend", json={"email": account.email})
    assert response.status_code == 202
    second = await identity.verification_token(account.email, count=2)
    assert second != first
    verified = await client.post("/email-verifications", json={"token": second})
    assert verified.status_code == 200


async def test_resend_within_a_minute_sends_no_second_mail(identity, client, app: FastAPI) -> None:
    account = await identity.register()
    await identity.verification_token(account.email)
    response = await client.post("/email-verifications/resend", json={"email": account.email})
    assert response.status_code == 202
    assert await mail_queued_for(app, account.email) == 1


async def test_resend_for_a_verified_address_sends_nothing(identity, client, app: FastAPI) -> None:
    account = await identity.register()
    await identity.verify(account)
    async with app.state.database.transaction() as session:
        await session.execute(
            text("UPDATE user_tokens SET created_at = created_at - interval '2 minutes'")
        )
    response = await client.post("/email-verifications/resend", json={"email": account.email})
    assert response.status_code == 202
    assert await mail_queued_for(app, account.email) == 1
