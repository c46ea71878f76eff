"""Dependencies shared by the AIR endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from servicekit.auth import Principal
from servicekit.roles import Role, role_check

# Repair content is for the workshop floor: an accountant buys passes but reads no repairs.
# Whether the organisation's AIR pass covers a request depends on the vehicle it names (a per-VIN
# pass covers one vehicle), so the services check the pass, not a dependency.
Technician = Annotated[Principal, Depends(role_check(Role.OWNER, Role.ADMIN, Role.TECHNICIAN))]
