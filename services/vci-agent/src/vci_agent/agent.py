"""The long-running agent: the link to the programming service plus the job runner."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path

from udsoncan.connections import BaseConnection

from aos.agent.v1 import agent_pb2
from vci_agent.flash import FlashOptions
from vci_agent.jobs import JobRunner
from vci_agent.journal import Journal
from vci_agent.link import AgentLink, UpgradeRequiredError
from vci_agent.pairing import DeviceCredential
from vci_agent.update import SelfUpdater
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
    updater: SelfUpdater | None = None,
    platform_tag: str = "",
) -> str | None:
    """Serve the programming service until ``stop`` is set; a running flash job always
    finishes first. Flash jobs an earlier process left unfinished in ``state_dir``'s journal
    are resumed after the first Welcome, before new jobs run. Raises ``LinkError`` when the
    service refuses this agent.

    With an ``updater`` (the single-file build), a newer build the service offers in Welcome
    or UpgradeRequired is installed over the executable, and the agent stops as after ``stop``
    (a running job first): returns the version installed, which runs from the next start."""
    journal = Journal(state_dir / "journal")

    # The link dispatches to the runner, and the runner sends on the link: the link comes
    # first, with handlers that reach the runner made just below.
    async def handle(frame: agent_pb2.AgentFrame, link: AgentLink) -> None:
        await runner.handle(frame, link)

    async def on_welcome(welcome: agent_pb2.Welcome) -> None:
        await runner.on_welcome(welcome)
        offered = updater is not None and welcome.HasField("update")
        if offered and updater is not None and await updater.consider(welcome.update):
            stop.set()

    link = AgentLink(
        credential,
        handler=handle,
        on_welcome=on_welcome,
        pending_results=lambda: len(journal.unsynced_results()),
        platform_tag=platform_tag,
    )
    runner = JobRunner(
        link,
        journal=journal,
        cache_dir=state_dir / "cache",
        release_key=JobRunner.release_key_from_base64(credential.release_public_key),
        connect=connect,
        ecus=ecus,
        flash_options=flash_options,
    )
    try:
        await link.run(stop)
    except UpgradeRequiredError as refused:
        if updater is None or refused.update is None or not await updater.consider(refused.update):
            raise
    finally:
        await runner.wait_idle()
    return updater.installed if updater is not None else None
