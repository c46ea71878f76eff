"""Login, TOTP enrolment, recovery codes and the brute-force guard."""

from __future__ import annotations

import re
import time

import jwt
import pyotp
from fastapi import FastAPI
from sqlalchemy import text

# Addresses the gateway passes on as X-Real-IP.
ATTACKER = "203.0.113.66"
OWNER = "198.51.100.20"


async def test_full_flow_from_registration_to_me(identity, client, mail_sink) -> None:
    account = await identity.register(company_name="Flow Werkstatt", country="AT")
    # The mail arrives in the sink, its token verifies the address.
    await identity.verify(account)
    # First login: TOTP must be set up, and an enrolment token comes with the problem.
    first = await identity.login(account)
    assert first.status_code == 403
    assert first.json()["type"] == "/problems/totp-enrolment-required"
    auth = {"Authorization": f"Bearer {first.json()['enrolment_token']}"}
    started = await client.post("/totp/enrolment", headers=auth)
    assert started.status_code == 200
    secret = started.json()["secret"]
    assert started.json()["otpauth_uri"].startswith("otpauth://totp/AOS:")
    assert "<svg" in started.json()["qr_svg"]
    confirmed = await client.post(
        "/totp/enrolment/confirm", headers=auth, json={"code": pyotp.TOTP(secret).now()}
    )
    assert confirmed.status_code == 200
    assert len(confirmed.json()["recovery_codes"]) == 10
    # Login with a code now succeeds.
    code = pyotp.TOTP(secret).at(time.time() + 30)
    login = await identity.login(account, totp_code=code)
    assert login.status_code == 200, login.text
    tokens = login.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 600
    assert tokens["refresh_expires_in"] == 30 * 24 * 3600
    assert login.headers["cache-control"] == "no-store"
    me = await client.get("/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 200, me.text
    assert me.json() == {
        "user": {
            "id": str(account.user_id),
            "email": account.email,
            "name": "Max Mustermann",
            "role": "owner",
            "email_verified": True,
            "totp_enabled": True,
        },
        "organization": {
            "id": str(account.organization_id),
            "name": "Flow Werkstatt",
            "country": "AT",
            "vat_id": "ATU12345602",
        },
    }


async def test_access_token_carries_the_agreed_claims_and_kid(identity, client) -> None:
    account = await identity.ready_account()
    tokens = await identity.tokens(account)
    header = jwt.get_unverified_header(tokens["access_token"])
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    jwks = (await client.get("/.well-known/jwks.json")).json()
    assert header["alg"] == "EdDSA"
    assert header["kid"] == jwks["keys"][0]["kid"]
    assert claims["sub"] == str(account.user_id)
    assert claims["org"] == str(account.organization_id)
    assert claims["roles"] == ["owner"]
    assert claims["iss"] == "aos-identity"
    assert claims["aud"] == "aos"
    assert claims["exp"] - int(claims["iat"]) == 600
    assert claims["iat"] == round(claims["iat"], 3)  # milliseconds: see services/tokens.py
    assert re.fullmatch(r"[0-9a-f]{32}", claims["jti"])


async def test_wrong_password_gets_login_failed(identity, problem) -> None:
    account = await identity.register()
    account.password = "not the password at all"
    body = problem(await identity.login(account), 401, "login-failed")
    assert body["detail"] == "Login failed: wrong e-mail or password."


async def test_unknown_email_gets_the_same_answer_as_a_wrong_password(
    identity, client, problem
) -> None:
    account = await identity.register()
    wrong_password = await client.post(
        "/auth/login", json={"email": account.email, "password": "not the password at all"}
    )
    unknown = await client.post(
        "/auth/login",
        json={"email": "nobody@workshop.example", "password": "not the password at all"},
    )
    first = problem(wrong_password, 401, "login-failed")
    second = problem(unknown, 401, "login-failed")
    assert {k: v for k, v in first.items() if k != "request_id"} == {
        k: v for k, v in second.items() if k != "request_id"
    }


async def test_unverified_email_gets_403_telling_to_click_or_resend(identity, problem) -> None:
    account = await identity.register()
    body = problem(await identity.login(account), 403, "email-not-verified")
    assert "link" in body["detail"]
    assert "/email-verifications/resend" in body["detail"]


async def test_enrolment_required_problem_carries_an_enrolment_token(identity, problem) -> None:
    account = await identity.register()
    await identity.verify(account)
    body = problem(await identity.login(account), 403, "totp-enrolment-required")
    assert len(body["enrolment_token"]) >= 43
    assert body["enrolment_expires_in"] == 600


async def test_enrolment_token_is_stored_only_hashed(identity, app: FastAPI) -> None:
    account = await identity.register()
    await identity.verify(account)
    token = (await identity.login(account)).json()["enrolment_token"]
    async with app.state.database.transaction() as session:
        hashes = (
            await session.execute(
                text("SELECT token_hash FROM user_tokens WHERE purpose = 'totp_enrolment'")
            )
        ).scalars()
        stored = list(hashes)
    assert len(stored) == 1
    assert token not in stored


async def test_enrolment_again_before_confirmation_returns_a_new_secret(identity, client) -> None:
    account = await identity.register()
    await identity.verify(account)
    token = (await identity.login(account)).json()["enrolment_token"]
    auth = {"Authorization": f"Bearer {token}"}
    first = (await client.post("/totp/enrolment", headers=auth)).json()["secret"]
    second = (await client.post("/totp/enrolment", headers=auth)).json()["secret"]
    assert first != second
    # Only the latest secret can be confirmed.
    stale = await client.post(
        "/totp/enrolment/confirm", headers=auth, json={"code": pyotp.TOTP(first).now()}
    )
    assert stale.status_code == 422
    fresh = await client.post(
        "/totp/enrolment/confirm", headers=auth, json={"code": pyotp.TOTP(second).now()}
    )
    assert fresh.status_code == 200


async def test_confirm_with_a_wrong_code_is_refused(identity, client, problem) -> None:
    account = await identity.register()
    await identity.verify(account)
    token = (await identity.login(account)).json()["enrolment_token"]
    auth = {"Authorization": f"Bearer {token}"}
    secret = (await client.post("/totp/enrolment", headers=auth)).json()["secret"]
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 500_000) % 1_000_000:06d}"
    response = await client.post("/totp/enrolment/confirm", headers=auth, json={"code": wrong})
    problem(response, 422, "enrolment-code-invalid")


