"""My logins: each login (refresh-token family) with device, browser, address and last use;
log out one, or all others, or all; only ever the caller's own."""

from __future__ import annotations

import uuid
from typing import Any

CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


async def log_in_from(identity, account, *, code: str, user_agent: str, ip: str) -> dict[str, Any]:
    response = await identity.http.post(
        "/auth/login",
        json={"email": account.email, "password": account.password, "totp_code": code},
        headers={"User-Agent": user_agent, "X-Real-IP": ip},
    )
    assert response.status_code == 200, response.text
    return identity.with_refresh_cookie(response)


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def sessions(client, tokens: dict[str, Any]) -> list[dict[str, Any]]:
    response = await client.get("/me/sessions", headers=bearer(tokens))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def two_logins(identity, account) -> tuple[dict[str, Any], dict[str, Any]]:
    desk = await log_in_from(
        identity, account, code=account.next_code(), user_agent=CHROME_ON_WINDOWS, ip="10.0.0.7"
    )
    assert account.recovery_codes is not None
    phone = await log_in_from(
        identity,
        account,
        code=account.recovery_codes[0],
        user_agent=SAFARI_ON_IPHONE,
        ip="192.0.2.44",
    )
    return desk, phone


async def test_my_logins_show_device_browser_address_and_which_is_current(identity, client) -> None:
    account = await identity.ready_account()
    desk, _phone = await two_logins(identity, account)
    items = await sessions(client, desk)
    by_device = {item["device"]: item for item in items}
    assert set(by_device) == {"Windows 10", "iPhone (iOS 17)"}
    assert by_device["Windows 10"]["browser"] == "Chrome 131"
    assert by_device["Windows 10"]["ip"] == "10.0.0.7"
    assert by_device["Windows 10"]["current"] is True
    assert by_device["iPhone (iOS 17)"]["browser"] == "Mobile Safari 17"
    assert by_device["iPhone (iOS 17)"]["ip"] == "192.0.2.44"
    assert by_device["iPhone (iOS 17)"]["current"] is False
    for item in items:
        assert item["created_at"] <= item["last_used_at"]


async def test_a_refresh_moves_last_used_and_keeps_the_login(identity, client) -> None:
    account = await identity.ready_account()
    desk, _ = await two_logins(identity, account)
    [before] = [s for s in await sessions(client, desk) if s["current"]]
    refreshed = await identity.refresh(desk["refresh_token"], headers={"X-Real-IP": "10.0.0.8"})
    assert refreshed.status_code == 200, refreshed.text
    [after] = [s for s in await sessions(client, refreshed.json()) if s["current"]]
    assert after["id"] == before["id"]
    assert after["ip"] == "10.0.0.8"
    assert after["last_used_at"] >= before["last_used_at"]


async def test_logging_out_one_login_ends_only_that_one(identity, client, problem) -> None:
    account = await identity.ready_account()
    desk, phone = await two_logins(identity, account)
    [phone_login] = [s for s in await sessions(client, desk) if not s["current"]]
    response = await client.delete(f"/me/sessions/{phone_login['id']}", headers=bearer(desk))
    assert response.status_code == 204, response.text
    problem(await identity.refresh(phone["refresh_token"]), 401, "refresh-token-invalid")
    assert (await identity.refresh(desk["refresh_token"])).status_code == 200
    assert [s["current"] for s in await sessions(client, desk)] == [True]
    again = await client.delete(f"/me/sessions/{phone_login['id']}", headers=bearer(desk))
    problem(again, 404, "session-not-found")


async def test_another_users_login_is_not_found(identity, client, problem) -> None:
    owner = await identity.ready_account()
    stranger = await identity.ready_account()
    owner_tokens = await identity.tokens(owner)
    stranger_tokens = await identity.tokens(stranger)
    [stranger_login] = await sessions(client, stranger_tokens)
    assert [s["id"] for s in await sessions(client, owner_tokens)] != [stranger_login["id"]]
    response = await client.delete(
        f"/me/sessions/{stranger_login['id']}", headers=bearer(owner_tokens)
    )
    problem(response, 404, "session-not-found")
    assert (await identity.refresh(stranger_tokens["refresh_token"])).status_code == 200


async def test_unknown_or_malformed_login_id_is_a_problem(identity, client, problem) -> None:
    account = await identity.ready_account()
    tokens = await identity.tokens(account)
    missing = await client.delete(f"/me/sessions/{uuid.uuid4()}", headers=bearer(tokens))
    problem(missing, 404, "session-not-found")
    malformed = await client.delete("/me/sessions/not-an-id", headers=bearer(tokens))
    problem(malformed, 422, "validation-error")


async def test_revoke_all_ends_the_others_and_keeps_this_one(identity, client, problem) -> None:
    account = await identity.ready_account()
    desk, phone = await two_logins(identity, account)
    response = await client.post("/me/sessions/revoke-all", headers=bearer(desk))
    assert response.status_code == 200, response.text
    assert response.json() == {"revoked": 1}
    problem(await identity.refresh(phone["refresh_token"]), 401, "refresh-token-invalid")
    assert (await identity.refresh(desk["refresh_token"])).status_code == 200


async def test_revoke_all_with_the_current_one_ends_every_login(identity, client, problem) -> None:
    account = await identity.ready_account()
    desk, phone = await two_logins(identity, account)
    response = await client.post(
        "/me/sessions/revoke-all", json={"include_current": True}, headers=bearer(desk)
    )
    assert response.json() == {"revoked": 2}
    for login in (desk, phone):
        problem(await identity.refresh(login["refresh_token"]), 401, "refresh-token-invalid")


async def test_a_detected_refresh_reuse_ends_the_login_in_the_list(identity, client) -> None:
    account = await identity.ready_account()
    desk, phone = await two_logins(identity, account)
    await identity.refresh(phone["refresh_token"])
    await identity.refresh(phone["refresh_token"])  # a replay: the family is revoked
    assert [s["current"] for s in await sessions(client, desk)] == [True]


async def test_my_logins_need_an_access_token(client, problem) -> None:
    problem(await client.get("/me/sessions"), 401)
