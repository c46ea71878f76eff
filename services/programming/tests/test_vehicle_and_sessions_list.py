"""Reading the connected vehicle through an agent, and listing an organisation's sessions."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

Auth = Callable[..., dict[str, str]]
Grant = Callable[..., Awaitable[Any]]
AgentFactory = Callable[..., Awaitable[Any]]
PROBLEM = "application/problem+json"
VIN = "WBA5F3103MFX12345"


async def test_connected_vehicle_shows_vin_series_and_ecu_versions_without_a_pass(
    http: httpx.AsyncClient, auth: Auth, paired_agent: AgentFactory
) -> None:
    organization_id = uuid.uuid4()
    agent = await paired_agent(organization_id)

    response = await http.get(f"/agents/{agent.agent_id}/vehicle", headers=auth(organization_id))

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["agent_id"], body["vin"], body["vin_valid"]) == (agent.agent_id, VIN, True)
    assert body["model_series"] == "G20"
    assert [(e["logical_address"], e["name"], e["software_version"]) for e in body["ecus"]] == [
        (0x12, "DME", "1.0.0"),
        (0x40, "BDC", "2.3.0"),
        (0x63, "HU", "5.0.1"),
    ]
    assert body["read_at"]


async def test_connected_vehicle_of_an_unknown_series_has_no_model_series(
    http: httpx.AsyncClient, auth: Auth, paired_agent: AgentFactory
) -> None:
    organization_id = uuid.uuid4()
    agent = await paired_agent(organization_id, vin="WBAZZZZ03MFX12345")
    body = (
        await http.get(f"/agents/{agent.agent_id}/vehicle", headers=auth(organization_id))
    ).json()
    assert (body["vin"], body["vin_valid"], body["model_series"]) == (
        "WBAZZZZ03MFX12345",
        True,
        None,
    )


async def test_unreadable_vin_is_reported_as_not_valid(
    http: httpx.AsyncClient, auth: Auth, paired_agent: AgentFactory
) -> None:
    organization_id = uuid.uuid4()
    agent = await paired_agent(organization_id, vin="")
    body = (
        await http.get(f"/agents/{agent.agent_id}/vehicle", headers=auth(organization_id))
    ).json()
    assert (body["vin"], body["vin_valid"], body["model_series"]) == ("", False, None)


async def test_another_organisations_agent_vehicle_is_404(
    http: httpx.AsyncClient, auth: Auth, paired_agent: AgentFactory
) -> None:
    agent = await paired_agent(uuid.uuid4())
    response = await http.get(f"/agents/{agent.agent_id}/vehicle", headers=auth(uuid.uuid4()))
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "/problems/agent-not-found"


async def test_vehicle_of_an_agent_that_is_not_connected_is_409(
    http: httpx.AsyncClient, auth: Auth
) -> None:
    organization_id = uuid.uuid4()
    code = (await http.post("/agents/pairing-codes", headers=auth(organization_id))).json()
    paired = (await http.post("/agents/pair", json={"code": code["code"], "name": "bay"})).json()
    response = await http.get(
        f"/agents/{paired['agent_id']}/vehicle", headers=auth(organization_id)
    )
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/agent-offline"
    assert "start it on the workshop PC" in response.json()["detail"]


async def test_sessions_list_is_newest_first_with_job_totals_and_scoped_to_the_organisation(
    http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    await grant(mine)
    await grant(theirs)
    agent = await paired_agent(mine)
    their_agent = await paired_agent(theirs)
    empty = (await http.get("/sessions", headers=auth(mine))).json()
    assert empty == {"items": [], "total": 0, "limit": 20, "offset": 0}

    created = []
    for _ in range(2):
        response = await http.post(
            "/sessions", json={"agent_id": agent.agent_id, "vin": VIN}, headers=auth(mine)
        )
        assert response.status_code == 201, response.text
        created.append(response.json()["id"])
    their = await http.post(
        "/sessions", json={"agent_id": their_agent.agent_id, "vin": VIN}, headers=auth(theirs)
    )
    assert their.status_code == 201

    listed = (await http.get("/sessions", headers=auth(mine))).json()["items"]
    assert [item["id"] for item in listed] == list(reversed(created))
    first = listed[0]
    assert (first["state"], first["vin"], first["model_series"]) == ("PLANNED", VIN, "G20")
    assert (first["job_count"], first["estimated_seconds"]) == (1, 36)
    assert their.json()["id"] not in {item["id"] for item in listed}

    # A page at a time: the total counts only my sessions, and the pages do not overlap.
    pages = [
        (await http.get("/sessions", params={"limit": 1, "offset": n}, headers=auth(mine))).json()
        for n in range(3)
    ]
    assert [[item["id"] for item in page["items"]] for page in pages] == [
        [created[1]],
        [created[0]],
        [],
    ]
    assert {page["total"] for page in pages} == {2}
    assert [(page["limit"], page["offset"]) for page in pages] == [(1, 0), (1, 1), (1, 2)]


async def test_sessions_list_refuses_a_limit_or_offset_out_of_range(
    http: httpx.AsyncClient, auth: Auth
) -> None:
    for limit in ("0", "101", "many"):
        response = await http.get("/sessions", params={"limit": limit}, headers=auth(uuid.uuid4()))
        assert response.status_code == 422, limit
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["errors"][0]["field"] == "query.limit"
    for offset in ("-1", "1000001", "first"):
        response = await http.get(
            "/sessions", params={"offset": offset}, headers=auth(uuid.uuid4())
        )
        assert response.status_code == 422, offset
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["errors"][0]["field"] == "query.offset"


async def idle_in_transaction(database_url: str) -> int:
    """Connections of the service's database that hold a transaction open and do nothing."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            count = await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state = 'idle in transaction' AND pid <> pg_backend_pid()"
                )
            )
            return int(count or 0)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("call", ["vehicle", "plan"])
async def test_waiting_for_the_car_holds_no_database_transaction(
    http: httpx.AsyncClient,
    auth: Auth,
    grant: Grant,
    paired_agent: AgentFactory,
    database_url: str,
    call: str,
) -> None:
    organization_id = uuid.uuid4()
    await grant(organization_id)
    gate = asyncio.Event()
    agent = await paired_agent(organization_id, report_gate=gate)
    headers = auth(organization_id)
    request = (
        http.get(f"/agents/{agent.agent_id}/vehicle", headers=headers)
        if call == "vehicle"
        else http.post("/sessions", json={"agent_id": agent.agent_id, "vin": VIN}, headers=headers)
    )
    pending = asyncio.create_task(request)
    await asyncio.wait_for(agent.read_requests.wait(), 10)

    # The car is slow to answer (up to the read timeout): no connection may sit in a transaction.
    assert await idle_in_transaction(database_url) == 0

    gate.set()
    response = await asyncio.wait_for(pending, 10)
    assert response.status_code in (200, 201), response.text
