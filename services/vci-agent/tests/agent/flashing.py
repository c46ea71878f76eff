"""What the agent's flash tests against the simulator share: the demo vehicle's DME, a journal
entry for an image, a Flasher wired to the DME over DoIP, and clocks the tests move.

Imported by name (``from flashing import ...``): the pytest config puts this folder on the path.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from udsoncan.connections import BaseConnection

from vci_agent.flash import Flasher, FlashOptions
from vci_agent.image import VerifiedImage, verify_image
from vci_agent.journal import Journal, JournalEntry
from vci_agent.keys import KeyProvider, local_key_provider
from vci_agent.transport.doip import doip_connection
from vehicle_sim.security import DEV_SECRETS
from vehicle_sim.testing import RunningVehicle

__all__ = [
    "DME",
    "DME_REGION",
    "DME_SECRET",
    "ManualClock",
    "SteppedClock",
    "dme_flasher",
    "new_entry",
    "verified",
]

DME = 0x0012
DME_REGION = 0x00080000
DME_SECRET = DEV_SECRETS["DME_B48"]


def verified(signed_image: Any) -> VerifiedImage:
    """The image of a ``SignedImage`` (conftest), its hash and signature checked."""
    return verify_image(
        signed_image.data, signature=signed_image.signature, public_key=signed_image.public_key
    )


def new_entry(
    journal: Journal,
    image: VerifiedImage,
    *,
    ecu: int = DME,
    memory_address: int = DME_REGION,
    image_path: str = "dme.img",
) -> JournalEntry:
    """A new job in ``journal`` that flashes ``image`` to ``ecu`` (saved)."""
    return journal.save(
        JournalEntry(
            job_id=str(uuid.uuid4()),
            ecu_logical_address=ecu,
            image_path=image_path,
            image_sha256=image.sha256.hex(),
            image_size=image.size,
            memory_address=memory_address,
        )
    )


def dme_flasher(
    sim: RunningVehicle | None,
    journal: Journal,
    *,
    options: FlashOptions,
    key_for: KeyProvider | None = None,
    connect: Callable[[], BaseConnection] | None = None,
    **flasher_args: Any,
) -> Flasher:
    """A Flasher to the DME of ``sim`` over DoIP (or through ``connect``), with the AOS-DEMO-1
    key of the DME's secret unless ``key_for`` is given; ``flasher_args`` go to Flasher
    (on_trace, on_progress, clock, sleep, loop)."""

    def connect_dme() -> BaseConnection:
        assert sim is not None, "give the simulator or connect"
        return doip_connection(sim.host, sim.port, DME)

    return Flasher(
        connect or connect_dme,
        journal,
        key_for=key_for or local_key_provider("aos-demo-1", DME_SECRET),
        options=options,
        **flasher_args,
    )


class SteppedClock:
    """Monotonic seconds that move only when the flasher sleeps (thread-safe: the flasher runs
    in a worker thread, the simulator reads the clock on the event loop)."""

    def __init__(self) -> None:
        self._now = 1_000.0
        self._lock = threading.Lock()
        self.slept: list[float] = []

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds
            self.slept.append(seconds)
        time.sleep(0.001)  # let the simulator's loop run


class ManualClock:
    """Monotonic seconds that move only when the test sets ``now``."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now
