"""A vehicle read and a service job on a CAN link reach the ECU by the CAN ids the service
sends from the programming catalog: here a vehicle whose DME answers on ids the agent does not know
(not the demo vehicle's), over python-can's ``virtual`` bus."""

from __future__ import annotations

import argparse
import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import can
import httpx

from aos.agent.v1 import agent_pb2
from programming.services.catalog import set_can_ids
from programming.testing import PREFLIGHT
from vci_agent.flash import FlashOptions
from vci_agent.jobs import JobRunner
from vci_agent.journal import JobResultState, Journal
from vci_agent.link import AgentLink, Backoff
from vci_agent.pairing import DeviceCredential
from vci_agent.transport.options import (
    DEMO_CAN_IDS,
    IsoTpConnector,
    add_interface_options,
    connector_from_args,
)
from vci_agent.uds import UdsTiming
from vci_agent.vehicle import EcuInfo
from vehicle_sim.config import demo_vehicle
from vehicle_sim.isotp_bus import IsoTpVehicle
from vehicle_sim.testing import running_isotp_vehicle

# The start body: the pre-flight checklist confirmed at the vehicle.
VIN = "WBA5F3103MFX12345"
DME = 0x0012
# The DME of this vehicle answers on the OBD-style ids, not the demo's 0x712/0x71A.
DME_IDS = (0x7E0, 0x7E8)
ECUS = (EcuInfo(DME, "DME", "DME_B48"),)


def _vehicle_with_the_dme_on(ids: tuple[int, int]) -> Any:
    config = demo_vehicle()
    ecus = tuple(
        replace(ecu, can_request_id=ids[0], can_response_id=ids[1])
        if ecu.logical_address == DME
        else ecu
        for ecu in config.ecus
    )
    return replace(config, ecus=ecus)


@asynccontextmanager
async def _can_agent(
    credential: DeviceCredential,
    sim: IsoTpVehicle,
    journal: Journal,
    cache: Path,
    *,
    known: Mapping[int, tuple[int, int]] = DEMO_CAN_IDS,
) -> AsyncIterator[IsoTpConnector]:
    """An agent on the vehicle's CAN bus that knows the CAN ids ``known`` to begin with."""
    bus = can.Bus(interface="virtual", channel=sim.channel, receive_own_messages=False)
    notifier = can.Notifier(bus, [], timeout=0.1)
    connector = IsoTpConnector(bus, known, notifier=notifier)

    # The link first (its handlers reach the runner made next), then the runner on the link.
    def dispatch(frame: agent_pb2.AgentFrame, link: AgentLink) -> Awaitable[None]:
        return runner.handle(frame, link)

    link = AgentLink(
        credential,
        handler=dispatch,
        on_welcome=lambda welcome: runner.on_welcome(welcome),
        backoff=Backoff(base=0.05, cap=0.2),
        pending_results=lambda: len(journal.unsynced_results()),
    )
    runner = JobRunner(
        link,
        journal=journal,
        cache_dir=cache,
        release_key=JobRunner.release_key_from_base64(credential.release_public_key),
        connect=connector,
        ecus=ECUS,
        # The virtual bus' threads add latency a real CAN ECU would not have.
        flash_options=FlashOptions(timing=UdsTiming(p2=3.0), reset_wait=0.05),
    )
    stop = asyncio.Event()
    running = asyncio.create_task(link.run(stop))
    try:
        async with asyncio.timeout(10):
            while not link.connected:
                await asyncio.sleep(0.02)
        yield connector
    finally:
        await runner.wait_idle()
        stop.set()
        await asyncio.wait_for(running, 5)
        notifier.stop()
        bus.shutdown()


async def _flash_session(
    server: Any,
    organization_id: uuid.UUID,
    agent_id: str,
    connector: IsoTpConnector,
    *,
    forget_dme_after_read: bool = False,
) -> dict[str, Any]:
    headers = server.auth(organization_id)
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        planned = await http.post(
            "/sessions", json={"agent_id": agent_id, "vin": VIN}, headers=headers
        )
        assert planned.status_code == 201, planned.text
        assert [job["ecu_name"] for job in planned.json()["jobs"]] == ["DME"]
        if forget_dme_after_read:
            # From here the agent knows the DME's ids only if the job brings them.
            del connector.can_ids[DME]
        session_id = planned.json()["id"]
        started = await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
        assert started.status_code == 202, started.text
        async with asyncio.timeout(120):
            while True:
                body: dict[str, Any] = (
                    await http.get(f"/sessions/{session_id}", headers=headers)
                ).json()
                if body["state"] not in ("PLANNED", "RUNNING"):
                    return body
                await asyncio.sleep(0.1)


