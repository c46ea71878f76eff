"""A vehicle that loses power mid-flash for seconds to minutes: the flasher waits for the ECU
(with backoff, reporting WAITING_FOR_ECU) and resumes from its journal, within its resume
window; past the window it gives up and the journal still holds the job.

Real simulator over DoIP on loopback; its fault ``power-loss,...,seconds=S`` keeps the whole
vehicle without power for S seconds. The 60 s outage runs on a clock the test advances: the
flasher's sleeps move it, and the simulator's power comes back on the same clock.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from flashing import DME, SteppedClock, dme_flasher, new_entry, verified

from vci_agent.flash import Flasher, FlashInterruptedError, FlashOptions, FlashProgress
from vci_agent.journal import JobPhase, JobResultState, Journal
from vci_agent.transport.tracing import TraceRecord
from vci_agent.uds import UdsTiming
from vehicle_sim.testing import RunningVehicle, running_vehicle

BLOCK = 4096
POWER_LOST_AT_BLOCK = 40
FAST = UdsTiming(p2=0.5, p2_star=3.0, request=10.0)
RESET_WAIT = 0.05


def _flasher(
    sim: RunningVehicle,
    journal: Journal,
    progress: list[FlashProgress],
    trace: list[TraceRecord] | None = None,
    **extra: Any,
) -> Flasher:
    options = extra.pop("options", {})
    return dme_flasher(
        sim,
        journal,
        options=FlashOptions(block_size=BLOCK, timing=FAST, reset_wait=RESET_WAIT, **options),
        on_progress=progress.append,
        on_trace=(trace if trace is not None else []).append,
        **extra,
    )


def _power_loss(seconds: float) -> list[str]:
    return [f"power-loss,ecu=0x12,block={POWER_LOST_AT_BLOCK},seconds={seconds}"]


async def test_a_3_s_power_loss_mid_flash_is_waited_out_and_the_flash_completes(
    tmp_path: Path, signed_image: Any
) -> None:
    image = verified(signed_image)
    journal = Journal(tmp_path / "journal")
    progress: list[FlashProgress] = []
    async with running_vehicle(tmp_path / "sim", faults=_power_loss(3), erase_time_s=0.05) as sim:
        # The agent's defaults: resume window and backoff as shipped.
        flasher = _flasher(sim, journal, progress)
        final = await asyncio.wait_for(
            asyncio.to_thread(flasher.run, image, new_entry(journal, image)), 60
        )

        assert sim.faults.faults[0].fired
        ecu = sim.ecu(DME).persistent
        assert (ecu.version, ecu.in_bootloader) == ("1.1.0", False)
    assert final.result is JobResultState.SUCCEEDED
    assert final.version_after == "1.1.0"
    assert final.resumed_times >= 1
    waiting = [p for p in progress if p.phase is JobPhase.WAITING_FOR_ECU]
    assert waiting
    assert {p.bytes_done for p in waiting} == {(POWER_LOST_AT_BLOCK - 1) * BLOCK}


async def test_a_60_s_power_loss_mid_flash_is_waited_out_and_the_flash_completes(
    tmp_path: Path, signed_image: Any
) -> None:
    image = verified(signed_image)
    journal = Journal(tmp_path / "journal")
    progress: list[FlashProgress] = []
    clock = SteppedClock()
    async with running_vehicle(
        tmp_path / "sim", faults=_power_loss(60), erase_time_s=0.05, clock=clock
    ) as sim:
        flasher = _flasher(sim, journal, progress, clock=clock, sleep=clock.sleep)
        final = await asyncio.wait_for(
            asyncio.to_thread(flasher.run, image, new_entry(journal, image)), 60
        )

        ecu = sim.ecu(DME).persistent
        assert (ecu.version, ecu.in_bootloader) == ("1.1.0", False)
    assert final.result is JobResultState.SUCCEEDED
    assert final.version_after == "1.1.0"
    waits = [seconds for seconds in clock.slept if seconds != RESET_WAIT]
    assert sum(clock.slept) >= 60
    # Capped exponential backoff: 0.5, 1, 2, 4, then 5 s at most.
    assert waits[:4] == [0.5, 1.0, 2.0, 4.0]
    assert max(waits) == FlashOptions().reconnect_delay_cap
    assert [p.phase for p in progress].count(JobPhase.WAITING_FOR_ECU) >= len(waits)


async def test_past_the_resume_window_the_flash_gives_up_and_the_journal_keeps_the_job(
    tmp_path: Path, signed_image: Any
) -> None:
    image = verified(signed_image)
    journal = Journal(tmp_path / "journal")
    progress: list[FlashProgress] = []
    trace: list[TraceRecord] = []
    clock = SteppedClock()
    async with running_vehicle(
        tmp_path / "sim", faults=_power_loss(600), erase_time_s=0.05, clock=clock
    ) as sim:
        flasher = _flasher(
            sim,
            journal,
            progress,
            trace,
            clock=clock,
            sleep=clock.sleep,
            options={"resume_window": 120.0},
        )
        entry = new_entry(journal, image)
        with pytest.raises(FlashInterruptedError, match="did not answer for 120 s") as given_up:
            await asyncio.wait_for(asyncio.to_thread(flasher.run, image, entry), 60)

        assert sim.ecu(DME).persistent.in_bootloader
    assert sum(clock.slept) == pytest.approx(120.0)
    saved = journal.load(entry.job_id)
    assert saved == given_up.value.entry
    assert saved.result is None  # resumable: a later run (or agent process) takes it up
    assert saved.erased
    assert saved.acked_offset == (POWER_LOST_AT_BLOCK - 1) * BLOCK
    # Every UDS exchange so far is counted in the journal, by service and NRC.
    counted = {(sid, nrc): count for sid, nrc, count, _ in saved.trace_summary or ()}
    assert counted == Counter((r.service_id, 0 if r.positive else r.nrc) for r in trace)
    assert counted[(0x36, 0)] >= POWER_LOST_AT_BLOCK
