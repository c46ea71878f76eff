"""Sessions end to end with the test-side agent on the real WebSocket protocol."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from aos.agent.v1 import agent_pb2
from aos.events.v1 import programming_pb2
from aos_contracts.keys import aos_demo_1
from programming.testing import PREFLIGHT
from servicekit.revocations import Subject
from servicekit.testing import assert_problem

Auth = Callable[..., dict[str, str]]
Grant = Callable[..., Awaitable[Any]]
AgentFactory = Callable[..., Awaitable[Any]]
# The start body: the pre-flight checklist confirmed at the vehicle.


VIN = "WBA5F3103MFX12345"
DME_SECRET = bytes.fromhex("d3e1f2a4b5c6d7e8f9a0b1c2d3e4f506")
TERMINAL = {"COMPLETED", "EXPIRED", "ABORTED", "FAILED"}


async def wait_until_ended(
    http: httpx.AsyncClient, session_id: str, headers: dict[str, str], *, seconds: float = 20
) -> dict[str, Any]:
    for _ in range(int(seconds * 20)):
        body: dict[str, Any] = (await http.get(f"/sessions/{session_id}", headers=headers)).json()
        if body["state"] in TERMINAL:
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"session {session_id} did not end: {body}")


async def plan(http: httpx.AsyncClient, headers: dict[str, str], agent: Any) -> dict[str, Any]:
    response = await http.post(
        "/sessions", json={"agent_id": agent.agent_id, "vin": VIN}, headers=headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def outbox_events(app: FastAPI) -> list[tuple[str, bytes]]:
    async with app.state.database.transaction() as session:
        rows = await session.execute(
            text("SELECT event_type, payload FROM outbox ORDER BY occurred_at")
        )
        return [(row[0], row[1]) for row in rows]


async def test_plan_shows_the_outdated_dme_with_an_estimate(
    http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    organization_id = uuid.uuid4()
    await grant(organization_id)
    agent = await paired_agent(organization_id)

    body = await plan(http, auth(organization_id), agent)

    assert body["state"] == "PLANNED"
    assert body["model_series"] == "G20"
    [job] = body["jobs"]
    assert (job["ecu_name"], job["ecu_type"], job["reason"]) == ("DME", "DME_B48", "outdated")
    assert (job["version_before"], job["target_version"]) == ("1.0.0", "1.1.0")
    # 384 KiB + 64 bytes at 25 kB/s plus 20 s overhead, rounded up.
    assert job["estimated_seconds"] == 36
    assert body["estimated_seconds"] == 36


async def test_session_for_another_vin_than_connected_is_409(
    http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    organization_id = uuid.uuid4()
    await grant(organization_id)
    agent = await paired_agent(organization_id, vin="WBA5F3103MFX99999")
    response = await http.post(
        "/sessions", json={"agent_id": agent.agent_id, "vin": VIN}, headers=auth(organization_id)
    )
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/vin-mismatch"


async def test_session_runs_end_to_end_and_report_shows_before_and_after(
    app: FastAPI, http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    organization_id, user_id = uuid.uuid4(), uuid.uuid4()
    headers = auth(organization_id, user_id=user_id)
    await grant(organization_id)
    agent = await paired_agent(organization_id)
    session_id = (await plan(http, headers, agent))["id"]

    started = await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
    assert started.status_code == 202, started.text
    ended = await wait_until_ended(http, session_id, headers)

    assert ended["state"] == "COMPLETED", ended
    [job] = ended["jobs"]
    assert (job["state"], job["version_after"]) == ("SUCCEEDED", "1.1.0")
    # The key the service answered is AOS-DEMO-1 of the seed with the DME's secret.
    [(level, seed, key)] = agent.keys
    assert level == 0x11
    assert key == aos_demo_1(DME_SECRET, level=0x11, seed=seed)
    # The agent's result was acknowledged (reply_to its JobResult frame).
    assert len(agent.acked_results) == 1
    [start_job] = agent.start_jobs
    assert start_job.memory_address == 0x00080000
    assert len(agent.images[start_job.job_id]) == start_job.image_size

    report = (await http.get(f"/sessions/{session_id}/report", headers=headers)).json()
    versions = {v["name"]: (v["before"], v["after"]) for v in report["versions"]}
    assert versions == {
        "DME": ("1.0.0", "1.1.0"),
        "BDC": ("2.3.0", "2.3.0"),
        "HU": ("5.0.1", "5.0.1"),
    }
    assert report["created_by"] == report["started_by"] == str(user_id)
    counts = {
        (t["service_id"], t["nrc"]): (t["count"], t["retried"]) for t in report["trace_summary"]
    }
    assert counts == {(0x10, 0): (2, 0), (0x31, 0x78): (1, 0), (0x31, 0): (1, 0), (0x36, 0): (2, 1)}
    assert report["session"]["ended_at"] is not None


async def test_session_writes_started_job_finished_and_ended_events(
    app: FastAPI, http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    organization_id, planner, starter = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await grant(organization_id)
    agent = await paired_agent(organization_id)
    session_id = (await plan(http, auth(organization_id, user_id=planner), agent))["id"]
    headers = auth(organization_id, user_id=starter)
    await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
    body = await wait_until_ended(http, session_id, headers)

    events = await outbox_events(app)
    assert [event_type for event_type, _ in events] == [
        "aos.events.v1.SessionStarted",
        "aos.events.v1.FlashJobFinished",
        "aos.events.v1.SessionEnded",
    ]
    finished = programming_pb2.FlashJobFinished.FromString(events[1][1])
    assert finished.outcome == programming_pb2.FLASH_OUTCOME_SUCCEEDED
    assert (finished.version_before, finished.version_after) == ("1.0.0", "1.1.0")
    ended = programming_pb2.SessionEnded.FromString(events[2][1])
    assert ended.reason == programming_pb2.SESSION_END_REASON_COMPLETED
    assert ended.session_id == session_id
    # The usage fields: the vehicle and who started it (not who planned it), on both events.
    assert (finished.vin, finished.started_by) == (VIN, str(starter))
    assert (ended.vin, ended.started_by) == (VIN, str(starter))
    assert ended.started_at.ToDatetime(tzinfo=UTC) == datetime.fromisoformat(body["started_at"])


async def test_a_planned_session_aborted_ends_with_its_creator_and_no_start(
    app: FastAPI, http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    organization_id, planner = uuid.uuid4(), uuid.uuid4()
    headers = auth(organization_id, user_id=planner)
    await grant(organization_id)
    agent = await paired_agent(organization_id)
    session_id = (await plan(http, headers, agent))["id"]
    aborted = await http.post(f"/sessions/{session_id}/abort", headers=headers)
    assert aborted.status_code == 200, aborted.text

    [(event_type, payload)] = await outbox_events(app)
    assert event_type == "aos.events.v1.SessionEnded"
    ended = programming_pb2.SessionEnded.FromString(payload)
    assert ended.reason == programming_pb2.SESSION_END_REASON_ABORTED
    assert (ended.vin, ended.started_by) == (VIN, str(planner))
    assert not ended.HasField("started_at")


async def test_another_organisation_cannot_see_or_drive_the_session(
    http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    organization_id, intruder = uuid.uuid4(), uuid.uuid4()
    await grant(organization_id)
    await grant(intruder)
    agent = await paired_agent(organization_id)
    session_id = (await plan(http, auth(organization_id), agent))["id"]
    for method, path in [
        ("GET", f"/sessions/{session_id}"),
        ("GET", f"/sessions/{session_id}/report"),
        ("GET", f"/sessions/{session_id}/events"),
        ("POST", f"/sessions/{session_id}/start"),
        ("POST", f"/sessions/{session_id}/abort"),
    ]:
        # The intruder confirms the checklist: the session is still not theirs.
        body = PREFLIGHT if path.endswith("/start") else None
        response = await http.request(method, path, headers=auth(intruder), json=body)
        assert response.status_code == 404, (method, path, response.text)
    mine = await http.get(f"/sessions/{session_id}", headers=auth(organization_id))
    assert mine.json()["state"] == "PLANNED"


async def test_starting_twice_is_409(
    http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    await grant(organization_id)
    agent = await paired_agent(organization_id)
    session_id = (await plan(http, headers, agent))["id"]
    await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
    again = await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
    assert again.status_code == 409
    assert again.json()["type"] == "/problems/session-state"
    await wait_until_ended(http, session_id, headers)


async def test_abort_of_a_planned_session_ends_it_at_once(
    http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    await grant(organization_id)
    agent = await paired_agent(organization_id)
    session_id = (await plan(http, headers, agent))["id"]
    aborted = await http.post(f"/sessions/{session_id}/abort", headers=headers)
    assert aborted.json()["state"] == "ABORTED"
    assert aborted.json()["jobs"][0]["state"] == "SKIPPED"
    again = await http.post(f"/sessions/{session_id}/abort", headers=headers)
    assert again.status_code == 409


async def test_abort_of_a_running_session_lets_the_current_job_finish(
    http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    await grant(organization_id)
    ecus = [
        agent_pb2.EcuReport(
            logical_address=0x12, name="DME", ecu_type="DME_B48", software_version="1.0.0"
        ),
        agent_pb2.EcuReport(
            logical_address=0x40, name="BDC", ecu_type="BDC_G20", software_version="2.2.0"
        ),
    ]
    agent = await paired_agent(organization_id, ecus=ecus, job_seconds=0.5)
    session_id = (await plan(http, headers, agent))["id"]
    await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
    for _ in range(100):
        if agent.start_jobs:
            break
        await asyncio.sleep(0.02)
    await http.post(f"/sessions/{session_id}/abort", headers=headers)
    ended = await wait_until_ended(http, session_id, headers)
    assert ended["state"] == "ABORTED"
    assert [job["state"] for job in ended["jobs"]] == ["SUCCEEDED", "SKIPPED"]
    assert len(agent.start_jobs) == 1


async def test_events_of_an_ended_session_stream_its_snapshot(
    http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    await grant(organization_id)
    agent = await paired_agent(organization_id)
    session_id = (await plan(http, headers, agent))["id"]
    await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
    await wait_until_ended(http, session_id, headers)
    response = await http.get(f"/sessions/{session_id}/events", headers=headers)
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.text.startswith("event: snapshot\ndata: {")
    assert '"state": "COMPLETED"' in response.text


async def test_events_stream_live_progress_until_the_end(
    http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    await grant(organization_id)
    agent = await paired_agent(organization_id, job_seconds=0.3)
    session_id = (await plan(http, headers, agent))["id"]
    kinds: list[str] = []
    async with http.stream("GET", f"/sessions/{session_id}/events", headers=headers) as stream:
        await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
        async for line in stream.aiter_lines():
            if line.startswith("event: "):
                kinds.append(line.removeprefix("event: "))
    assert kinds[0] == "snapshot"
    assert "progress" in kinds
    assert kinds[-1] == "session"


async def test_failed_job_ends_the_session_failed_and_skips_the_rest(
    app: FastAPI, http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    await grant(organization_id)
    ecus = [
        agent_pb2.EcuReport(
            logical_address=0x12, name="DME", ecu_type="DME_B48", software_version="1.0.0"
        ),
        agent_pb2.EcuReport(
            logical_address=0x40, name="BDC", ecu_type="BDC_G20", software_version="2.2.0"
        ),
    ]
    agent = await paired_agent(organization_id, ecus=ecus, outcome=agent_pb2.JOB_OUTCOME_FAILED)
    session_id = (await plan(http, headers, agent))["id"]
    await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
    ended = await wait_until_ended(http, session_id, headers)
    assert ended["state"] == "FAILED"
    assert "CRC mismatch" in ended["end_detail"]
    assert [job["state"] for job in ended["jobs"]] == ["FAILED", "SKIPPED"]
    events = [event_type for event_type, _ in await outbox_events(app)]
    assert events[-1] == "aos.events.v1.SessionEnded"


async def test_download_token_dies_with_its_job(
    http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory, settings: Any
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    await grant(organization_id)
    agent = await paired_agent(organization_id)
    session_id = (await plan(http, headers, agent))["id"]
    await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
    await wait_until_ended(http, session_id, headers)
    [job] = agent.start_jobs  # the agent downloaded with this token while the job ran
    path = job.image_url.removeprefix(settings.public_base_url)
    response = await http.get(path, headers={"X-Download-Token": job.download_token})
    assert response.status_code == 401


async def test_start_with_the_agent_offline_is_409(
    http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    await grant(organization_id)
    agent = await paired_agent(organization_id)
    session_id = (await plan(http, headers, agent))["id"]
    await agent.ws.close()
    for _ in range(100):
        agents = (await http.get("/agents", headers=headers)).json()["items"]
        if not agents[0]["online"]:
            break
        await asyncio.sleep(0.02)
    response = await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/agent-offline"


async def test_agent_of_another_organisation_gets_no_key_for_a_running_job(
    http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    await grant(organization_id)
    agent = await paired_agent(organization_id, job_seconds=1.0)
    intruder = await paired_agent(uuid.uuid4())
    session_id = (await plan(http, headers, agent))["id"]
    await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
    for _ in range(100):
        if agent.start_jobs:
            break
        await asyncio.sleep(0.02)
    [job] = agent.start_jobs
    answer = await intruder.request(
        agent_pb2.AgentFrame(
            security_key_request=agent_pb2.SecurityKeyRequest(
                job_id=job.job_id, level=0x11, seed=b"\x01\x02\x03\x04"
            )
        )
    )
    assert answer.error.code == "unknown-job"
    await wait_until_ended(http, session_id, headers)


async def test_an_open_event_stream_ends_once_the_members_token_is_revoked(
    app: FastAPI, http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    organization_id, user_id = uuid.uuid4(), uuid.uuid4()
    headers = auth(organization_id, user_id=user_id)
    await grant(organization_id)
    agent = await paired_agent(organization_id)
    session_id = (await plan(http, headers, agent))["id"]
    kinds: list[str] = []
    async with http.stream("GET", f"/sessions/{session_id}/events", headers=headers) as stream:
        lines = stream.aiter_lines()
        async with asyncio.timeout(20):  # only against a hang: the stream must end by itself
            async for line in lines:
                if line.startswith("event: "):
                    kinds.append(line.removeprefix("event: "))
                if kinds == ["snapshot"]:
                    # The member is deactivated while watching; the next event is not theirs.
                    app.state.token_revocations.apply(
                        Subject.USER, user_id, datetime.now(UTC) + timedelta(seconds=1)
                    )
                    app.state.runtime.events.publish(
                        uuid.UUID(session_id), {"type": "progress", "job_id": "x"}
                    )
                    kinds.append("(revoked)")
    assert kinds == ["snapshot", "(revoked)", "revoked"]
    assert_problem(await http.get(f"/sessions/{session_id}", headers=headers), 401, "token-revoked")
