"""The ECU's S3 timer against a slow security key: without TesterPresent the programming
session lapses while the agent waits for the key; with it the flash completes. TesterPresent
goes functionally addressed (DoIP 0xE400, CAN 0x7DF): every ECU of the vehicle receives it;
to an entity without a functional address it goes physically.

Real simulator over DoIP on loopback and over ISO-TP on python-can's virtual bus. Its ECUs run
on a clock the test moves: the key provider lets six seconds pass on it while the flasher
waits, so no test waits six real seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import can
import pytest
from flashing import DME, DME_SECRET, ManualClock, dme_flasher, new_entry, verified

from vci_agent.flash import Flasher, FlashFailedError, FlashOptions
from vci_agent.journal import JobResultState, Journal
from vci_agent.keys import KeyProvider, aos_demo_1_key
from vci_agent.transport.isotp import IsoTpEndpoint, isotp_connection
from vci_agent.transport.tracing import TraceRecord
from vci_agent.uds import UdsTiming
from vehicle_sim.security import DEV_SECRETS
from vehicle_sim.testing import RunningVehicle, running_isotp_vehicle, running_vehicle
from vehicle_sim.uds import EcuServer, Session

OTHER_ECUS = (0x0040, 0x0063)
FAST = UdsTiming(p2=0.5, p2_star=3.0, request=20.0)
KEY_AFTER_S = 6.0


async def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


def _flasher(
    sim: RunningVehicle,
    journal: Journal,
    trace: list[TraceRecord],
    *,
    key_for: KeyProvider,
    tester_present_interval: float | None,
) -> Flasher:
    return dme_flasher(
        sim,
        journal,
        key_for=key_for,
        options=FlashOptions(
            timing=FAST, reset_wait=0.05, tester_present_interval=tester_present_interval
        ),
        on_trace=trace.append,
        loop=asyncio.get_running_loop(),
    )


async def test_without_tester_present_a_key_after_6_s_finds_the_ecu_in_the_default_session(
    tmp_path: Path, signed_image: Any
) -> None:
    image = verified(signed_image)
    journal = Journal(tmp_path / "journal")
    trace: list[TraceRecord] = []
    clock = ManualClock()
    async with running_vehicle(tmp_path / "sim", clock=clock, erase_time_s=0.05) as sim:
        ecu = sim.ecu(DME)
        version_before = ecu.persistent.version

        async def slow_key(level: int, seed: bytes) -> bytes:
            clock.now += KEY_AFTER_S  # the service takes six seconds over the key
            return aos_demo_1_key(DME_SECRET, level, seed)

        flasher = _flasher(
            sim,
            journal,
            trace,
            key_for=slow_key,
            tester_present_interval=None,
        )
        entry = new_entry(journal, image)
        with pytest.raises(FlashFailedError, match="left the programming session") as failed:
            await asyncio.wait_for(asyncio.to_thread(flasher.run, image, entry), 30)

        assert ecu.s3_fallbacks == 1
        assert ecu.session is Session.DEFAULT
        assert not ecu.unlocked
        # Untouched: nothing erased, the old software still runs.
        assert not ecu.persistent.erased
        assert not ecu.persistent.in_bootloader
        assert ecu.persistent.version == version_before
    saved = journal.load(entry.job_id)
    assert saved == failed.value.entry
    assert saved.result is JobResultState.FAILED
    assert not saved.erased
    assert "NRC 0x7F" in saved.detail
    assert not [r for r in trace if r.service_id == 0x3E]


def _slow_key(
    clock: ManualClock, ecus: list[EcuServer], *, secret: bytes = DME_SECRET
) -> KeyProvider:
    """A key after six seconds on ``clock``, passing one at a time; each second ends only
    once a request (the agent's TesterPresent) has reached every ECU of ``ecus`` within it."""

    async def slow_key(level: int, seed: bytes) -> bytes:
        for _ in range(int(KEY_AFTER_S)):
            clock.now += 1.0
            second = clock.now
            await _until(
                lambda second=second: all(ecu.last_request_done_at >= second for ecu in ecus)
            )
        return aos_demo_1_key(secret, level, seed)

    return slow_key


async def test_with_tester_present_a_key_after_6_s_keeps_the_session_and_the_flash_completes(
    tmp_path: Path, signed_image: Any
) -> None:
    image = verified(signed_image)
    journal = Journal(tmp_path / "journal")
    trace: list[TraceRecord] = []
    clock = ManualClock()
    async with running_vehicle(tmp_path / "sim", clock=clock, erase_time_s=0.05) as sim:
        ecu = sim.ecu(DME)
        # Sent to the functional address, TesterPresent reaches the other ECUs too.
        everyone = [ecu, *(sim.ecu(address) for address in OTHER_ECUS)]

        # The interval is short so that the test's six seconds pass quickly in real time.
        flasher = _flasher(
            sim,
            journal,
            trace,
            key_for=_slow_key(clock, everyone),
            tester_present_interval=0.02,
        )
        final = await asyncio.wait_for(
            asyncio.to_thread(flasher.run, image, new_entry(journal, image)), 60
        )

        assert ecu.s3_fallbacks == 0
        assert (ecu.persistent.version, ecu.persistent.in_bootloader) == ("1.1.0", False)
    assert final.result is JobResultState.SUCCEEDED
    assert final.version_after == "1.1.0"
    present = [r for r in trace if r.service_id == 0x3E]
    assert len(present) >= KEY_AFTER_S
    assert {(r.subfunction_or_id, r.positive, r.timed_out) for r in present} == {(0, True, False)}
    counted = {(sid, nrc): count for sid, nrc, count, _ in final.trace_summary or ()}
    assert counted[(0x3E, 0)] == len(present)


async def test_to_an_entity_without_functional_address_tester_present_goes_to_the_ecu(
    tmp_path: Path, signed_image: Any
) -> None:
    image = verified(signed_image)
    journal = Journal(tmp_path / "journal")
    trace: list[TraceRecord] = []
    clock = ManualClock()
    async with running_vehicle(
        tmp_path / "sim", clock=clock, erase_time_s=0.05, functional_address=None
    ) as sim:
        ecu = sim.ecu(DME)
        others_before = [sim.ecu(address).last_request_done_at for address in OTHER_ECUS]
        flasher = _flasher(
            sim,
            journal,
            trace,
            key_for=_slow_key(clock, [ecu]),
            tester_present_interval=0.02,
        )
        final = await asyncio.wait_for(
            asyncio.to_thread(flasher.run, image, new_entry(journal, image)), 60
        )
        others_after = [sim.ecu(address).last_request_done_at for address in OTHER_ECUS]

        assert ecu.s3_fallbacks == 0
    assert final.result is JobResultState.SUCCEEDED
    assert others_after == others_before
    assert len([r for r in trace if r.service_id == 0x3E]) >= KEY_AFTER_S


async def test_over_can_functional_tester_present_on_0x7df_keeps_the_session(
    tmp_path: Path, signed_image_factory: Any, release_key: Any
) -> None:
    signed = signed_image_factory(
        release_key, ecu_type="BDC_G20", version="2.4.0", payload_size=8_000
    )
    image = verified(signed)
    journal = Journal(tmp_path / "journal")
    trace: list[TraceRecord] = []
    clock = ManualClock()
    with running_isotp_vehicle(tmp_path / "sim", clock=clock, erase_time_s=0.01) as sim:
        ecus = {ecu.address: ecu for ecu in sim.vehicle}
        bdc = ecus[0x0040]
        request_id, response_id = bdc.config.can_ids

        bus = can.Bus(interface="virtual", channel=sim.channel, receive_own_messages=False)
        notifier = can.Notifier(bus, [], timeout=0.05)
        try:
            flasher = dme_flasher(
                None,
                journal,
                connect=lambda: isotp_connection(
                    bus, IsoTpEndpoint(txid=request_id, rxid=response_id), notifier=notifier
                ),
                key_for=_slow_key(clock, list(ecus.values()), secret=DEV_SECRETS["BDC_G20"]),
                options=FlashOptions(
                    # The virtual bus' threads add latency a real CAN ECU would not have.
                    timing=UdsTiming(p2=2.0, p2_star=5.0, request=20.0),
                    reset_wait=0.05,
                    tester_present_interval=0.02,
                ),
                on_trace=trace.append,
                loop=asyncio.get_running_loop(),
            )
            entry = new_entry(
                journal,
                image,
                ecu=0x0040,
                memory_address=bdc.config.region_address,
                image_path="bdc.img",
            )
            final = await asyncio.wait_for(asyncio.to_thread(flasher.run, image, entry), 60)
        finally:
            notifier.stop()
            bus.shutdown()
        assert bdc.s3_fallbacks == 0
        assert (bdc.persistent.version, bdc.persistent.in_bootloader) == ("2.4.0", False)
    assert final.result is JobResultState.SUCCEEDED
    assert len([r for r in trace if r.service_id == 0x3E]) >= KEY_AFTER_S
