"""Dependencies shared by the endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from programming.services.runtime import Runtime
from servicekit.auth import Principal
from servicekit.roles import Role, role_check

# Programming is repair work: the workshop floor and its managers, never the accountant.
Technician = Annotated[Principal, Depends(role_check(Role.OWNER, Role.ADMIN, Role.TECHNICIAN))]
# Pairing an agent or revoking one changes the workshop's equipment: managers only.
Manager = Annotated[Principal, Depends(role_check(Role.OWNER, Role.ADMIN))]


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(_runtime)]
