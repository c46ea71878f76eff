"""Session endpoints without a connected agent: gating, validation, organisation scope."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from aos.events.v1 import billing_pb2
from programming.testing import PREFLIGHT

Auth = Callable[..., dict[str, str]]
Grant = Callable[..., Awaitable[Any]]
# The start body: the pre-flight checklist confirmed at the vehicle.


PROBLEM = "application/problem+json"
VIN = "WBA5F3103MFX12345"


async def paired_agent_id(client: httpx.AsyncClient, auth: Auth, organization_id: uuid.UUID) -> str:
    code = (await client.post("/agents/pairing-codes", headers=auth(organization_id))).json()
    paired = await client.post("/agents/pair", json={"code": code["code"], "name": "bay"})
    agent_id: str = paired.json()["agent_id"]
    return agent_id


async def test_session_without_programming_pass_is_403_naming_the_passes(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    organization_id = uuid.uuid4()
    agent_id = await paired_agent_id(client, auth, organization_id)
    response = await client.post(
        "/sessions", json={"agent_id": agent_id, "vin": VIN}, headers=auth(organization_id)
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == "/problems/programming-pass-required"
    assert "PROGRAMMING_1H" in body["detail"]
    assert body["buy"][0] == "PROGRAMMING_1H"


async def test_air_pass_does_not_allow_programming(
    client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    organization_id = uuid.uuid4()
    await grant(organization_id, scope=billing_pb2.SCOPE_AIR)
    agent_id = await paired_agent_id(client, auth, organization_id)
    response = await client.post(
        "/sessions", json={"agent_id": agent_id, "vin": VIN}, headers=auth(organization_id)
    )
    assert response.status_code == 403


async def test_expired_pass_says_when_it_expired(
    client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    organization_id = uuid.uuid4()
    now = datetime.now(UTC)
    await grant(
        organization_id, valid_from=now - timedelta(hours=2), valid_until=now - timedelta(hours=1)
    )
    agent_id = await paired_agent_id(client, auth, organization_id)
    response = await client.post(
        "/sessions", json={"agent_id": agent_id, "vin": VIN}, headers=auth(organization_id)
    )
    assert response.status_code == 403
    assert "expired at" in response.json()["detail"]


async def test_another_organisations_programming_pass_does_not_let_a_session_start(
    client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    holder, other = uuid.uuid4(), uuid.uuid4()
    await grant(holder)  # only the holder paid; its pass must not count for anyone else
    agent_id = await paired_agent_id(client, auth, other)
    response = await client.post(
        "/sessions", json={"agent_id": agent_id, "vin": VIN}, headers=auth(other)
    )
    assert response.status_code == 403, response.text
    assert response.json()["type"] == "/problems/programming-pass-required"
    assert "no active programming pass" in response.json()["detail"]


async def test_pass_via_the_consumer_handler_gets_past_the_gate_to_the_offline_agent(
    client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    organization_id = uuid.uuid4()
    await grant(organization_id)
    agent_id = await paired_agent_id(client, auth, organization_id)
    response = await client.post(
        "/sessions", json={"agent_id": agent_id, "vin": VIN}, headers=auth(organization_id)
    )
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/agent-offline"


async def test_other_organisations_agent_is_404(
    client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    await grant(mine)
    their_agent = await paired_agent_id(client, auth, theirs)
    response = await client.post(
        "/sessions", json={"agent_id": their_agent, "vin": VIN}, headers=auth(mine)
    )
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/agent-not-found"


async def test_invalid_vin_is_422(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.post(
        "/sessions",
        json={"agent_id": str(uuid.uuid4()), "vin": "WBA5F3103MFO1234"},
        headers=auth(uuid.uuid4()),
    )
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/invalid-vin"


async def test_vin_of_unknown_series_is_422(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.post(
        "/sessions",
        json={"agent_id": str(uuid.uuid4()), "vin": "WBAZZZZ03MFX12345"},
        headers=auth(uuid.uuid4()),
    )
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/unknown-vehicle"


async def test_session_body_with_wrong_types_is_a_validation_problem(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    response = await client.post(
        "/sessions", json={"agent_id": 5, "vin": ["x"]}, headers=auth(uuid.uuid4())
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert {e["field"] for e in response.json()["errors"]} == {"agent_id", "vin"}


async def test_session_body_with_unknown_field_is_refused(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    response = await client.post(
        "/sessions",
        json={"agent_id": str(uuid.uuid4()), "vin": VIN, "force": True},
        headers=auth(uuid.uuid4()),
    )
    assert response.status_code == 422


async def test_oversized_body_is_413_problem(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.post(
        "/sessions",
        content=b'{"vin": "' + b"A" * 2_000_000 + b'"}',
        headers={**auth(uuid.uuid4()), "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


async def test_unknown_session_is_404_everywhere(client: httpx.AsyncClient, auth: Auth) -> None:
    headers = auth(uuid.uuid4())
    session_id = uuid.uuid4()
    for method, path in [
        ("GET", f"/sessions/{session_id}"),
        ("GET", f"/sessions/{session_id}/report"),
        ("GET", f"/sessions/{session_id}/events"),
        ("POST", f"/sessions/{session_id}/start"),
        ("POST", f"/sessions/{session_id}/abort"),
    ]:
        body = PREFLIGHT if path.endswith("/start") else None
        response = await client.request(method, path, headers=headers, json=body)
        assert response.status_code == 404, (method, path)
        assert response.json()["type"] == "/problems/session-not-found"


async def test_sessions_need_an_access_token(client: httpx.AsyncClient) -> None:
    response = await client.post("/sessions", json={"agent_id": str(uuid.uuid4()), "vin": VIN})
    assert response.status_code == 401