async def test_confirm_before_starting_enrolment_is_a_conflict(identity, client, problem) -> None:
    account = await identity.register()
    await identity.verify(account)
    token = (await identity.login(account)).json()["enrolment_token"]
    response = await client.post(
        "/totp/enrolment/confirm",
        headers={"Authorization": f"Bearer {token}"},
        json={"code": "123456"},
    )
    problem(response, 409, "enrolment-not-started")


async def test_enrolment_token_is_used_up_by_confirmation(identity, client, problem) -> None:
    account = await identity.register()
    await identity.verify(account)
    token = (await identity.login(account)).json()["enrolment_token"]
    auth = {"Authorization": f"Bearer {token}"}
    secret = (await client.post("/totp/enrolment", headers=auth)).json()["secret"]
    await client.post(
        "/totp/enrolment/confirm", headers=auth, json={"code": pyotp.TOTP(secret).now()}
    )
    problem(await client.post("/totp/enrolment", headers=auth), 401, "enrolment-token-invalid")


async def test_enrolment_without_a_bearer_token_is_refused(client, problem) -> None:
    problem(await client.post("/totp/enrolment"), 401, "enrolment-token-invalid")


async def test_access_token_is_not_an_enrolment_token(identity, client, problem) -> None:
    account = await identity.ready_account()
    access = (await identity.tokens(account))["access_token"]
    response = await client.post("/totp/enrolment", headers={"Authorization": f"Bearer {access}"})
    problem(response, 401, "enrolment-token-invalid")


async def test_expired_enrolment_token_is_refused(identity, client, app: FastAPI, problem) -> None:
    account = await identity.register()
    await identity.verify(account)
    token = (await identity.login(account)).json()["enrolment_token"]
    async with app.state.database.transaction() as session:
        await session.execute(
            text(
                "UPDATE user_tokens SET expires_at = now() - interval '1 second'"
                " WHERE purpose = 'totp_enrolment'"
            )
        )
    response = await client.post("/totp/enrolment", headers={"Authorization": f"Bearer {token}"})
    body = problem(response, 401, "enrolment-token-invalid")
    assert "expired" in body["detail"]


async def test_verification_token_is_not_an_enrolment_token(identity, client, problem) -> None:
    account = await identity.register()
    token = await identity.verification_token(account.email)
    response = await client.post("/totp/enrolment", headers={"Authorization": f"Bearer {token}"})
    problem(response, 401, "enrolment-token-invalid")


async def test_missing_code_gets_totp_required(identity, problem) -> None:
    account = await identity.ready_account()
    problem(await identity.login(account), 401, "totp-required")


