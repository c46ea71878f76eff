"""What a UDS service handler may see and change of its ECU: ``EcuContext``.

The handlers (``data``, ``routines``, ``security_access``, ``session``, ``transfer``,
``addressing``) depend on this protocol only; ``EcuServer`` satisfies it and dispatches to them.
So the handlers never import the server (nor the vehicle) that imports them, and a test can
drive a handler with any object of this shape. An import-linter contract keeps it so.
"""

from collections.abc import Callable
from typing import Protocol

from vehicle_sim.battery import Battery
from vehicle_sim.config import EcuConfig
from vehicle_sim.storage import EcuStorage, PersistentState
from vehicle_sim.uds.constants import Session
from vehicle_sim.uds.state import VolatileState

__all__ = ["EcuContext"]


class EcuContext(Protocol):
    """One ECU as its service handlers see it. ``clock`` is seconds, monotonic;
    ``security_locked_until`` is on that clock."""

    config: EcuConfig
    vin: str
    storage: EcuStorage
    battery: Battery
    clock: Callable[[], float]
    seed_source: Callable[[], bytes]
    persistent: PersistentState
    volatile: VolatileState
    failed_key_attempts: int
    security_locked_until: float

    @property
    def session(self) -> Session:
        """The active session (after the S3 timer is applied)."""
        ...

    def require_unlocked(self) -> None:
        """Raises NegativeResponseError(0x33) unless security access is granted."""
        ...

    def enter_session(self, new_session: Session) -> None: ...

    def save(self) -> None: ...

    def save_soon(self) -> None: ...

    def reset(self) -> None: ...
