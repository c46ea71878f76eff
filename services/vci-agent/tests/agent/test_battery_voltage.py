"""The vehicle's battery voltage around a flash: a low battery refuses the job before anything
changes on the ECU; a sag mid-transfer pauses the flash (TesterPresent keeps the session,
WAITING_FOR_VOLTAGE is reported) until the voltage is back, and a sag that lasts too long
stops it resumable.

Real simulator over DoIP on loopback; its fault ``voltage,volts=V[,block=N][,seconds=S]``
lowers the battery the ECUs report in DID 0x0120. The sag's seconds run on a clock the test
shares with the flasher: the flasher's sleeps move it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from flashing import DME, SteppedClock, dme_flasher, new_entry, verified

from vci_agent.flash import (
    Flasher,
    FlashOptions,
    FlashProgress,
    FlashRefusedError,
    LowVoltageError,
)
from vci_agent.journal import JobPhase, JobResultState, Journal
from vci_agent.transport.tracing import TraceRecord
from vci_agent.uds import DID_BATTERY_VOLTAGE, UdsTiming
from vehicle_sim.battery import NOMINAL_VOLTS
from vehicle_sim.testing import RunningVehicle, running_vehicle
from vehicle_sim.uds import Session

BLOCK = 4096
SAG_AT_BLOCK = 20
FAST = UdsTiming(p2=0.5, p2_star=3.0, request=10.0)


def _flasher(
    sim: RunningVehicle,
    journal: Journal,
    *,
    progress: list[FlashProgress],
    trace: list[TraceRecord],
    clock: SteppedClock | None = None,
    **options: Any,
) -> Flasher:
    timing: dict[str, Any] = {} if clock is None else {"clock": clock, "sleep": clock.sleep}
    return dme_flasher(
        sim,
        journal,
        options=FlashOptions(
            block_size=BLOCK, timing=FAST, reset_wait=0.05, voltage_every_blocks=4, **options
        ),
        on_progress=progress.append,
        on_trace=trace.append,
        **timing,
    )


def _volts_read(trace: list[TraceRecord]) -> list[int]:
    """Indexes of the voltage reads in the trace."""
    return [
        i
        for i, r in enumerate(trace)
        if r.service_id == 0x22 and r.subfunction_or_id == DID_BATTERY_VOLTAGE
    ]


async def test_a_low_battery_refuses_the_job_and_leaves_the_ecu_untouched(
    tmp_path: Path, signed_image: Any
) -> None:
    image = verified(signed_image)
    journal = Journal(tmp_path / "journal")
    trace: list[TraceRecord] = []
    async with running_vehicle(tmp_path / "sim", faults=["voltage,volts=11.8"]) as sim:
        ecu = sim.ecu(DME)
        before = (ecu.persistent.version, ecu.persistent.fingerprint_hex)
        flasher = _flasher(sim, journal, progress=[], trace=trace)
        entry = new_entry(journal, image)
        with pytest.raises(FlashRefusedError, match="connect a charger") as refused:
            await asyncio.wait_for(asyncio.to_thread(flasher.run, image, entry), 30)

        assert (ecu.persistent.version, ecu.persistent.fingerprint_hex) == before
        assert not ecu.persistent.erased
        assert not ecu.persistent.in_bootloader
        assert ecu.session is Session.DEFAULT
        assert ecu.volatile.dtc_setting_on
        assert ecu.volatile.communication_control == 0x00
    # The voltage read is the only request the ECU got.
    assert [(r.service_id, r.subfunction_or_id) for r in trace] == [(0x22, DID_BATTERY_VOLTAGE)]
    saved = journal.load(entry.job_id)
    assert saved == refused.value.entry
    assert saved.result is JobResultState.REFUSED
    assert "11.80 V" in saved.detail
    assert not saved.erased
    assert (saved.volts_at_start, saved.volts_min, saved.volts_max) == (11.8, 11.8, 11.8)


async def test_a_sag_mid_transfer_pauses_the_flash_which_resumes_when_the_voltage_recovers(
    tmp_path: Path, signed_image: Any
) -> None:
    image = verified(signed_image)
    journal = Journal(tmp_path / "journal")
    progress: list[FlashProgress] = []
    trace: list[TraceRecord] = []
    clock = SteppedClock()
    sag = f"voltage,ecu=0x12,volts=11.6,block={SAG_AT_BLOCK},seconds=10"
    async with running_vehicle(
        tmp_path / "sim", faults=[sag], erase_time_s=0.05, clock=clock
    ) as sim:
        flasher = _flasher(sim, journal, progress=progress, trace=trace, clock=clock)
        final = await asyncio.wait_for(
            asyncio.to_thread(flasher.run, image, new_entry(journal, image)), 60
        )

        ecu = sim.ecu(DME)
        assert (ecu.persistent.version, ecu.persistent.in_bootloader) == ("1.1.0", False)
        assert ecu.s3_fallbacks == 0
    assert final.result is JobResultState.SUCCEEDED
    assert final.version_after == "1.1.0"
    assert final.resumed_times == 0  # one session throughout: paused, not interrupted
    assert (final.volts_at_start, final.volts_min, final.volts_max) == (
        NOMINAL_VOLTS,
        11.6,
        NOMINAL_VOLTS,
    )
    assert sum(clock.slept) >= 10
    # The read after the 20th block found the sag. From it to the next TransferData: only
    # TesterPresent and further reads, for the 10 s the sag lasted (a poll every 2 s).
    first_low = next(i for i in _volts_read(trace) if _blocks_before(trace, i) == SAG_AT_BLOCK)
    next_block = next(i for i in range(first_low, len(trace)) if trace[i].service_id == 0x36)
    paused = [trace[i].service_id for i in range(first_low, next_block)]
    assert set(paused) == {0x22, 0x3E}
    assert paused.count(0x3E) >= 5
    # Its own phase, not WAITING_FOR_ECU: the ECU answers, the battery is what is wanting.
    waiting = [p for p in progress if p.phase is JobPhase.WAITING_FOR_VOLTAGE]
    assert waiting
    assert not any(p.phase is JobPhase.WAITING_FOR_ECU for p in progress)
    # Once the voltage is back, the phase the flash stands in is reported again, where it was.
    after = progress[max(i for i, p in enumerate(progress) if p in waiting) + 1]
    assert (after.phase, after.bytes_done) == (JobPhase.TRANSFERRING, SAG_AT_BLOCK * BLOCK)
    assert {p.bytes_done for p in waiting} == {SAG_AT_BLOCK * BLOCK}


def _blocks_before(trace: list[TraceRecord], index: int) -> int:
    """How many TransferData requests came before ``trace[index]``."""
    return sum(1 for r in trace[:index] if r.service_id == 0x36)


async def test_a_sag_longer_than_the_pause_limit_stops_resumable_and_a_later_run_completes(
    tmp_path: Path, signed_image: Any
) -> None:
    image = verified(signed_image)
    journal = Journal(tmp_path / "journal")
    progress: list[FlashProgress] = []
    clock = SteppedClock()
    sag = f"voltage,ecu=0x12,volts=11.6,block={SAG_AT_BLOCK}"  # until set again
    async with running_vehicle(
        tmp_path / "sim", faults=[sag], erase_time_s=0.05, clock=clock
    ) as sim:
        flasher = _flasher(
            sim, journal, progress=progress, trace=[], clock=clock, voltage_pause_limit=30.0
        )
        entry = new_entry(journal, image)
        with pytest.raises(LowVoltageError, match=r"below 12\.50 V for 30 s") as stopped:
            await asyncio.wait_for(asyncio.to_thread(flasher.run, image, entry), 60)

        ecu = sim.ecu(DME)
        assert ecu.persistent.in_bootloader
        assert ecu.s3_fallbacks == 0  # the session was kept for the whole pause
        saved = journal.load(entry.job_id)
        assert saved == stopped.value.entry
        assert saved.result is None  # resumable
        assert saved.erased
        assert saved.acked_offset == SAG_AT_BLOCK * BLOCK
        assert saved.volts_min == 11.6

        sim.vehicle.battery.set(13.4)  # a charger is connected
        final = await asyncio.wait_for(asyncio.to_thread(flasher.run, image, saved), 60)

        assert (ecu.persistent.version, ecu.persistent.in_bootloader) == ("1.1.0", False)
    assert final.result is JobResultState.SUCCEEDED
    assert final.resumed_times == 1
    assert (final.volts_min, final.volts_max) == (11.6, 13.4)


async def test_an_ecu_without_the_voltage_did_is_flashed_without_the_watch(
    tmp_path: Path, signed_image: Any
) -> None:
    image = verified(signed_image)
    journal = Journal(tmp_path / "journal")
    trace: list[TraceRecord] = []
    # The first ReadDataByIdentifier (the voltage) is answered requestOutOfRange, as by an ECU
    # that does not know the DID.
    async with running_vehicle(
        tmp_path / "sim", faults=["nrc,ecu=0x12,service=0x22,nrc=0x31"], erase_time_s=0.05
    ) as sim:
        flasher = _flasher(sim, journal, progress=[], trace=trace)
        final = await asyncio.wait_for(
            asyncio.to_thread(flasher.run, image, new_entry(journal, image)), 60
        )

        assert sim.ecu(DME).persistent.version == "1.1.0"
    assert final.result is JobResultState.SUCCEEDED
    assert (final.volts_at_start, final.volts_min, final.volts_max) == (None, None, None)
    [read] = [trace[i] for i in _volts_read(trace)]  # asked once, not again
    assert (read.positive, read.nrc) == (False, 0x31)