async def test_wrong_code_gets_totp_invalid(identity, problem) -> None:
    account = await identity.ready_account()
    wrong = f"{(int(account.next_code()) + 1) % 1_000_000:06d}"
    problem(await identity.login(account, totp_code=wrong), 401, "totp-invalid")


async def test_code_of_an_already_used_step_is_refused(identity, problem) -> None:
    account = await identity.ready_account()
    code = account.next_code()
    assert (await identity.login(account, totp_code=code)).status_code == 200
    body = problem(await identity.login(account, totp_code=code), 401, "totp-code-reused")
    assert "next code" in body["detail"]


async def test_code_of_the_confirmation_step_cannot_log_in(identity, client, problem) -> None:
    account = await identity.register()
    await identity.verify(account)
    token = (await identity.login(account)).json()["enrolment_token"]
    auth = {"Authorization": f"Bearer {token}"}
    secret = (await client.post("/totp/enrolment", headers=auth)).json()["secret"]
    step = int(time.time() // 30)
    code = pyotp.TOTP(secret).generate_otp(step)
    await client.post("/totp/enrolment/confirm", headers=auth, json={"code": code})
    problem(await identity.login(account, totp_code=code), 401, "totp-code-reused")


async def test_recovery_code_replaces_a_totp_code_once(identity, problem) -> None:
    account = await identity.ready_account()
    assert account.recovery_codes is not None
    code = account.recovery_codes[3]
    assert (await identity.login(account, totp_code=code.upper())).status_code == 200
    problem(await identity.login(account, totp_code=code), 401, "totp-invalid")


async def test_recovery_codes_are_stored_only_hashed(identity, app: FastAPI) -> None:
    account = await identity.ready_account()
    async with app.state.database.transaction() as session:
        stored = set(
            (await session.execute(text("SELECT code_hash FROM recovery_codes"))).scalars()
        )
    assert len(stored) == 10
    assert not stored & set(account.recovery_codes or [])


async def test_five_failures_from_one_client_pause_that_client_even_with_the_right_password(
    identity, problem
) -> None:
    account = await identity.ready_account()
    right = account.password
    account.password = "not the password at all"
    for _ in range(5):
        problem(await identity.login(account, client=ATTACKER), 401, "login-failed")
    account.password = right
    response = await identity.login(account, totp_code=account.next_code(), client=ATTACKER)
    body = problem(response, 429, "account-locked")
    assert 290 <= body["retry_after_seconds"] <= 300
    assert response.headers["retry-after"] == str(body["retry_after_seconds"])
    assert "retry after" in body["detail"]
    assert body["locked_until"]


async def test_the_owner_logs_in_from_another_client_while_a_stranger_is_paused(
    identity, problem
) -> None:
    account = await identity.ready_account()
    right = account.password
    account.password = "a stranger's guess"
    for _ in range(10):  # two rounds: the stranger is paused, and stays paused
        await identity.login(account, client=ATTACKER)
    problem(await identity.login(account, client=ATTACKER), 429, "account-locked")

    account.password = right
    owner = await identity.login(account, totp_code=account.next_code(), client=OWNER)

    assert owner.status_code == 200, owner.text
    assert owner.json()["access_token"]


async def test_wrong_totp_codes_count_towards_the_lock(identity, problem) -> None:
    account = await identity.ready_account()
    wrong = f"{(int(account.next_code()) + 1) % 1_000_000:06d}"
    for _ in range(5):
        problem(await identity.login(account, totp_code=wrong), 401, "totp-invalid")
    problem(await identity.login(account, totp_code=account.next_code()), 429, "account-locked")


async def test_successful_login_resets_the_failure_count(identity, problem) -> None:
    account = await identity.ready_account()
    right = account.password
    account.password = "not the password at all"
    for _ in range(4):
        problem(await identity.login(account), 401, "login-failed")
    account.password = right
    assert (await identity.login(account, totp_code=account.next_code())).status_code == 200
    account.password = "not the password at all"
    for _ in range(4):
        problem(await identity.login(account), 401, "login-failed")


async def test_login_works_again_after_the_lock_has_passed(identity, app: FastAPI, problem) -> None:
    account = await identity.ready_account()
    right = account.password
    account.password = "not the password at all"
    for _ in range(5):
        await identity.login(account)
    account.password = right
    async with app.state.database.transaction() as session:
        await session.execute(
            text("UPDATE login_throttles SET locked_until = now() - interval '1 second'")
        )
    assert (await identity.login(account, totp_code=account.next_code())).status_code == 200
