"""Dependencies of the member routes: the roles they admit, and the clock they read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request

from servicekit.roles import ALL_ROLES, Role, require_roles

__all__ = ["AnyMember", "ClockDep", "Managers", "Owners", "system_clock"]

Managers = require_roles(Role.OWNER, Role.ADMIN)
Owners = require_roles(Role.OWNER)
AnyMember = require_roles(*ALL_ROLES)


def system_clock() -> datetime:
    return datetime.now(UTC)


def _clock(request: Request) -> Callable[[], datetime]:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock


# The time member changes and invitation expiry are measured by (tests pass a ManualClock).
ClockDep = Annotated[Callable[[], datetime], Depends(_clock)]
