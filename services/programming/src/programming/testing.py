"""What tests and tools that drive the programming API share (like ``servicekit.testing``).

Nothing here is used by the service itself.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["PREFLIGHT"]

# The body of ``POST /sessions/{id}/start`` with every item of the pre-flight checklist
# confirmed: a charger is connected, the ignition is on, no other tester is on the vehicle.
PREFLIGHT: Final[dict[str, Any]] = {
    "preflight": {"charger_connected": True, "ignition_on": True, "no_other_tester": True}
}
