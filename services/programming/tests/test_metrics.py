"""Programming's own metrics on /metrics: agents online and sessions by state, re-read from the
database by every process (real PostgreSQL, a real WebSocket agent)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from programming.testing import PREFLIGHT

AgentFactory = Callable[..., Awaitable[Any]]


# The start body: the pre-flight checklist confirmed at the vehicle.


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"metrics_refresh_seconds": 0.05}


async def scraped(http: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = (await http.get("/metrics")).text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name.startswith("aos_programming_")
    }


async def until_value(http: httpx.AsyncClient, key: Any, expected: float) -> None:
    async with asyncio.timeout(30):
        while (await scraped(http)).get(key) != expected:
            await asyncio.sleep(0.05)


async def test_an_agent_that_connects_is_counted_online_and_every_session_state_is_reported(
    http: httpx.AsyncClient, paired_agent: AgentFactory
) -> None:
    online = ("aos_programming_agents_online", ())
    await until_value(http, online, 0)
    samples = await scraped(http)
    # Open sessions are gauged; ended ones are counted as they end (never by reading them all).
    for state in ("PLANNED", "RUNNING"):
        assert samples[("aos_programming_sessions", (("state", state),))] == 0
    for state in ("COMPLETED", "EXPIRED", "ABORTED", "FAILED"):
        assert ("aos_programming_sessions", (("state", state),)) not in samples
        assert ("aos_programming_sessions_ended_total", (("state", state),)) in samples

    await paired_agent(uuid.uuid4())
    await until_value(http, online, 1)


async def test_a_completed_flash_is_counted_and_its_session_shows_in_its_state(
    http: httpx.AsyncClient,
    auth: Callable[..., dict[str, str]],
    grant: Callable[..., Awaitable[Any]],
    paired_agent: AgentFactory,
) -> None:
    succeeded = ("aos_programming_flash_outcomes_total", (("state", "SUCCEEDED"),))
    completed = ("aos_programming_sessions_ended_total", (("state", "COMPLETED"),))
    running = ("aos_programming_sessions", (("state", "RUNNING"),))
    samples = await scraped(http)
    before = samples.get(succeeded, 0.0)
    completed_before = samples[completed]
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    await grant(organization_id)
    agent = await paired_agent(organization_id)
    planned = await http.post(
        "/sessions", json={"agent_id": agent.agent_id, "vin": "WBA5F3103MFX12345"}, headers=headers
    )
    assert planned.status_code == 201, planned.text
    await until_value(http, ("aos_programming_sessions", (("state", "PLANNED"),)), 1)
    started = await http.post(
        f"/sessions/{planned.json()['id']}/start", json=PREFLIGHT, headers=headers
    )
    assert started.status_code == 202, started.text

    await until_value(http, completed, completed_before + 1)
    assert (await scraped(http))[succeeded] == before + 1
    # Ended, it is no longer among the open sessions.
    await until_value(http, running, 0)
    await until_value(http, ("aos_programming_sessions", (("state", "PLANNED"),)), 0)
