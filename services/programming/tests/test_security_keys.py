"""Security keys only for the job in flight: its connection, ECU, level and unlock phase, and
a few per job. Everything else gets an Error frame and is counted by reason."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from aos.agent.v1 import agent_pb2
from aos_contracts.keys import aos_demo_1, aos_demo_2
from programming.testing import PREFLIGHT
from servicekit.testing import ManualClock

Auth = Callable[..., dict[str, str]]
Grant = Callable[..., Awaitable[Any]]
AgentFactory = Callable[..., Awaitable[Any]]
# The start body: the pre-flight checklist confirmed at the vehicle.


VIN = "WBA5F3103MFX12345"
DME_SECRET = bytes.fromhex("d3e1f2a4b5c6d7e8f9a0b1c2d3e4f506")
REASONS = (
    "unknown-job",
    "job-not-running",
    "wrong-ecu",
    "wrong-level",
    "not-job-connection",
    "not-unlock-phase",
    "key-limit-reached",
)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"security_keys_per_job": 3}


def refused_counts() -> dict[str, float]:
    return {
        reason: REGISTRY.get_sample_value(
            "aos_programming_security_key_refused_total", {"reason": reason}
        )
        or 0.0
        for reason in REASONS
    }


def key_request(
    job: agent_pb2.StartJob,
    *,
    seed: bytes,
    ecu: int | None = None,
    level: int | None = None,
    job_id: str | None = None,
) -> agent_pb2.AgentFrame:
    return agent_pb2.AgentFrame(
        security_key_request=agent_pb2.SecurityKeyRequest(
            job_id=job.job_id if job_id is None else job_id,
            ecu_logical_address=job.ecu_logical_address if ecu is None else ecu,
            level=job.security_level if level is None else level,
            seed=seed,
        )
    )


def progress(job: agent_pb2.StartJob, phase: int) -> agent_pb2.AgentFrame:
    return agent_pb2.AgentFrame(
        job_progress=agent_pb2.JobProgress(job_id=job.job_id, phase=phase)  # type: ignore[arg-type]
    )


async def heartbeat(agent: Any) -> None:
    """A round trip on the agent's connection: every frame it sent before is handled."""
    answer = await agent.request(agent_pb2.AgentFrame(heartbeat=agent_pb2.Heartbeat()))
    assert answer.WhichOneof("body") == "heartbeat"


def refusal(answer: agent_pb2.AgentFrame) -> str:
    assert answer.WhichOneof("body") == "error", answer
    return answer.error.code