async def _catalog_can_ids(server: Any, ids: tuple[int, int] | None) -> None:
    async with server.app.state.database.transaction() as session:
        await set_can_ids(
            session,
            "DME_B48",
            request=None if ids is None else ids[0],
            response=None if ids is None else ids[1],
        )


async def test_a_job_reaches_the_ecu_by_the_can_ids_of_the_catalog(
    programming_server: Any, tmp_path: Path, pair_agent: Any
) -> None:
    assert DME_IDS not in DEMO_CAN_IDS.values()
    await _catalog_can_ids(programming_server, DME_IDS)
    organization_id = uuid.uuid4()
    await programming_server.grant_programming_time(organization_id)
    credential = await pair_agent(programming_server, organization_id)
    journal = Journal(tmp_path / "journal")
    with running_isotp_vehicle(
        tmp_path / "sim", config=_vehicle_with_the_dme_on(DME_IDS), erase_time_s=0.05
    ) as sim:
        async with _can_agent(credential, sim, journal, tmp_path / "cache") as connector:
            assert connector.can_ids[DME] != DME_IDS  # the demo DME's ids, not this one's
            session = await _flash_session(
                programming_server, organization_id, credential.agent_id, connector
            )

            assert connector.can_ids[DME] == DME_IDS  # learnt from the read and the job
        ecu = sim.vehicle.ecu(DME)
        assert ecu is not None and ecu.persistent.version == "1.1.0"
    assert session["state"] == "COMPLETED", session
    [entry] = journal.entries()
    assert entry.result is JobResultState.SUCCEEDED
    assert entry.can_ids == DME_IDS  # journaled, for a resume after a restart


async def test_without_ids_in_the_catalog_the_job_fails_saying_which_ids_are_missing(
    programming_server: Any, tmp_path: Path, pair_agent: Any
) -> None:
    await _catalog_can_ids(programming_server, None)
    organization_id = uuid.uuid4()
    await programming_server.grant_programming_time(organization_id)
    credential = await pair_agent(programming_server, organization_id)
    journal = Journal(tmp_path / "journal")
    with running_isotp_vehicle(
        tmp_path / "sim", config=_vehicle_with_the_dme_on(DME_IDS), erase_time_s=0.05
    ) as sim:
        # The vehicle read needs the DME's ids (the user named them with --can-id, say); the
        # test takes them away again before the job starts.
        known = {**DEMO_CAN_IDS, DME: DME_IDS}
        async with _can_agent(
            credential, sim, journal, tmp_path / "cache", known=known
        ) as connector:
            session = await _flash_session(
                programming_server,
                organization_id,
                credential.agent_id,
                connector,
                forget_dme_after_read=True,
            )

        ecu = sim.vehicle.ecu(DME)
        assert ecu is not None and ecu.persistent.version == "1.0.0"
    assert session["state"] == "FAILED", session
    [job] = session["jobs"]
    assert "no CAN ids known for ECU 0x0012" in job["detail"]


def test_ids_the_user_gave_win_over_the_ids_a_job_carries() -> None:
    parser = argparse.ArgumentParser()
    add_interface_options(parser)
    channel = f"aos-test-{uuid.uuid4().hex}"
    args = parser.parse_args(
        ["--interface", "virtual", "--channel", channel, "--can-id", "0x12=0x7E0:0x7E8"]
    )
    with connector_from_args(args) as connector:
        assert isinstance(connector, IsoTpConnector)
        connector.learn(DME, (0x6F0, 0x6F8))  # the catalog's ids for the DME
        connector.learn(0x40, (0x6F1, 0x6F9))  # and for the BDC, which the user did not name

        assert connector.can_ids[DME] == (0x7E0, 0x7E8)
        assert connector.can_ids[0x40] == (0x6F1, 0x6F9)
        assert connector.can_ids[0x63] == DEMO_CAN_IDS[0x63]
