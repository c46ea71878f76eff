"""The flash sequence against the real simulator over DoIP on loopback."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from flashing import DME, DME_SECRET, dme_flasher, new_entry, verified

from vci_agent.flash import (
    Flasher,
    FlashError,
    FlashFailedError,
    FlashInterruptedError,
    FlashOptions,
)
from vci_agent.journal import JobResultState, Journal
from vci_agent.keys import aos_demo_1_key, local_key_provider
from vci_agent.transport.tracing import TraceRecord
from vci_agent.uds import DID_BATTERY_VOLTAGE, UdsTiming
from vehicle_sim.testing import RunningVehicle, running_vehicle

# 1 KiB blocks: the ~384 KiB image takes 385 blocks, so the counter wraps 0xFF -> 0x00.
SMALL_BLOCKS = 1024
FAST = UdsTiming(p2=0.3, p2_star=3.0, request=10.0)


def _flasher(
    sim: RunningVehicle,
    journal: Journal,
    trace: list[TraceRecord],
    *,
    key_for: Any = None,
    **options: Any,
) -> Flasher:
    defaults: dict[str, Any] = {
        "block_size": SMALL_BLOCKS,
        "timing": FAST,
        "reconnect_delay": 0.05,
        "reset_wait": 0.05,
    }
    defaults.update(options)
    return dme_flasher(
        sim, journal, key_for=key_for, options=FlashOptions(**defaults), on_trace=trace.append
    )


async def test_full_flash_installs_the_image_and_wraps_the_block_counter(
    tmp_path: Path, signed_image: Any
) -> None:
    image = verified(signed_image)
    journal = Journal(tmp_path / "journal")
    trace: list[TraceRecord] = []
    async with running_vehicle(tmp_path / "sim", erase_time_s=0.05) as sim:
        flasher = _flasher(sim, journal, trace)
        final = await asyncio.to_thread(flasher.run, image, new_entry(journal, image))

        assert final.result is JobResultState.SUCCEEDED
        assert final.version_after == "1.1.0"
        assert sim.ecu(DME).persistent.version == "1.1.0"
        assert not sim.ecu(DME).persistent.in_bootloader
    counters = [r.block_counter for r in trace if r.service_id == 0x36]
    assert len(counters) == -(-image.size // SMALL_BLOCKS)
    assert counters[:2] == [0x01, 0x02]
    assert counters[255:257] == [0x00, 0x01]
    assert journal.load(final.job_id).result is JobResultState.SUCCEEDED


async def test_flash_sends_the_sequence_in_iso_14229_order(
    tmp_path: Path, signed_image: Any
) -> None:
    image = verified(signed_image)
    journal = Journal(tmp_path / "journal")
    trace: list[TraceRecord] = []
    async with running_vehicle(tmp_path / "sim", erase_time_s=0.05) as sim:
        flasher = _flasher(sim, journal, trace, block_size=None)
        await asyncio.to_thread(flasher.run, image, new_entry(journal, image))

    steps = [(r.service_id, r.subfunction_or_id) for r in trace if r.service_id != 0x36]
    # The battery voltage before anything else, then again every so many blocks.
    blocks = sum(1 for r in trace if r.service_id == 0x36)
    every = FlashOptions().voltage_every_blocks
    voltage_reads = [(0x22, DID_BATTERY_VOLTAGE)] * len(range(0, blocks, every))
    assert voltage_reads
    assert steps == [
        (0x22, DID_BATTERY_VOLTAGE),
        (0x10, 0x03),
        (0x85, 0x02),
        (0x28, 0x03),
        (0x10, 0x02),
        (0x27, 0x11),
        (0x27, 0x12),
        (0x2E, 0xF198),
        (0x2E, 0xF199),
        (0x31, 0xFF00),
        (0x34, 0),
        *voltage_reads,
        (0x37, 0),
        (0x31, 0x0202),
        (0x31, 0xFF01),
        (0x11, 0x01),
        (0x22, 0xF189),
    ]
    assert all(r.positive for r in trace)


async def test_a_dropped_transfer_response_is_retried_with_the_same_block_counter(
    tmp_path: Path, signed_image: Any
) -> None:
    image = verified(signed_image)
    journal = Journal(tmp_path / "journal")
    trace: list[TraceRecord] = []
    faults = ["drop,ecu=0x12,block=5"]
    async with running_vehicle(tmp_path / "sim", faults=faults, erase_time_s=0.05) as sim:
        flasher = _flasher(sim, journal, trace)
        final = await asyncio.to_thread(flasher.run, image, new_entry(journal, image))

        assert sim.ecu(DME).persistent.version == "1.1.0"
    transfers = [r for r in trace if r.service_id == 0x36]
    assert [(r.block_counter, r.timed_out, r.retried) for r in transfers[3:7]] == [
        (4, False, False),
        (5, True, False),
        (5, False, True),
        (6, False, False),
    ]
    assert final.retried_blocks == 1
    assert final.resumed_times == 0


async def test_a_late_answer_to_a_retried_block_does_not_break_the_flash(
    tmp_path: Path, signed_image: Any
) -> None:
    image = verified(signed_image)
    journal = Journal(tmp_path / "journal")
    trace: list[TraceRecord] = []
    # The answer to block 5 comes after our 0.3 s P2, so block 5 is sent again and the ECU
    # acknowledges the repeat; the late first answer must not be taken for a later block's.
    faults = ["delay,ecu=0x12,block=5,seconds=0.5"]
    async with running_vehicle(tmp_path / "sim", faults=faults, erase_time_s=0.05) as sim:
        flasher = _flasher(sim, journal, trace)
        final = await asyncio.to_thread(flasher.run, image, new_entry(journal, image))

        assert sim.ecu(DME).persistent.version == "1.1.0"
    assert final.result is JobResultState.SUCCEEDED
    assert final.retried_blocks == 1
    assert [r.block_counter for r in trace if r.service_id == 0x36][3:7] == [4, 5, 5, 6]


async def test_a_finished_job_is_not_flashed_again(tmp_path: Path, signed_image: Any) -> None:
    image = verified(signed_image)
    journal = Journal(tmp_path / "journal")
    done = journal.update(new_entry(journal, image), result=JobResultState.SUCCEEDED)
    flasher = Flasher(
        lambda: pytest.fail("no connection may be opened"),
        journal,
        key_for=local_key_provider("aos-demo-1", DME_SECRET),
    )

    with pytest.raises(FlashError, match="already finished"):
        flasher.run(image, done)


async def test_a_link_loss_mid_transfer_is_resumed_within_the_same_run(
    tmp_path: Path, signed_image: Any
) -> None:
    image = verified(signed_image)
    journal = Journal(tmp_path / "journal")
    trace: list[TraceRecord] = []
    faults = ["link-loss,ecu=0x12,block=20"]
    async with running_vehicle(tmp_path / "sim", faults=faults, erase_time_s=0.05) as sim:
        flasher = _flasher(sim, journal, trace)
        final = await asyncio.to_thread(flasher.run, image, new_entry(journal, image))

        assert sim.ecu(DME).persistent.version == "1.1.0"
    assert final.resumed_times == 1
    assert [r.subfunction_or_id for r in trace if r.service_id == 0x31].count(0xFF00) == 1


async def test_power_loss_at_a_block_then_resume_from_the_journal_completes_the_flash(
    tmp_path: Path, signed_image: Any
) -> None:
    image = verified(signed_image)
    journal = Journal(tmp_path / "journal")
    first_trace: list[TraceRecord] = []
    faults = ["power-loss,ecu=0x12,block=40"]
    async with running_vehicle(tmp_path / "sim", faults=faults, erase_time_s=0.05) as sim:
        entry = new_entry(journal, image)
        interrupted = _flasher(sim, journal, first_trace, resume_attempts=0)
        with pytest.raises(FlashInterruptedError):
            await asyncio.to_thread(interrupted.run, image, entry)

        saved = journal.load(entry.job_id)
        assert saved.result is None
        assert saved.acked_offset == 39 * SMALL_BLOCKS
        assert sim.ecu(DME).persistent.in_bootloader

        resumed_trace: list[TraceRecord] = []
        resumer = _flasher(sim, journal, resumed_trace)
        final = await asyncio.to_thread(resumer.run, image, saved)

        assert final.result is JobResultState.SUCCEEDED
        assert sim.ecu(DME).persistent.version == "1.1.0"
        assert not sim.ecu(DME).persistent.in_bootloader
    resumed_routines = [r.subfunction_or_id for r in resumed_trace if r.service_id == 0x31]
    assert 0xFF00 not in resumed_routines
    resumed_blocks = [r for r in resumed_trace if r.service_id == 0x36]
    assert resumed_blocks[0].block_counter == 0x01
    assert len(resumed_blocks) == -(-(image.size - 39 * SMALL_BLOCKS) // SMALL_BLOCKS)
    assert final.resumed_times == 1


async def test_a_wrong_security_key_fails_the_job_with_the_nrc(
    tmp_path: Path, signed_image: Any
) -> None:
    image = verified(signed_image)
    journal = Journal(tmp_path / "journal")
    trace: list[TraceRecord] = []
    async with running_vehicle(tmp_path / "sim") as sim:
        flasher = _flasher(sim, journal, trace, key_for=lambda level, seed: b"\x00\x00\x00\x00")
        entry = new_entry(journal, image)
        with pytest.raises(FlashFailedError, match="NRC 0x35"):
            await asyncio.to_thread(flasher.run, image, entry)

        assert sim.ecu(DME).persistent.version == "1.0.0"
    assert journal.load(entry.job_id).result is JobResultState.FAILED
    send_key = trace[-1]
    assert (send_key.service_id, send_key.subfunction_or_id) == (0x27, 0x12)
    assert (send_key.positive, send_key.nrc) == (False, 0x35)


async def test_an_async_key_provider_is_awaited_on_the_callers_loop(
    tmp_path: Path, signed_image: Any
) -> None:
    image = verified(signed_image)
    journal = Journal(tmp_path / "journal")
    asked: list[tuple[int, bytes]] = []

    async def key_from_service(level: int, seed: bytes) -> bytes:
        asked.append((level, seed))
        await asyncio.sleep(0)
        return aos_demo_1_key(DME_SECRET, level, seed)

    async with running_vehicle(tmp_path / "sim", erase_time_s=0.05) as sim:
        flasher = dme_flasher(
            sim,
            journal,
            key_for=key_from_service,
            options=FlashOptions(timing=FAST, reset_wait=0.05),
            loop=asyncio.get_running_loop(),
        )
        final = await asyncio.to_thread(flasher.run, image, new_entry(journal, image))

    assert final.version_after == "1.1.0"
    assert [level for level, _ in asked] == [0x11]
