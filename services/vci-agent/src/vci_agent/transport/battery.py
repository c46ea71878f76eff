"""The battery voltage as an interface measures it, for connections that can.

A J2534 pass-thru device reads the vehicle's battery at the diagnostic connector's pin 16
(``READ_VBATT``); DoIP and python-can have no such call. A connection that can measure
implements ``BatteryVoltmeter``; the flasher asks it first and reads DID 0x0120 from the ECU
otherwise.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["BatteryVoltmeter"]


@runtime_checkable
class BatteryVoltmeter(Protocol):
    def battery_volts(self) -> float | None:
        """The battery voltage in volts, or None when this interface cannot measure it.
        Raises ``OSError`` when the interface fails."""
        ...
