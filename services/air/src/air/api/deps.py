"""Dependencies shared by the AIR endpoints."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends

from air.services.access import require_air_pass
from servicekit.auth import CurrentPrincipal, Principal
from servicekit.db import SessionDep


async def _air_pass_holder(principal: CurrentPrincipal, session: SessionDep) -> Principal:
    await require_air_pass(session, principal.organization_id, now=datetime.now(UTC))
    return principal


# The caller, whose organisation holds an AIR pass valid now (else 403 air-pass-required).
AirPassHolder = Annotated[Principal, Depends(_air_pass_holder)]
