"""Dependencies shared by the AIR endpoints."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends

from air.services.access import require_air_pass
from servicekit.auth import Principal
from servicekit.db import SessionDep
from servicekit.roles import Role, role_check

# Repair content is for the workshop floor: an accountant buys passes but reads no repairs.
Technician = Annotated[Principal, Depends(role_check(Role.OWNER, Role.ADMIN, Role.TECHNICIAN))]


async def _air_pass_holder(principal: Technician, session: SessionDep) -> Principal:
    await require_air_pass(session, principal.organization_id, now=datetime.now(UTC))
    return principal


# The caller, holding a role that may read repair content (else 403 role-forbidden), whose
# organisation holds an AIR pass valid now (else 403 air-pass-required).
AirPassHolder = Annotated[Principal, Depends(_air_pass_holder)]