async def test_keys_are_given_only_to_the_running_job_and_everything_else_is_refused(
    http: httpx.AsyncClient,
    auth: Auth,
    grant: Grant,
    paired_agent: AgentFactory,
    agent_connection: AgentFactory,
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    await grant(organization_id)
    agent = await paired_agent(organization_id)
    started: asyncio.Queue[agent_pb2.StartJob] = asyncio.Queue()

    async def hold(job: agent_pb2.StartJob) -> None:  # the test plays the flash step by step
        await started.put(job)

    agent.flash = hold
    planned = await http.post(
        "/sessions", json={"agent_id": agent.agent_id, "vin": VIN}, headers=headers
    )
    session_id = planned.json()["id"]
    assert (
        await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
    ).status_code == 202
    job = await asyncio.wait_for(started.get(), 10)
    before = refused_counts()
    # A second connection with the same credential, open while the job runs.
    second = await agent_connection(agent.credential)

    # Before the unlock phase (the image is still downloading): no key.
    await agent.send(progress(job, agent_pb2.JOB_PHASE_DOWNLOADING))
    assert refusal(await agent.request(key_request(job, seed=b"\x11\x22\x33\x44"))) == (
        "not-unlock-phase"
    )
    # In the unlock phase the job's own connection gets its key.
    await agent.send(progress(job, agent_pb2.JOB_PHASE_PREPARING))
    seed = secrets.token_bytes(4)
    answer = await agent.request(key_request(job, seed=seed))
    assert answer.WhichOneof("body") == "security_key_answer", answer
    assert answer.security_key_answer.key == aos_demo_1(DME_SECRET, level=0x11, seed=seed)

    # The second connection: random seeds, another ECU, another level, an unknown job.
    for _ in range(3):
        assert refusal(await second.request(key_request(job, seed=secrets.token_bytes(4)))) == (
            "not-job-connection"
        )
    assert refusal(await second.request(key_request(job, seed=seed, ecu=0x40))) == "wrong-ecu"
    assert refusal(await second.request(key_request(job, seed=seed, level=0x13))) == ("wrong-level")
    assert (
        refusal(await second.request(key_request(job, seed=seed, job_id=str(uuid.uuid4()))))
        == "unknown-job"
    )
    # Its progress frames do not make it the job's connection either.
    await second.send(progress(job, agent_pb2.JOB_PHASE_PREPARING))
    assert refusal(await second.request(key_request(job, seed=seed))) == "not-job-connection"

    # The job's own connection, for another ECU or level: refused too.
    assert refusal(await agent.request(key_request(job, seed=seed, ecu=0x63))) == "wrong-ecu"
    assert refusal(await agent.request(key_request(job, seed=seed, level=0x01))) == ("wrong-level")
    # After the unlock phase (transferring): no key.
    await agent.send(progress(job, agent_pb2.JOB_PHASE_TRANSFERRING))
    assert refusal(await agent.request(key_request(job, seed=seed))) == "not-unlock-phase"
    # A resume unlocks again; the job has three keys in all, the fourth is refused.
    await agent.send(progress(job, agent_pb2.JOB_PHASE_PREPARING))
    for _ in range(2):
        answer = await agent.request(key_request(job, seed=secrets.token_bytes(4)))
        assert answer.WhichOneof("body") == "security_key_answer", answer
    assert refusal(await agent.request(key_request(job, seed=seed))) == "key-limit-reached"

    # The job finishes; then no key at all.
    ack = await agent.request(
        agent_pb2.AgentFrame(
            job_result=agent_pb2.JobResult(
                job_id=job.job_id,
                outcome=agent_pb2.JOB_OUTCOME_SUCCEEDED,
                version_after=job.target_version,
            )
        )
    )
    assert ack.WhichOneof("body") == "heartbeat"
    assert refusal(await agent.request(key_request(job, seed=seed))) == "job-not-running"

    after = refused_counts()
    assert {reason: after[reason] - before[reason] for reason in REASONS} == {
        "unknown-job": 1,
        "job-not-running": 1,
        "wrong-ecu": 2,
        "wrong-level": 2,
        "not-job-connection": 4,
        "not-unlock-phase": 2,
        "key-limit-reached": 1,
    }


async def test_a_job_moves_to_the_agents_new_connection_once_its_own_is_gone(
    http: httpx.AsyncClient,
    auth: Auth,
    grant: Grant,
    paired_agent: AgentFactory,
    agent_connection: AgentFactory,
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    await grant(organization_id)
    agent = await paired_agent(organization_id)
    started: asyncio.Queue[agent_pb2.StartJob] = asyncio.Queue()

    async def hold(job: agent_pb2.StartJob) -> None:
        await started.put(job)

    agent.flash = hold
    planned = await http.post(
        "/sessions", json={"agent_id": agent.agent_id, "vin": VIN}, headers=headers
    )
    await http.post(f"/sessions/{planned.json()['id']}/start", json=PREFLIGHT, headers=headers)
    job = await asyncio.wait_for(started.get(), 10)
    await agent.send(progress(job, agent_pb2.JOB_PHASE_PREPARING))
    await heartbeat(agent)
    # The link drops mid-job (the flash carries on); the agent comes back on a new connection
    # and, resuming after a power loss, unlocks again.
    await agent.ws.close()
    for _ in range(200):
        if not (await http.get("/agents", headers=headers)).json()["items"][0]["online"]:
            break
        await asyncio.sleep(0.02)
    back = await agent_connection(agent.credential)
    await back.send(progress(job, agent_pb2.JOB_PHASE_PREPARING))
    seed = secrets.token_bytes(4)
    answer = await back.request(key_request(job, seed=seed))
    assert answer.WhichOneof("body") == "security_key_answer", answer
    assert answer.security_key_answer.key == aos_demo_1(DME_SECRET, level=0x11, seed=seed)


async def set_security_algorithm(database_url: str, ecu_type: str, algorithm: str) -> None:
    """What a catalog change of the ECU type's algorithm leaves in the database."""
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE ecu_types SET security_algorithm = :algorithm WHERE key = :key"),
                {"algorithm": algorithm, "key": ecu_type},
            )
    finally:
        await engine.dispose()


async def start_dme_job(
    http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> tuple[Any, agent_pb2.StartJob]:
    """An agent whose session's DME job is RUNNING and reports its unlock phase."""
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    await grant(organization_id)
    agent = await paired_agent(organization_id)
    started: asyncio.Queue[agent_pb2.StartJob] = asyncio.Queue()

    async def hold(job: agent_pb2.StartJob) -> None:
        await started.put(job)

    agent.flash = hold
    planned = await http.post(
        "/sessions", json={"agent_id": agent.agent_id, "vin": VIN}, headers=headers
    )
    await http.post(f"/sessions/{planned.json()['id']}/start", json=PREFLIGHT, headers=headers)
    job = await asyncio.wait_for(started.get(), 10)
    assert job.ecu_type == "DME_B48"
    await agent.send(progress(job, agent_pb2.JOB_PHASE_PREPARING))
    return agent, job


async def test_the_key_is_computed_with_the_algorithm_the_ecu_type_names(
    http: httpx.AsyncClient,
    auth: Auth,
    grant: Grant,
    paired_agent: AgentFactory,
    settings: Any,
) -> None:
    await set_security_algorithm(settings.database_url, "DME_B48", "AOS-DEMO-2")
    agent, job = await start_dme_job(http, auth, grant, paired_agent)
    seed = secrets.token_bytes(4)

    answer = await agent.request(key_request(job, seed=seed))

    assert answer.WhichOneof("body") == "security_key_answer", answer
    assert answer.security_key_answer.key == aos_demo_2(DME_SECRET, 0x11, seed)
    assert answer.security_key_answer.key != aos_demo_1(DME_SECRET, 0x11, seed)


async def test_an_algorithm_the_service_does_not_know_is_refused_with_the_known_ones(
    http: httpx.AsyncClient,
    auth: Auth,
    grant: Grant,
    paired_agent: AgentFactory,
    settings: Any,
) -> None:
    await set_security_algorithm(settings.database_url, "DME_B48", "OEM-X-7")
    agent, job = await start_dme_job(http, auth, grant, paired_agent)
    before = REGISTRY.get_sample_value(
        "aos_programming_security_key_refused_total", {"reason": "unknown-key-algorithm"}
    )

    answer = await agent.request(key_request(job, seed=secrets.token_bytes(4)))

    assert refusal(answer) == "unknown-key-algorithm"
    assert answer.error.message == (
        "the catalog's ECU type DME_B48 names the security key algorithm 'OEM-X-7', which this "
        "programming service does not know (known: AOS-DEMO-1, AOS-DEMO-2); the ECU cannot be "
        "unlocked until the platform corrects the ECU type"
    )
    after = REGISTRY.get_sample_value(
        "aos_programming_security_key_refused_total", {"reason": "unknown-key-algorithm"}
    )
    assert (after or 0.0) - (before or 0.0) == 1


class TestAConnectionSilentForTwoHeartbeats:
    """A job's connection that has gone silent (half-open after a network change) hands the
    job to the agent's newest connection; a live one does not."""

    @pytest.fixture
    def clock(self) -> ManualClock:
        return ManualClock()

    async def test_hands_its_job_to_the_agents_new_connection(
        self,
        http: httpx.AsyncClient,
        auth: Auth,
        grant: Grant,
        paired_agent: AgentFactory,
        agent_connection: AgentFactory,
        clock: ManualClock,
        settings: Any,
    ) -> None:
        organization_id = uuid.uuid4()
        headers = auth(organization_id)
        await grant(organization_id)
        agent = await paired_agent(organization_id)
        started: asyncio.Queue[agent_pb2.StartJob] = asyncio.Queue()

        async def hold(job: agent_pb2.StartJob) -> None:
            await started.put(job)

        agent.flash = hold
        planned = await http.post(
            "/sessions", json={"agent_id": agent.agent_id, "vin": VIN}, headers=headers
        )
        await http.post(f"/sessions/{planned.json()['id']}/start", json=PREFLIGHT, headers=headers)
        job = await asyncio.wait_for(started.get(), 10)
        await agent.send(progress(job, agent_pb2.JOB_PHASE_PREPARING))
        await heartbeat(agent)
        # The agent comes back on a new connection; the old one stays open but falls silent.
        back = await agent_connection(agent.credential)
        await back.send(progress(job, agent_pb2.JOB_PHASE_PREPARING))
        seed = secrets.token_bytes(4)
        # One heartbeat interval of silence: the old connection may still be alive.
        clock.advance(settings.heartbeat_interval_seconds)
        assert refusal(await back.request(key_request(job, seed=seed))) == "not-job-connection"
        # Two intervals: it is taken as gone, and the job moves to the new connection.
        clock.advance(settings.heartbeat_interval_seconds + 1)
        answer = await back.request(key_request(job, seed=seed))
        assert answer.WhichOneof("body") == "security_key_answer", answer
        assert answer.security_key_answer.key == aos_demo_1(DME_SECRET, level=0x11, seed=seed)
        # From now on the old connection is not the job's, even if it speaks again.
        await heartbeat(agent)
        assert refusal(await agent.request(key_request(job, seed=seed))) == ("not-job-connection")
