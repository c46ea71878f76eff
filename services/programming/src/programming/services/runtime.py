"""What long-lived parts of the service share: settings, database, agent links, live events."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from programming.config import Settings
from programming.services.admission import Admission
from programming.services.agent_builds import AgentBuilds
from programming.services.agent_link import AgentRegistry, SessionEvents
from programming.services.cluster import Cluster
from programming.services.presence import PresenceWriter
from servicekit.db import Database
from servicekit.envelope import EnvelopeCipher

__all__ = ["Clock", "EcuWait", "Runtime", "system_clock"]

# What time it is: paid time, job deadlines and download token expiry are measured with it.
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class EcuWait:
    """The time a job's agent spent waiting for its ECU (power or link loss), in event loop
    seconds: ``total`` of the waits that ended, plus the one going on since ``since`` (last
    reported at ``heard``)."""

    total: float = 0.0
    since: float | None = None
    heard: float = 0.0

    def report(self, *, waiting: bool, at: float) -> None:
        """Account one progress report of the job's agent."""
        if waiting:
            if self.since is None:
                self.since = at
            self.heard = at
        elif self.since is not None:
            self.total += at - self.since
            self.since = None

    def waited(self, *, now: float, silence: float) -> float:
        """Seconds waited for the ECU by ``now``; a wait the agent stopped reporting for
        ``silence`` seconds counts only up to its last report plus ``silence``."""
        if self.since is None:
            return self.total
        return self.total + min(now, self.heard + silence) - self.since


@dataclass
class Runtime:
    settings: Settings
    database: Database
    release_key: Ed25519PrivateKey
    # Seals and unseals the ECU security secrets (services/ecu_secrets.py).
    secret_cipher: EnvelopeCipher
    registry: AgentRegistry = field(default_factory=AgentRegistry)
    events: SessionEvents = field(default_factory=SessionEvents)
    # Running session runners by session id, so one session never runs twice and the app can
    # cancel them at shutdown.
    runners: dict[uuid.UUID, asyncio.Task[None]] = field(default_factory=dict)
    # The last JobProgress of each job, for GET /sessions/{id} (live state, not stored).
    progress: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    # Replaceable so that tests of flash-safe time control time instead of racing it.
    clock: Clock = system_clock

    # The agent builds this replica offers to connecting agents (read from the database).
    agent_builds: AgentBuilds = field(init=False)
    # This replica among the others (leases, remote agent links, broadcasts, session locks).
    cluster: Cluster = field(init=False)
    # Agents' last-seen times from heartbeats, written in batches (services/presence.py).
    presence: PresenceWriter = field(init=False)
    # Bounds the agent connections doing database work at once (services/admission.py).
    admission: Admission = field(init=False)

    def __post_init__(self) -> None:
        self.cluster = Cluster(self)
        self.agent_builds = AgentBuilds(
            self.database,
            public_base_url=self.settings.public_base_url,
            cache_seconds=self.settings.agent_builds_cache_seconds,
        )
        self.presence = PresenceWriter(
            self.database, flush_seconds=self.settings.presence_flush_seconds
        )
        self.admission = Admission(
            concurrency=self.settings.agent_admission_concurrency,
            wait_seconds=self.settings.agent_admission_wait_seconds,
        )

    def apply_progress(
        self,
        session_id: uuid.UUID,
        job_id: uuid.UUID,
        state: dict[str, Any],
        *,
        waiting: bool,
    ) -> None:
        """A job's progress, reported by its agent here or on another replica: the live state
        of GET /sessions/{id}, the wait for the ECU (the runner's deadline) and the SSE
        listeners."""
        self.progress[job_id] = state
        self.ecu_waits.setdefault(job_id, EcuWait()).report(
            waiting=waiting, at=asyncio.get_running_loop().time()
        )
        self.events.publish(session_id, {"type": "progress", "job_id": str(job_id), **state})

    def now(self) -> datetime:
        """The current time (aware, UTC) of the runtime's clock."""
        return self.clock()

    # How long each running job's agent has been waiting for its ECU (WAITING_FOR_ECU
    # progress): that time is added to the job's deadline (see services/runner.py).
    ecu_waits: dict[uuid.UUID, EcuWait] = field(default_factory=dict)

    # Other background work (completing reports when an agent is back), cancelled at shutdown.
    background: set[asyncio.Task[Any]] = field(default_factory=set)

    def spawn_background(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(work)
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    def spawn_runner(self, session_id: uuid.UUID, work: Coroutine[Any, Any, None]) -> None:
        if session_id in self.runners:
            work.close()
            return
        task = asyncio.create_task(work, name=f"session-{session_id}")
        self.runners[session_id] = task
        task.add_done_callback(lambda _: self.runners.pop(session_id, None))

    async def shutdown(self) -> None:
        for task in [*self.runners.values(), *self.background]:
            task.cancel()
        if self.background:
            await asyncio.wait(list(self.background), timeout=5)
        if self.runners:
            await asyncio.wait(list(self.runners.values()), timeout=5)
        self.registry.close_all()
        await self.presence.close()
