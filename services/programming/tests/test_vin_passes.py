"""Per-VIN passes (PROGRAMMING_VIN_24H) pay for sessions on their vehicle only; a revoked pass
pays for nothing from its revocation on."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from programming.testing import PREFLIGHT
from servicekit.testing import assert_problem

Auth = Callable[..., dict[str, str]]
Grant = Callable[..., Awaitable[Any]]
Revoke = Callable[..., Awaitable[Any]]
AgentFactory = Callable[..., Awaitable[Any]]
# The start body: the pre-flight checklist confirmed at the vehicle.


VIN = "WBA5F3103MFX12345"
OTHER_VIN = "WBA5F3103MFX99999"
TERMINAL = {"COMPLETED", "EXPIRED", "ABORTED", "FAILED"}
TIME_PASSES = [
    "PROGRAMMING_1H",
    "PROGRAMMING_1D",
    "PROGRAMMING_1W",
    "PROGRAMMING_1M",
    "PROGRAMMING_1Y",
]


async def offline_agent(client: httpx.AsyncClient, auth: Auth, organization_id: uuid.UUID) -> str:
    code = (await client.post("/agents/pairing-codes", headers=auth(organization_id))).json()
    paired = await client.post("/agents/pair", json={"code": code["code"], "name": "bay"})
    agent_id: str = paired.json()["agent_id"]
    return agent_id


async def plan_offline(
    client: httpx.AsyncClient, auth: Auth, organization_id: uuid.UUID, *, vin: str = VIN
) -> httpx.Response:
    """POST /sessions with an agent that is not connected: the pass is checked first, so a
    paid-for session gets 409 agent-offline and an unpaid one 403."""
    agent_id = await offline_agent(client, auth, organization_id)
    return await client.post(
        "/sessions", json={"agent_id": agent_id, "vin": vin}, headers=auth(organization_id)
    )


async def test_a_vin_pass_gets_a_session_on_its_vehicle_past_the_pass_check(
    client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    organization_id = uuid.uuid4()
    await grant(organization_id, vin=VIN)

    response = await plan_offline(client, auth, organization_id)

    assert_problem(response, 409, "agent-offline")


async def test_a_vin_pass_pays_for_no_other_vehicle(
    client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    organization_id = uuid.uuid4()
    await grant(organization_id, vin=OTHER_VIN)

    body = assert_problem(
        await plan_offline(client, auth, organization_id), 403, "programming-pass-required"
    )

    assert body["buy"] == [*TIME_PASSES, "PROGRAMMING_VIN_24H"]
    assert body["detail"] == (
        f"Your organisation has no active programming pass for VIN {VIN}. Buy one of the passes "
        f"{', '.join(TIME_PASSES)}, or PROGRAMMING_VIN_24H for VIN {VIN} alone, with "
        "POST /api/billing/checkout, then retry."
    )


async def test_another_organisations_vin_pass_pays_for_nothing(
    client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    holder, other = uuid.uuid4(), uuid.uuid4()
    await grant(holder, vin=VIN)

    response = await plan_offline(client, auth, other)

    assert_problem(response, 403, "programming-pass-required")


async def test_a_revoked_pass_refuses_a_new_session(
    client: httpx.AsyncClient, auth: Auth, grant: Grant, revoke: Revoke
) -> None:
    organization_id = uuid.uuid4()
    await revoke(await grant(organization_id))

    response = await plan_offline(client, auth, organization_id)

    assert_problem(response, 403, "programming-pass-required")


async def wait_until_ended(
    http: httpx.AsyncClient, session_id: str, headers: dict[str, str]
) -> dict[str, Any]:
    for _ in range(400):
        body: dict[str, Any] = (await http.get(f"/sessions/{session_id}", headers=headers)).json()
        if body["state"] in TERMINAL:
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"session did not end: {body}")


async def test_a_vin_pass_pays_for_the_whole_session_on_its_vehicle(
    http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    await grant(organization_id, vin=VIN)
    agent = await paired_agent(organization_id)
    planned = await http.post(
        "/sessions", json={"agent_id": agent.agent_id, "vin": VIN}, headers=headers
    )
    assert planned.status_code == 201, planned.text

    started = await http.post(
        f"/sessions/{planned.json()['id']}/start", json=PREFLIGHT, headers=headers
    )
    assert started.status_code == 202, started.text
    ended = await wait_until_ended(http, planned.json()["id"], headers)

    # The runner counts the vehicle's own pass as paid time for every job.
    assert ended["state"] == "COMPLETED", ended
    assert [job["state"] for job in ended["jobs"]] == ["SUCCEEDED"]


async def test_a_pass_revoked_after_planning_refuses_the_start(
    http: httpx.AsyncClient, auth: Auth, grant: Grant, revoke: Revoke, paired_agent: AgentFactory
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    granted = await grant(organization_id)
    agent = await paired_agent(organization_id)
    planned = await http.post(
        "/sessions", json={"agent_id": agent.agent_id, "vin": VIN}, headers=headers
    )
    assert planned.status_code == 201, planned.text

    await revoke(granted)
    started = await http.post(
        f"/sessions/{planned.json()['id']}/start", json=PREFLIGHT, headers=headers
    )

    assert_problem(started, 403, "programming-pass-required")
    assert agent.start_jobs == []
