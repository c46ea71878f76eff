"""Content endpoints need an AIR pass of the caller's own organisation, valid now."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from aos.events.v1 import billing_pb2

Auth = Callable[[uuid.UUID], dict[str, str]]
Grant = Callable[..., Awaitable[billing_pb2.EntitlementGranted]]

BUY = ["AIR_1H", "AIR_1D", "AIR_1W", "AIR_1M", "AIR_1Y"]
CONTENT_REQUESTS = [
    ("/documents/search", {"q": "brake"}),
    ("/documents/search", {"vin": "WBA6K5105MFK54321"}),
    ("/documents/ri-g20-front-brake-pads-discs", {}),
    ("/documents/no-such-document", {}),
]


def assert_pass_required(
    response: httpx.Response, *, buy: list[str] | None = None
) -> dict[str, object]:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body["type"] == "/problems/air-pass-required"
    assert body["title"] == "AIR pass required"
    assert body["buy"] == (buy or BUY)
    return body


@pytest.mark.parametrize(("path", "params"), CONTENT_REQUESTS)
async def test_content_without_a_pass_is_403_with_the_passes_to_buy(
    client: httpx.AsyncClient, auth: Auth, path: str, params: dict[str, str]
) -> None:
    response = await client.get(path, params=params, headers=auth(uuid.uuid4()))

    if "vin" in params:
        # A request for one vehicle is also offered the pass for that vehicle alone.
        body = assert_pass_required(response, buy=[*BUY, "AIR_VIN_24H"])
        assert body["detail"] == (
            "Your organisation has no AIR pass. Buy one of the passes "
            "AIR_1H, AIR_1D, AIR_1W, AIR_1M, AIR_1Y, or AIR_VIN_24H for VIN "
            f"{params['vin']} alone, with POST /api/billing/checkout, then retry."
        )
        return
    body = assert_pass_required(response)
    assert body["detail"] == (
        "Your organisation has no AIR pass. Buy one of the passes "
        "AIR_1H, AIR_1D, AIR_1W, AIR_1M, AIR_1Y with POST /api/billing/checkout, then retry."
    )


async def test_pass_granted_through_the_consumer_handler_opens_search(
    client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    organization_id = uuid.uuid4()
    before = await client.get(
        "/documents/search", params={"q": "brake"}, headers=auth(organization_id)
    )
    await grant(organization_id)
    after = await client.get(
        "/documents/search", params={"q": "brake"}, headers=auth(organization_id)
    )

    assert before.status_code == 403
    assert after.status_code == 200, after.text


async def test_expired_pass_is_403_saying_when_it_expired(
    client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    organization_id = uuid.uuid4()
    ended = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    await grant(organization_id, valid_from=ended - timedelta(hours=1), valid_until=ended)
    await grant(
        organization_id,
        valid_from=ended - timedelta(days=3),
        valid_until=ended - timedelta(days=2),
    )

    response = await client.get(
        "/documents/search", params={"q": "brake"}, headers=auth(organization_id)
    )

    body = assert_pass_required(response)
    stamp = ended.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert str(body["detail"]).startswith(f"Your organisation's AIR pass expired at {stamp}.")
    assert body["expired_at"] == ended.isoformat()


async def test_pass_that_starts_later_is_403_saying_when_it_starts(
    client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    organization_id = uuid.uuid4()
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    await grant(organization_id, valid_from=starts)

    response = await client.get("/documents/wd-f40-horn", headers=auth(organization_id))

    body = assert_pass_required(response)
    assert body["starts_at"] == starts.isoformat()
    assert "next AIR pass starts at" in str(body["detail"])


async def test_pass_ending_exactly_now_is_no_longer_valid(
    client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    organization_id = uuid.uuid4()
    now = datetime.now(UTC)
    await grant(organization_id, valid_from=now - timedelta(hours=1), valid_until=now)

    response = await client.get("/documents/wd-f40-horn", headers=auth(organization_id))

    assert_pass_required(response)


async def test_another_organisations_pass_grants_nothing(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    other_organization = uuid.uuid4()

    own = await client.get("/documents/wd-f40-horn", headers=auth(org_with_pass))
    other = await client.get("/documents/wd-f40-horn", headers=auth(other_organization))

    assert own.status_code == 200
    assert_pass_required(other)


async def test_programming_pass_does_not_open_air_content(
    client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    organization_id = uuid.uuid4()
    await grant(organization_id, scope=billing_pb2.SCOPE_PROGRAMMING)

    response = await client.get("/documents/wd-f40-horn", headers=auth(organization_id))

    assert_pass_required(response)


async def test_content_without_a_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/documents/search", params={"q": "brake"})

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_content_with_a_forged_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/documents/search", params={"q": "brake"}, headers={"Authorization": "Bearer x.y.z"}
    )

    assert response.status_code == 401
    assert response.json()["type"] == "/problems/invalid-token"
