"""The ECU's S3 timer against a slow security key: without TesterPresent the programming
session lapses while the agent waits for the key; with it the flash completes.

Real simulator over DoIP on loopback. Its ECUs run on a clock the test moves: the key provider
lets six seconds pass on it while the flasher waits, so no test waits six real seconds.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vci_agent.flash import Flasher, FlashFailedError, FlashOptions
from vci_agent.image import VerifiedImage, verify_image
from vci_agent.journal import JobResultState, Journal, JournalEntry
from vci_agent.keys import KeyProvider, aos_demo_1_key
from vci_agent.transport.doip import doip_connection
from vci_agent.transport.tracing import TraceRecord
from vci_agent.uds import UdsTiming
from vehicle_sim.security import DEV_SECRETS
from vehicle_sim.testing import RunningVehicle, running_vehicle
from vehicle_sim.uds import Session

DME = 0x0012
DME_REGION = 0x00080000
DME_SECRET = DEV_SECRETS["DME_B48"]
FAST = UdsTiming(p2=0.5, p2_star=3.0, request=20.0)
KEY_AFTER_S = 6.0


class ManualClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def _verified(signed_image: Any) -> VerifiedImage:
    return verify_image(
        signed_image.data, signature=signed_image.signature, public_key=signed_image.public_key
    )


def _new_entry(journal: Journal, image: VerifiedImage) -> JournalEntry:
    return journal.save(
        JournalEntry(
            job_id=str(uuid.uuid4()),
            ecu_logical_address=DME,
            image_path="dme.img",
            image_sha256=image.sha256.hex(),
            image_size=image.size,
            memory_address=DME_REGION,
        )
    )


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
    return Flasher(
        lambda: doip_connection(sim.host, sim.port, DME),
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
    image = _verified(signed_image)
    journal = Journal(tmp_path / "journal")
    trace: list[TraceRecord] = []
    clock = ManualClock()
    async with running_vehicle(tmp_path / "sim", clock=clock, erase_time_s=0.05) as sim:
        ecu = sim.ecu(DME)
        version_before = ecu.persistent.version

        async def slow_key(level: int, seed: bytes) -> bytes:
            clock.now += KEY_AFTER_S  # the service takes six seconds over the key
            return aos_demo_1_key(DME_SECRET, level, seed)

        flasher = _flasher(sim, journal, trace, key_for=slow_key, tester_present_interval=None)
        entry = _new_entry(journal, image)
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


async def test_with_tester_present_a_key_after_6_s_keeps_the_session_and_the_flash_completes(
    tmp_path: Path, signed_image: Any
) -> None:
    image = _verified(signed_image)
    journal = Journal(tmp_path / "journal")
    trace: list[TraceRecord] = []
    clock = ManualClock()
    async with running_vehicle(tmp_path / "sim", clock=clock, erase_time_s=0.05) as sim:
        ecu = sim.ecu(DME)

        async def slow_key(level: int, seed: bytes) -> bytes:
            # Six seconds pass, one at a time; each second ends only once a request (the
            # agent's TesterPresent) has reached the ECU within it.
            for _ in range(int(KEY_AFTER_S)):
                clock.now += 1.0
                second = clock.now
                await _until(lambda second=second: ecu.last_request_done_at >= second)
            return aos_demo_1_key(DME_SECRET, level, seed)

        # The interval is short so that the test's six seconds pass quickly in real time.
        flasher = _flasher(sim, journal, trace, key_for=slow_key, tester_present_interval=0.02)
        final = await asyncio.wait_for(
            asyncio.to_thread(flasher.run, image, _new_entry(journal, image)), 60
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
