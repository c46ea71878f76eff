"""The vehicle's battery: one voltage for the whole vehicle, readable by every ECU (DID 0x0120)
and lowered by the ``voltage`` fault, for a while or until set again."""

import time
from collections.abc import Callable

__all__ = ["NOMINAL_VOLTS", "Battery"]

# A healthy 12 V battery at rest (a charger would hold it higher, 13.5-14.4 V).
NOMINAL_VOLTS = 12.8


class Battery:
    """``volts`` as of ``clock`` (seconds, monotonic): ``nominal`` unless ``set`` gave another
    value, which holds for ``seconds`` (None: until set again)."""

    def __init__(
        self, *, nominal: float = NOMINAL_VOLTS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.nominal = nominal
        self._clock = clock
        self._volts = nominal
        self._until: float | None = None

    @property
    def volts(self) -> float:
        if self._until is not None and self._clock() >= self._until:
            self._volts, self._until = self.nominal, None
        return self._volts

    def set(self, volts: float, *, seconds: float | None = None) -> None:
        if volts < 0:
            raise ValueError("a battery voltage cannot be negative")
        self._volts = volts
        self._until = None if seconds is None else self._clock() + seconds
