"""Flash jobs from the real programming service through the agent link to the simulator."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
)
from sqlalchemy import text

from aos.agent.v1 import agent_pb2
from programming.testing import PREFLIGHT
from vci_agent.journal import JobResultState, Journal
from vci_agent.link import AgentLink, FrameHandler
from vci_agent.pairing import DeviceCredential
from vci_agent.transport.options import ANOTHER_TESTER, IGNITION_OFF, DoipConnector
from vehicle_sim.config import demo_vehicle
from vehicle_sim.faults import Fault, FaultKind
from vehicle_sim.testing import running_vehicle

# The start body: the pre-flight checklist confirmed at the vehicle.


VIN = "WBA5F3103MFX12345"
DME = 0x0012


async def _run_session(
    server: Any, organization_id: uuid.UUID, agent_id: str, *, during: Callable[[], None] | None
) -> dict[str, Any]:
    headers = server.auth(organization_id)
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        planned = await http.post(
            "/sessions", json={"agent_id": agent_id, "vin": VIN}, headers=headers
        )
        assert planned.status_code == 201, planned.text
        session_id = planned.json()["id"]
        started = await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
        assert started.status_code == 202, started.text
        body: dict[str, Any] = {}
        async with asyncio.timeout(60):
            while True:
                body = (await http.get(f"/sessions/{session_id}", headers=headers)).json()
                if during is not None:
                    during()
                if body["state"] not in ("PLANNED", "RUNNING"):
                    break
                await asyncio.sleep(0.05)
        report = (await http.get(f"/sessions/{session_id}/report", headers=headers)).json()
    return {"session": body, "report": report}


async def test_a_session_flashes_the_outdated_ecu_through_the_agent(
    programming_server: Any, tmp_path: Path, pair_agent: Any, running_agent: Any
) -> None:
    organization_id = uuid.uuid4()
    await programming_server.grant_programming_time(organization_id)
    credential = await pair_agent(programming_server, organization_id)
    journal = Journal(tmp_path / "journal")
    async with (
        running_vehicle(tmp_path / "sim", erase_time_s=0.05) as sim,
        running_agent(credential, sim, journal, tmp_path / "cache"),
    ):
        outcome = await _run_session(
            programming_server, organization_id, credential.agent_id, during=None
        )

        assert sim.ecu(DME).persistent.version == "1.1.0"
    assert outcome["session"]["state"] == "COMPLETED", outcome["session"]
    dme = next(v for v in outcome["report"]["versions"] if v["name"] == "DME")
    assert (dme["before"], dme["after"]) == ("1.0.0", "1.1.0")
    [entry] = journal.entries()
    assert entry.result is JobResultState.SUCCEEDED
    assert entry.result_synced


async def test_a_link_down_mid_flash_lets_the_flash_finish_and_the_result_sync_after_reconnect(
    programming_server: Any, tmp_path: Path, pair_agent: Any, running_agent: Any, relay_factory: Any
) -> None:
    organization_id = uuid.uuid4()
    await programming_server.grant_programming_time(organization_id)
    direct = await pair_agent(programming_server, organization_id)
    relay, relay_port = await relay_factory(int(programming_server.url.rsplit(":", 1)[1]))
    credential = DeviceCredential(
        server=f"http://127.0.0.1:{relay_port}",
        api_prefix="",
        agent_id=direct.agent_id,
        credential=direct.credential,
        release_public_key=direct.release_public_key,
    )
    journal = Journal(tmp_path / "journal")
    # Block 20's answer is held back for 1 s: the test takes the network down then, and brings
    # it back only once the journal holds the finished (unsynced) result.
    faults = ["delay,ecu=0x12,block=20,seconds=1.0"]
    cut_at: list[int] = []

    synced_while_down: list[bool] = []

    async with (
        running_vehicle(tmp_path / "sim", faults=faults, erase_time_s=0.05) as sim,
        running_agent(credential, sim, journal, tmp_path / "cache") as link,
    ):

        def network_down_until_the_flash_has_finished() -> None:
            if sim.faults.faults[0].fired and not cut_at:
                cut_at.append(link.connections)
                relay.refuse()
            entries = journal.entries()
            if relay.refusing and entries and entries[0].finished:
                synced_while_down.append(entries[0].result_synced)
                relay.restore()

        outcome = await _run_session(
            programming_server,
            organization_id,
            credential.agent_id,
            during=network_down_until_the_flash_has_finished,
        )

        assert sim.ecu(DME).persistent.version == "1.1.0"
        assert link.connections >= 2
    assert cut_at == [1]
    assert synced_while_down == [False]
    assert outcome["session"]["state"] == "COMPLETED", outcome["session"]
    [entry] = journal.entries()
    assert entry.result is JobResultState.SUCCEEDED
    assert entry.result_synced


async def test_an_image_whose_signature_does_not_verify_is_refused_before_the_ecu_is_touched(
    programming_server: Any, tmp_path: Path, pair_agent: Any, running_agent: Any
) -> None:
    organization_id = uuid.uuid4()
    await programming_server.grant_programming_time(organization_id)
    credential = await pair_agent(programming_server, organization_id)
    journal = Journal(tmp_path / "journal")
    someone_else = Ed25519PrivateKey.generate().public_key()
    # Fires on the first programming-session request to the DME: it must stay unfired.
    faults = ["nrc,ecu=0x12,service=0x10"]
    async with (
        running_vehicle(tmp_path / "sim", faults=faults) as sim,
        running_agent(credential, sim, journal, tmp_path / "cache", release_key=someone_else),
    ):
        outcome = await _run_session(
            programming_server, organization_id, credential.agent_id, during=None
        )

        assert not sim.faults.faults[0].fired
        assert sim.ecu(DME).persistent.version == "1.0.0"
        assert not sim.ecu(DME).persistent.erased
    assert outcome["session"]["state"] != "COMPLETED"
    [entry] = journal.entries()
    assert entry.result is JobResultState.REFUSED
    assert "signature" in entry.detail
    assert entry.result_synced


async def test_the_trace_summary_reaches_the_report_when_the_service_was_away_at_the_end(
    programming_server: Any, tmp_path: Path, pair_agent: Any, running_agent: Any, relay_factory: Any
) -> None:
    organization_id = uuid.uuid4()
    await programming_server.grant_programming_time(organization_id)
    direct = await pair_agent(programming_server, organization_id)
    relay, relay_port = await relay_factory(int(programming_server.url.rsplit(":", 1)[1]))
    credential = DeviceCredential(
        server=f"http://127.0.0.1:{relay_port}",
        api_prefix="",
        agent_id=direct.agent_id,
        credential=direct.credential,
        release_public_key=direct.release_public_key,
    )
    journal = Journal(tmp_path / "journal")
    # The service is unreachable from block 20 until the journal holds the finished result:
    # the trace of the whole job (sent in one batch at its end) has no link to go over.
    faults = ["delay,ecu=0x12,block=20,seconds=1.0"]
    synced_while_away: list[bool] = []

    async with (
        running_vehicle(tmp_path / "sim", faults=faults, erase_time_s=0.05) as sim,
        running_agent(credential, sim, journal, tmp_path / "cache"),
    ):

        def service_away_until_the_flash_has_finished() -> None:
            entries = journal.entries()
            finished = bool(entries) and entries[0].finished
            if sim.faults.faults[0].fired and not relay.refusing and not finished:
                relay.refuse()
            if relay.refusing and finished:
                synced_while_away.append(entries[0].result_synced)
                relay.restore()

        outcome = await _run_session(
            programming_server,
            organization_id,
            credential.agent_id,
            during=service_away_until_the_flash_has_finished,
        )

    assert synced_while_away == [False]
    assert outcome["session"]["state"] == "COMPLETED", outcome["session"]
    [entry] = journal.entries()
    assert entry.result_synced
    reported = {
        (count["service_id"], count["nrc"]): count["count"]
        for count in outcome["report"]["trace_summary"]
    }
    journaled = {(sid, nrc): count for sid, nrc, count, _ in entry.trace_summary or ()}
    assert reported == journaled
    blocks = [count for (sid, nrc), count in reported.items() if sid == 0x36]
    assert sum(blocks) >= 96  # every TransferData of the 384 KiB image in 4 KiB blocks
    assert reported[(0x11, 0)] == 1  # the ECU reset at the very end


async def test_the_report_gets_the_versions_after_the_flash_when_the_agent_is_back(
    programming_server: Any, tmp_path: Path, pair_agent: Any, running_agent: Any, relay_factory: Any
) -> None:
    organization_id = uuid.uuid4()
    await programming_server.grant_programming_time(organization_id)
    direct = await pair_agent(programming_server, organization_id)
    relay, relay_port = await relay_factory(int(programming_server.url.rsplit(":", 1)[1]))
    credential = DeviceCredential(
        server=f"http://127.0.0.1:{relay_port}",
        api_prefix="",
        agent_id=direct.agent_id,
        credential=direct.credential,
        release_public_key=direct.release_public_key,
    )
    journal = Journal(tmp_path / "journal")
    reads: list[int] = []

    def away_for_the_closing_read(handle: FrameHandler) -> FrameHandler:
        async def handler(frame: agent_pb2.AgentFrame, link: AgentLink) -> None:
            if frame.WhichOneof("body") == "read_vehicle":
                reads.append(frame.seq)
                if len(reads) == 2:  # the read after the flash: the agent's network goes down
                    relay.refuse()
                    return
            await handle(frame, link)

        return handler

    headers = programming_server.auth(organization_id)
    async with (
        running_vehicle(tmp_path / "sim", erase_time_s=0.05) as sim,
        running_agent(credential, sim, journal, tmp_path / "cache", wrap=away_for_the_closing_read),
    ):
        outcome = await _run_session(
            programming_server, organization_id, credential.agent_id, during=None
        )
        session_id = outcome["session"]["id"]
        ended = outcome["report"]
        relay.restore()  # the agent is back
        async with httpx.AsyncClient(base_url=programming_server.url) as http:
            async with asyncio.timeout(30):
                while True:
                    report = (
                        await http.get(f"/sessions/{session_id}/report", headers=headers)
                    ).json()
                    if report["vehicle_after"] is not None:
                        break
                    await asyncio.sleep(0.05)

    assert outcome["session"]["state"] == "COMPLETED", outcome["session"]
    assert "the vehicle could not be read again" in ended["session"]["end_detail"]
    assert ended["vehicle_after"] is None
    assert len(reads) >= 3
    dme = next(v for v in report["versions"] if v["name"] == "DME")
    assert (dme["before"], dme["after"]) == ("1.0.0", "1.1.0")
    assert report["session"]["end_detail"] == (
        "all planned jobs succeeded; the vehicle was read again when the agent was back"
    )


SHORT_POOL = {"database_pool_size": 1, "database_pool_timeout_seconds": 0.3}


async def _flash_through_an_outage(
    server: Any,
    tmp_path: Path,
    pair_agent: Any,
    running_agent: Any,
    *,
    outage_after: Fault,
    asked: Callable[[agent_pb2.AgentFrame], bool],
) -> tuple[str, list[str], Journal]:
    """A flash of the DME during which the service's whole pool is taken for 3 s, from the
    moment ``outage_after`` fires in the simulator. Returns the session's final state, the
    answers to the agent's requests that ``asked`` selects, and the agent's journal."""
    organization_id = uuid.uuid4()
    await server.grant_programming_time(organization_id)
    credential = await pair_agent(server, organization_id)
    journal = Journal(tmp_path / "journal")
    engine = server.app.state.database.engine
    answers: list[str] = []

    async def outage() -> None:
        async with asyncio.timeout(60):
            while not outage_after.fired:
                await asyncio.sleep(0.01)
        taken = [await engine.connect() for _ in range(2)]  # pool_size 1 + overflow 1
        try:
            await asyncio.sleep(3)  # the outage's length; what follows checks the outcome
        finally:
            for connection in taken:
                await connection.close()

    async with (
        running_vehicle(tmp_path / "sim", erase_time_s=0.05, faults=[outage_after]) as sim,
        running_agent(credential, sim, journal, tmp_path / "cache") as link,
    ):
        request = link.request

        async def spied(frame: agent_pb2.AgentFrame, **options: Any) -> agent_pb2.AgentFrame:
            answer = await request(frame, **options)
            if asked(frame):
                body = answer.WhichOneof("body")
                answers.append(answer.error.code if body == "error" else str(body))
            return answer

        link.request = spied
        outage_over = asyncio.create_task(outage())
        headers = server.auth(organization_id)
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            planned = await http.post(
                "/sessions", json={"agent_id": credential.agent_id, "vin": VIN}, headers=headers
            )
            assert planned.status_code == 201, planned.text
            session_id = planned.json()["id"]
            started = await http.post(
                f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers
            )
            assert started.status_code == 202, started.text
            await outage_over
            state = "RUNNING"
            async with asyncio.timeout(60):
                while state in ("PLANNED", "RUNNING"):
                    await asyncio.sleep(0.05)
                    found = await http.get(f"/sessions/{session_id}", headers=headers)
                    state = found.json()["state"] if found.status_code == 200 else state
        assert sim.ecu(DME).persistent.version == "1.1.0"
    return state, answers, journal


@pytest.mark.parametrize("programming_overrides", [SHORT_POOL], indirect=True)
async def test_a_key_request_that_finds_the_service_without_its_database_is_asked_again(
    programming_server: Any, tmp_path: Path, pair_agent: Any, running_agent: Any
) -> None:
    # The ECU takes a second over its seed, and the outage starts then: the key request that
    # follows is answered "service-unavailable". The agent asks again instead of failing.
    state, answers, journal = await _flash_through_an_outage(
        programming_server,
        tmp_path,
        pair_agent,
        running_agent,
        outage_after=Fault(FaultKind.DELAY, ecu=DME, service=0x27, seconds=1.0),
        asked=lambda frame: frame.HasField("security_key_request"),
    )

    assert answers[0] == "service-unavailable", answers
    assert answers[-1] == "security_key_answer", answers
    assert state == "COMPLETED"
    [entry] = journal.entries()
    assert entry.result is JobResultState.SUCCEEDED


@pytest.mark.parametrize("programming_overrides", [SHORT_POOL], indirect=True)
async def test_a_result_that_finds_the_service_without_its_database_is_sent_again(
    programming_server: Any, tmp_path: Path, pair_agent: Any, running_agent: Any
) -> None:
    # The outage starts at the ECU's reset after the flash, so the job's result meets it. An
    # answer "service-unavailable" is no acknowledgement: the result is sent until taken.
    state, answers, journal = await _flash_through_an_outage(
        programming_server,
        tmp_path,
        pair_agent,
        running_agent,
        outage_after=Fault(FaultKind.DELAY, ecu=DME, service=0x11, seconds=0.5),
        asked=lambda frame: frame.HasField("job_result"),
    )

    assert answers[0] == "service-unavailable", answers
    assert answers[-1] == "heartbeat", answers
    assert state == "COMPLETED"
    [entry] = journal.entries()
    assert entry.result is JobResultState.SUCCEEDED
    assert entry.result_synced


async def test_a_low_battery_refuses_the_job_with_the_advice_to_connect_a_charger(
    programming_server: Any, tmp_path: Path, pair_agent: Any, running_agent: Any
) -> None:
    organization_id = uuid.uuid4()
    await programming_server.grant_programming_time(organization_id)
    credential = await pair_agent(programming_server, organization_id)
    journal = Journal(tmp_path / "journal")
    # The battery reads 11.8 V from the first request on (the session's vehicle read).
    async with (
        running_vehicle(tmp_path / "sim", faults=["voltage,volts=11.8"]) as sim,
        running_agent(credential, sim, journal, tmp_path / "cache") as link,
    ):
        # The JobResult frames as they go to the service.
        results: list[agent_pb2.JobResult] = []
        request = link.request

        async def recording(frame: agent_pb2.AgentFrame, **options: Any) -> agent_pb2.AgentFrame:
            if frame.HasField("job_result"):
                results.append(frame.job_result)
            return await request(frame, **options)

        link.request = recording  # type: ignore[method-assign]
        outcome = await _run_session(
            programming_server, organization_id, credential.agent_id, during=None
        )

        ecu = sim.ecu(DME).persistent
        assert (ecu.version, ecu.erased, ecu.in_bootloader) == ("1.0.0", False, False)
    [job] = [j for j in outcome["session"]["jobs"] if j["ecu_logical_address"] == DME]
    assert job["state"] == "REFUSED", job
    assert "connect a charger" in job["detail"]
    assert "11.80 V" in job["detail"]
    assert not job["left_in_bootloader"]
    [entry] = journal.entries()
    assert entry.result is JobResultState.REFUSED
    assert entry.volts_at_start == 11.8
    assert entry.result_synced
    [sent] = results
    assert sent.outcome == agent_pb2.JOB_OUTCOME_REFUSED
    assert sent.has_battery_volts
    assert (sent.battery_volts_at_start, sent.battery_volts_min, sent.battery_volts_max) == (
        pytest.approx(11.8),
        pytest.approx(11.8),
        pytest.approx(11.8),
    )


async def test_a_job_on_a_vehicle_with_the_ignition_off_is_refused_before_any_uds_request(
    programming_server: Any, tmp_path: Path, pair_agent: Any, running_agent: Any
) -> None:
    organization_id = uuid.uuid4()
    await programming_server.grant_programming_time(organization_id)
    credential = await pair_agent(programming_server, organization_id)
    journal = Journal(tmp_path / "journal")
    # The DoIP entity reports power mode "not ready"; the ECUs still answer the vehicle read.
    async with running_vehicle(tmp_path / "sim", discovery=True, faults=["ignition-off"]) as sim:
        assert sim.udp_port is not None
        connector = DoipConnector(sim.host, sim.port, udp_port=sim.udp_port)
        async with running_agent(credential, sim, journal, tmp_path / "cache", connect=connector):
            outcome = await _run_session(
                programming_server, organization_id, credential.agent_id, during=None
            )
        ecu = sim.ecu(DME).persistent
        assert (ecu.version, ecu.erased, ecu.in_bootloader) == ("1.0.0", False, False)
    [job] = [j for j in outcome["session"]["jobs"] if j["ecu_logical_address"] == DME]
    assert job["state"] == "REFUSED", job
    assert IGNITION_OFF in job["detail"]
    assert not job["left_in_bootloader"]
    [entry] = journal.entries()
    assert entry.result is JobResultState.REFUSED
    assert entry.acked_offset == 0


async def test_a_job_while_another_tester_holds_a_connection_is_refused(
    programming_server: Any, tmp_path: Path, pair_agent: Any, running_agent: Any
) -> None:
    organization_id = uuid.uuid4()
    await programming_server.grant_programming_time(organization_id)
    credential = await pair_agent(programming_server, organization_id)
    journal = Journal(tmp_path / "journal")
    async with running_vehicle(tmp_path / "sim", discovery=True) as sim:
        assert sim.udp_port is not None
        connector = DoipConnector(sim.host, sim.port, udp_port=sim.udp_port)
        # Another tester's connection, taken up by the entity (its alive check answered).
        reader, other = await asyncio.open_connection(sim.host, sim.port)
        other.write(b"\x02\xfd\x00\x07\x00\x00\x00\x00")
        await other.drain()
        await asyncio.wait_for(reader.readexactly(10), 5)
        async with running_agent(credential, sim, journal, tmp_path / "cache", connect=connector):
            outcome = await _run_session(
                programming_server, organization_id, credential.agent_id, during=None
            )
        other.close()
        assert sim.ecu(DME).persistent.version == "1.0.0"
    [job] = [j for j in outcome["session"]["jobs"] if j["ecu_logical_address"] == DME]
    assert job["state"] == "REFUSED", job
    assert ANOTHER_TESTER in job["detail"]
    assert IGNITION_OFF not in job["detail"]


async def test_an_ecu_that_refuses_the_tester_for_good_ends_the_job_failed_with_the_reason(
    programming_server: Any, tmp_path: Path, pair_agent: Any, running_agent: Any
) -> None:
    # Once the session is planned (the vehicle was read), the agent asks for a routing
    # activation type the vehicle does not know (0x02: code 0x06). That cannot pass on its own,
    # so the job must end FAILED with the reason, not lose its result.
    organization_id = uuid.uuid4()
    await programming_server.grant_programming_time(organization_id)
    credential = await pair_agent(programming_server, organization_id)
    journal = Journal(tmp_path / "journal")
    activation = {"type": 0x00}
    async with (
        running_vehicle(tmp_path / "sim", erase_time_s=0.05) as sim,
        running_agent(
            credential,
            sim,
            journal,
            tmp_path / "cache",
            activation_type=lambda: activation["type"],
        ),
    ):
        headers = programming_server.auth(organization_id)
        async with httpx.AsyncClient(base_url=programming_server.url, timeout=30) as http:
            planned = await http.post(
                "/sessions", json={"agent_id": credential.agent_id, "vin": VIN}, headers=headers
            )
            assert planned.status_code == 201, planned.text
            activation["type"] = 0x02
            session_id = planned.json()["id"]
            started = await http.post(
                f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers
            )
            assert started.status_code == 202, started.text
            body: dict[str, Any] = {}
            async with asyncio.timeout(60):
                while True:
                    body = (await http.get(f"/sessions/{session_id}", headers=headers)).json()
                    if body["state"] not in ("PLANNED", "RUNNING"):
                        break
                    await asyncio.sleep(0.05)
        assert sim.ecu(DME).persistent.version == "1.0.0"
    assert body["state"] == "FAILED", body
    [entry] = journal.entries()
    assert entry.result is JobResultState.FAILED
    assert "activation" in (entry.detail or "").lower(), entry.detail


async def _set_security_algorithm(server: Any, ecu_type: str, algorithm: str) -> None:
    """The catalog's ECU type names ``algorithm`` for its keys."""
    async with server.app.state.database.transaction() as session:
        await session.execute(
            text("UPDATE ecu_types SET security_algorithm = :algorithm WHERE key = :key"),
            {"algorithm": algorithm, "key": ecu_type},
        )


