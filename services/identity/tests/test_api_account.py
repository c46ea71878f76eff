"""A signed-in user's own account: change password, change e-mail (both mails read from the
sink), regenerate recovery codes; each confirmed with password and authenticator code."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import text

from identity.mailsink import MailSink, extract_link_token

NEW_PASSWORD = "another long passphrase for the office"


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def mails_to(app: FastAPI, recipient: str) -> list[str]:
    """The subjects of every mail queued for ``recipient``."""
    async with app.state.database.transaction() as session:
        rows = await session.execute(
            text("SELECT subject FROM outgoing_mail WHERE recipient = :r ORDER BY id"),
            {"r": recipient},
        )
    return [row[0] for row in rows]


async def second_login(identity, account) -> dict[str, Any]:
    """A login with a recovery code (the last one, spent and dropped from the list), so that
    the authenticator's next code is still free for confirming a change."""
    assert account.recovery_codes is not None
    code = account.recovery_codes.pop()
    return identity.with_refresh_cookie(await identity.login(account, totp_code=code))


# Change password


async def test_change_password_keeps_this_login_and_ends_the_others(
    identity, client, mail_sink: MailSink, problem
) -> None:
    account = await identity.ready_account()
    here = await second_login(identity, account)
    elsewhere = await second_login(identity, account)
    response = await client.post(
        "/me/password",
        json={
            "current_password": account.password,
            "totp_code": account.next_code(),
            "new_password": NEW_PASSWORD,
        },
        headers=bearer(here),
    )
    assert response.status_code == 204, response.text
    assert (await identity.refresh(here["refresh_token"])).status_code == 200
    problem(await identity.refresh(elsewhere["refresh_token"]), 401, "refresh-token-invalid")
    problem(await identity.login(account, totp_code=account.recovery_codes[0]), 401, "login-failed")
    account.password = NEW_PASSWORD
    assert (await identity.login(account, totp_code=account.recovery_codes[0])).status_code == 200
    notice = await mail_sink.wait_for(recipient=account.email, count=2)
    assert "password was changed" in notice.subject


async def test_change_password_with_a_wrong_current_password_is_refused(
    identity, client, problem
) -> None:
    account = await identity.ready_account()
    tokens = await second_login(identity, account)
    response = await client.post(
        "/me/password",
        json={
            "current_password": "not the password at all",
            "totp_code": account.next_code(),
            "new_password": NEW_PASSWORD,
        },
        headers=bearer(tokens),
    )
    body = problem(response, 403, "reauthentication-failed")
    assert body["field"] == "current_password"
    # Nothing changed: the old password still logs in.
    assert (await identity.login(account, totp_code=account.recovery_codes[0])).status_code == 200


async def test_change_password_with_a_wrong_code_is_refused(identity, client, problem) -> None:
    account = await identity.ready_account()
    tokens = await second_login(identity, account)
    response = await client.post(
        "/me/password",
        json={
            "current_password": account.password,
            "totp_code": "000000",
            "new_password": NEW_PASSWORD,
        },
        headers=bearer(tokens),
    )
    body = problem(response, 403, "reauthentication-failed")
    assert body["field"] == "totp_code"


async def test_guessing_the_password_while_signed_in_is_paused_like_logins(
    identity, client, problem
) -> None:
    account = await identity.ready_account()
    tokens = await second_login(identity, account)
    body = {"current_password": "wrong guess number", "totp_code": "123456"}
    body["new_password"] = NEW_PASSWORD
    statuses = []
    for _ in range(6):
        response = await client.post("/me/password", json=body, headers=bearer(tokens))
        statuses.append(response.status_code)
    assert statuses == [403] * 5 + [429]
    problem(response, 429, "account-locked")


async def test_change_password_refuses_a_short_new_password(identity, client, problem) -> None:
    account = await identity.ready_account()
    tokens = await second_login(identity, account)
    response = await client.post(
        "/me/password",
        json={"current_password": account.password, "totp_code": "1", "new_password": "short"},
        headers=bearer(tokens),
    )
    body = problem(response, 422, "validation-error")
    assert [error["field"] for error in body["errors"]] == ["new_password"]


# Change e-mail


