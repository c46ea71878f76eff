"""Dependencies shared by the AIR endpoints."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request

from servicekit.auth import Principal
from servicekit.roles import Role, role_check

# Repair content is for the workshop floor: an accountant buys passes but reads no repairs.
# Whether the organisation's AIR pass covers a request depends on the vehicle it names (a per-VIN
# pass covers one vehicle), so the services check the pass, not a dependency.
Technician = Annotated[Principal, Depends(role_check(Role.OWNER, Role.ADMIN, Role.TECHNICIAN))]


def system_clock() -> datetime:
    return datetime.now(UTC)


def _clock(request: Request) -> Callable[[], datetime]:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock


# The time service book entries are written and their 14-day edit window measured by (tests
# pass a servicekit.testing.ManualClock to create_app).
ClockDep = Annotated[Callable[[], datetime], Depends(_clock)]
