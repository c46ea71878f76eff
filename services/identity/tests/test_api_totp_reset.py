"""Lost phone: e-mail, password and a recovery code open the enrolment of a new
authenticator, which replaces the old one; the recovery code is spent."""

from __future__ import annotations

import time

import pyotp


async def start_reset(client, account, code: str):
    return await client.post(
        "/auth/totp-reset",
        json={"email": account.email, "password": account.password, "recovery_code": code},
    )


async def test_a_recovery_code_lets_the_user_enrol_a_new_authenticator(
    identity, client, problem
) -> None:
    account = await identity.ready_account()
    old_secret = account.totp_secret
    code = account.recovery_codes[0]
    response = await start_reset(client, account, code)
    assert response.status_code == 200, response.text
    auth = {"Authorization": f"Bearer {response.json()['enrolment_token']}"}
    started = await client.post("/totp/enrolment", headers=auth)
    assert started.status_code == 200, started.text
    new_secret = started.json()["secret"]
    assert new_secret != old_secret
    confirmed = await client.post(
        "/totp/enrolment/confirm", headers=auth, json={"code": pyotp.TOTP(new_secret).now()}
    )
    assert confirmed.status_code == 200, confirmed.text
    new_codes = confirmed.json()["recovery_codes"]

    # The old phone's codes no longer log in, the new one's do; the old recovery codes died.
    assert old_secret is not None
    stale = await identity.login(account, totp_code=pyotp.TOTP(old_secret).at(_later()))
    problem(stale, 401)
    problem(await identity.login(account, totp_code=account.recovery_codes[1]), 401, "totp-invalid")
    account.totp_secret = new_secret
    assert (await identity.login(account, totp_code=account.next_code())).status_code == 200
    assert (await identity.login(account, totp_code=new_codes[0])).status_code == 200


def _later() -> float:
    return time.time() + 30


async def test_the_recovery_code_is_spent_by_the_reset(identity, client, problem) -> None:
    account = await identity.ready_account()
    code = account.recovery_codes[0]
    assert (await start_reset(client, account, code)).status_code == 200
    problem(await start_reset(client, account, code), 401, "totp-invalid")
    problem(await identity.login(account, totp_code=code), 401, "totp-invalid")


async def test_until_the_new_one_is_confirmed_the_old_authenticator_works(identity, client) -> None:
    account = await identity.ready_account()
    response = await start_reset(client, account, account.recovery_codes[0])
    auth = {"Authorization": f"Bearer {response.json()['enrolment_token']}"}
    assert (await client.post("/totp/enrolment", headers=auth)).status_code == 200
    assert (await identity.login(account, totp_code=account.next_code())).status_code == 200


async def test_a_wrong_password_is_refused_and_spends_no_code(identity, client, problem) -> None:
    account = await identity.ready_account()
    code = account.recovery_codes[0]
    response = await client.post(
        "/auth/totp-reset",
        json={"email": account.email, "password": "not the password", "recovery_code": code},
    )
    problem(response, 401, "login-failed")
    assert (await start_reset(client, account, code)).status_code == 200


async def test_an_unknown_account_is_refused_like_a_wrong_password(client, problem) -> None:
    response = await client.post(
        "/auth/totp-reset",
        json={
            "email": "nobody@workshop.example",
            "password": "whatever it is",
            "recovery_code": "x",
        },
    )
    problem(response, 401, "login-failed")
