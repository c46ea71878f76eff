"""The vehicle's ignition: on unless an ``ignition-off`` fault switched it off, for a while or
for good. The DoIP entity reports it as the diagnostic power mode (off: "not ready")."""

import time
from collections.abc import Callable

__all__ = ["Ignition"]


class Ignition:
    """``on`` as of ``clock`` (seconds, monotonic)."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._off = False
        self._until: float | None = None

    @property
    def on(self) -> bool:
        if self._off and self._until is not None and self._clock() >= self._until:
            self._off, self._until = False, None
        return not self._off

    def switch_off(self, *, seconds: float | None = None) -> None:
        """Off for ``seconds`` (None: until ``switch_on``)."""
        self._off = True
        self._until = None if seconds is None else self._clock() + seconds

    def switch_on(self) -> None:
        self._off, self._until = False, None