async def test_change_email_is_confirmed_from_the_new_address_and_told_to_the_old(
    identity, client, mail_sink: MailSink
) -> None:
    account = await identity.ready_account()
    tokens = await second_login(identity, account)
    new_email = f"new-{account.user_id.hex[:8]}@workshop.example"
    response = await client.post(
        "/me/email-changes",
        json={
            "new_email": new_email,
            "password": account.password,
            "totp_code": account.next_code(),
        },
        headers=bearer(tokens),
    )
    assert response.status_code == 202, response.text
    confirmation = await mail_sink.wait_for(recipient=new_email)
    token = extract_link_token(confirmation.message, page="confirm-email-change")
    confirmed = await client.post("/email-changes/confirm", json={"token": token})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json() == {"user_id": str(account.user_id), "email": new_email}
    notice = await mail_sink.wait_for(recipient=account.email, count=2)
    assert "was changed" in notice.subject
    assert new_email in str(notice.message.get_body(preferencelist=("plain",)).get_content())
    me = await client.get("/me", headers=bearer(tokens))
    assert me.json()["user"]["email"] == new_email
    old_email, account.email = account.email, new_email
    assert (await identity.login(account, totp_code=account.recovery_codes[0])).status_code == 200
    account.email = old_email
    problem_answer = await identity.login(account, totp_code=account.recovery_codes[1])
    assert problem_answer.status_code == 401


async def test_change_email_link_works_once(identity, client, mail_sink: MailSink, problem) -> None:
    account = await identity.ready_account()
    tokens = await second_login(identity, account)
    new_email = f"once-{account.user_id.hex[:8]}@workshop.example"
    await client.post(
        "/me/email-changes",
        json={
            "new_email": new_email,
            "password": account.password,
            "totp_code": account.next_code(),
        },
        headers=bearer(tokens),
    )
    token = extract_link_token(
        (await mail_sink.wait_for(recipient=new_email)).message, page="confirm-email-change"
    )
    assert (await client.post("/email-changes/confirm", json={"token": token})).status_code == 200
    again = await client.post("/email-changes/confirm", json={"token": token})
    problem(again, 409, "email-change-token-used")


async def test_a_taken_address_gets_the_same_answer_and_its_owner_is_told(
    identity, client, app: FastAPI
) -> None:
    account = await identity.ready_account()
    other = await identity.ready_account()
    tokens = await second_login(identity, account)
    free = f"free-{account.user_id.hex[:8]}@workshop.example"
    answers = []
    for target, code in ((free, account.next_code()), (other.email, account.recovery_codes[0])):
        answers.append(
            await client.post(
                "/me/email-changes",
                json={"new_email": target, "password": account.password, "totp_code": code},
                headers=bearer(tokens),
            )
        )
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].json() == answers[1].json()
    # The taken address gets no confirmation link, only a notice to its owner.
    other_mails = await mails_to(app, other.email)
    assert other_mails[-1] == "Someone tried to use your e-mail address at AOS"
    assert not any("Confirm your new" in subject for subject in other_mails)
    assert await mails_to(app, free) == ["Confirm your new e-mail address for AOS"]


async def test_unknown_email_change_token_is_a_400_problem(client, problem) -> None:
    response = await client.post("/email-changes/confirm", json={"token": "made-up"})
    problem(response, 400, "email-change-token-invalid")


async def test_change_email_to_the_same_address_is_a_422_problem(identity, client, problem) -> None:
    account = await identity.ready_account()
    tokens = await second_login(identity, account)
    response = await client.post(
        "/me/email-changes",
        json={
            "new_email": account.email.upper(),
            "password": account.password,
            "totp_code": account.next_code(),
        },
        headers=bearer(tokens),
    )
    problem(response, 422, "email-unchanged")


# Recovery codes


async def test_regenerated_recovery_codes_replace_the_old_ones(identity, client, problem) -> None:
    account = await identity.ready_account()
    tokens = await second_login(identity, account)
    old_codes = list(account.recovery_codes)
    response = await client.post(
        "/me/recovery-codes",
        json={"password": account.password, "totp_code": account.next_code()},
        headers=bearer(tokens),
    )
    assert response.status_code == 200, response.text
    new_codes = response.json()["recovery_codes"]
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    problem(await identity.login(account, totp_code=old_codes[0]), 401, "totp-invalid")
    assert (await identity.login(account, totp_code=new_codes[0])).status_code == 200


async def test_regenerating_recovery_codes_needs_the_password(identity, client, problem) -> None:
    account = await identity.ready_account()
    tokens = await second_login(identity, account)
    response = await client.post(
        "/me/recovery-codes",
        json={"password": "wrong password here", "totp_code": account.next_code()},
        headers=bearer(tokens),
    )
    problem(response, 403, "reauthentication-failed")
    assert (await identity.login(account, totp_code=account.recovery_codes[0])).status_code == 200
