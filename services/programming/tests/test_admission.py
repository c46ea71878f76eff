"""Admission of agent connections (services/admission.py): a bounded number at a time, a
refusal for one that waits too long, and an unbounded wait for work that must run (the count
of refusals is checked where connections are closed: test_pool_pressure.py)."""

from __future__ import annotations

import asyncio

import pytest

from programming.services.admission import Admission, OverloadedError


async def test_a_connection_that_gets_no_turn_in_time_is_refused() -> None:
    admission = Admission(concurrency=1, wait_seconds=0.05)
    async with admission.admit():
        with pytest.raises(OverloadedError):
            async with admission.admit():
                pytest.fail("a second turn was given beside the first")
    # The turn was given back: the next one gets it.
    async with admission.admit():
        pass


async def test_turns_run_at_most_concurrency_at_once_and_a_turn_waits_for_its_slot() -> None:
    admission = Admission(concurrency=2, wait_seconds=5)
    inside = 0
    most = 0
    release = asyncio.Event()

    async def work() -> None:
        nonlocal inside, most
        async with admission.turn():
            inside += 1
            most = max(most, inside)
            await release.wait()
            inside -= 1

    tasks = [asyncio.create_task(work()) for _ in range(5)]
    async with asyncio.timeout(5):
        while inside < 2:
            await asyncio.sleep(0)
    assert inside == 2  # the other three wait for a slot
    release.set()
    await asyncio.gather(*tasks)
    assert most == 2 and inside == 0
