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
from programming.services.agent_link import AgentRegistry, SessionEvents
from servicekit.db import Database
from servicekit.envelope import EnvelopeCipher

__all__ = ["Clock", "Runtime", "system_clock"]

# What time it is: paid time, job deadlines and download token expiry are measured with it.
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


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

    def now(self) -> datetime:
        """The current time (aware, UTC) of the runtime's clock."""
        return self.clock()

    def spawn_runner(self, session_id: uuid.UUID, work: Coroutine[Any, Any, None]) -> None:
        if session_id in self.runners:
            work.close()
            return
        task = asyncio.create_task(work, name=f"session-{session_id}")
        self.runners[session_id] = task
        task.add_done_callback(lambda _: self.runners.pop(session_id, None))

    async def shutdown(self) -> None:
        for task in list(self.runners.values()):
            task.cancel()
        if self.runners:
            await asyncio.wait(list(self.runners.values()), timeout=5)
        self.registry.close_all()