async def test_an_ecu_type_of_the_second_demo_algorithm_is_unlocked_with_its_keys(
    programming_server: Any, tmp_path: Path, pair_agent: Any, running_agent: Any
) -> None:
    await _set_security_algorithm(programming_server, "DME_B48", "AOS-DEMO-2")
    vehicle = demo_vehicle()
    config = replace(
        vehicle,
        ecus=tuple(
            replace(e, security_algorithm="AOS-DEMO-2") if e.logical_address == DME else e
            for e in vehicle.ecus
        ),
    )
    organization_id = uuid.uuid4()
    await programming_server.grant_programming_time(organization_id)
    credential = await pair_agent(programming_server, organization_id)
    journal = Journal(tmp_path / "journal")
    async with (
        running_vehicle(tmp_path / "sim", config=config, erase_time_s=0.05) as sim,
        running_agent(credential, sim, journal, tmp_path / "cache"),
    ):
        outcome = await _run_session(
            programming_server, organization_id, credential.agent_id, during=None
        )

        assert sim.ecu(DME).persistent.version == "1.1.0"
    assert outcome["session"]["state"] == "COMPLETED", outcome["session"]


async def test_an_ecu_type_whose_algorithm_the_service_does_not_know_fails_with_the_reason(
    programming_server: Any, tmp_path: Path, pair_agent: Any, running_agent: Any
) -> None:
    await _set_security_algorithm(programming_server, "DME_B48", "OEM-X-7")
    organization_id = uuid.uuid4()
    await programming_server.grant_programming_time(organization_id)
    credential = await pair_agent(programming_server, organization_id)
    journal = Journal(tmp_path / "journal")
    async with (
        running_vehicle(tmp_path / "sim", erase_time_s=0.05) as sim,
        running_agent(credential, sim, journal, tmp_path / "cache"),
    ):
        outcome = await _run_session(
            programming_server, organization_id, credential.agent_id, during=None
        )

        ecu = sim.ecu(DME).persistent
        assert (ecu.version, ecu.erased) == ("1.0.0", False)
    assert outcome["session"]["state"] == "FAILED", outcome["session"]
    [job] = [j for j in outcome["session"]["jobs"] if j["ecu_logical_address"] == DME]
    assert job["state"] == "FAILED", job
    assert "names the security key algorithm 'OEM-X-7'" in job["detail"], job
    assert "known: AOS-DEMO-1, AOS-DEMO-2" in job["detail"], job
    [entry] = journal.entries()
    assert entry.result is JobResultState.FAILED
