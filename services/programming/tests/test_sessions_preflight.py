"""Starting a session takes the pre-flight checklist confirmed at the vehicle (charger,
ignition, no other tester); who confirmed it and when stays with the session and its report."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from servicekit.testing import assert_problem

Auth = Callable[..., dict[str, str]]
Grant = Callable[..., Awaitable[Any]]
AgentFactory = Callable[..., Awaitable[Any]]
VIN = "WBA5F3103MFX12345"
CONFIRMED = {"charger_connected": True, "ignition_on": True, "no_other_tester": True}


async def _planned(
    http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> tuple[uuid.UUID, str]:
    organization_id = uuid.uuid4()
    await grant(organization_id)
    agent = await paired_agent(organization_id)
    planned = await http.post(
        "/sessions", json={"agent_id": agent.agent_id, "vin": VIN}, headers=auth(organization_id)
    )
    assert planned.status_code == 201, planned.text
    return organization_id, planned.json()["id"]


async def test_the_start_records_who_confirmed_the_checklist_and_the_report_shows_it(
    http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    organization_id, session_id = await _planned(http, auth, grant, paired_agent)
    user_id = uuid.uuid4()
    headers = auth(organization_id, user_id=user_id)
    before = (await http.get(f"/sessions/{session_id}", headers=headers)).json()
    assert before["preflight"] is None

    started = await http.post(
        f"/sessions/{session_id}/start", json={"preflight": CONFIRMED}, headers=headers
    )

    assert started.status_code == 202, started.text
    preflight = started.json()["preflight"]
    assert preflight["confirmed_by"] == str(user_id)
    assert preflight["confirmed_at"] == started.json()["started_at"]
    report = (await http.get(f"/sessions/{session_id}/report", headers=headers)).json()
    assert report["session"]["preflight"] == preflight


@pytest.mark.parametrize(
    ("unconfirmed", "says"),
    [
        (["charger_connected"], "a battery charger is connected to the vehicle"),
        (["ignition_on"], "the ignition is on"),
        (["no_other_tester"], "no other diagnostic tester is connected"),
        (["charger_connected", "no_other_tester"], "charger_connected"),
    ],
)
async def test_an_item_not_confirmed_is_a_422_naming_it_and_the_session_stays_planned(
    http: httpx.AsyncClient,
    auth: Auth,
    grant: Grant,
    paired_agent: AgentFactory,
    unconfirmed: list[str],
    says: str,
) -> None:
    organization_id, session_id = await _planned(http, auth, grant, paired_agent)
    headers = auth(organization_id)
    preflight = {**CONFIRMED, **dict.fromkeys(unconfirmed, False)}

    response = await http.post(
        f"/sessions/{session_id}/start", json={"preflight": preflight}, headers=headers
    )

    body = assert_problem(response, 422, "preflight-not-confirmed")
    assert says in body["detail"]
    assert body["unconfirmed"] == unconfirmed
    after = (await http.get(f"/sessions/{session_id}", headers=headers)).json()
    assert (after["state"], after["preflight"]) == ("PLANNED", None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (None, "body"),
        ({}, "preflight"),
        ({"preflight": {"charger_connected": True, "ignition_on": True}}, "no_other_tester"),
    ],
)
async def test_a_start_without_the_checklist_is_a_422_naming_what_is_missing(
    http: httpx.AsyncClient,
    auth: Auth,
    grant: Grant,
    paired_agent: AgentFactory,
    body: dict[str, Any] | None,
    field: str,
) -> None:
    organization_id, session_id = await _planned(http, auth, grant, paired_agent)

    response = await http.post(
        f"/sessions/{session_id}/start", json=body, headers=auth(organization_id)
    )

    problem = assert_problem(response, 422)
    assert any(field in error["field"] for error in problem["errors"]), problem
    state = (await http.get(f"/sessions/{session_id}", headers=auth(organization_id))).json()
    assert state["state"] == "PLANNED"


async def test_another_organisation_confirming_the_checklist_cannot_start_the_session(
    http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    organization_id, session_id = await _planned(http, auth, grant, paired_agent)
    intruder = uuid.uuid4()
    await grant(intruder)

    response = await http.post(
        f"/sessions/{session_id}/start", json={"preflight": CONFIRMED}, headers=auth(intruder)
    )

    assert_problem(response, 404, "session-not-found")
    mine = (await http.get(f"/sessions/{session_id}", headers=auth(organization_id))).json()
    assert (mine["state"], mine["preflight"]) == ("PLANNED", None)
