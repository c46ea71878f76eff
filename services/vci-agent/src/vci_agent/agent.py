"""The long-running agent: the link to the programming service plus the job runner."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path

from udsoncan.connections import BaseConnection

from vci_agent.flash import FlashOptions
from vci_agent.jobs import JobRunner
from vci_agent.journal import Journal
from vci_agent.link import AgentLink
from vci_agent.pairing import DeviceCredential
from vci_agent.vehicle import EcuInfo

__all__ = ["run_agent"]


async def run_agent(
    credential: DeviceCredential,
    *,
    state_dir: Path,
    connect: Callable[[int], BaseConnection],
    ecus: Sequence[EcuInfo],
    stop: asyncio.Event,
    flash_options: FlashOptions | None = None,
) -> None:
    """Serve the programming service until ``stop`` is set; a running flash job always
    finishes first. Flash jobs an earlier process left unfinished in ``state_dir``'s journal
    are resumed after the first Welcome, before new jobs run. Raises ``LinkError`` when the
    service refuses this agent."""
    journal = Journal(state_dir / "journal")
    runner = JobRunner(
        journal=journal,
        cache_dir=state_dir / "cache",
        release_key=JobRunner.release_key_from_base64(credential.release_public_key),
        connect=connect,
        ecus=ecus,
        flash_options=flash_options,
    )
    link = AgentLink(
        credential,
        handler=runner.handle,
        on_welcome=runner.on_welcome,
        pending_results=lambda: len(journal.unsynced_results()),
    )
    runner.attach(link)
    try:
        await link.run(stop)
    finally:
        await runner.wait_idle()
