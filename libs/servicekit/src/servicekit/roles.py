"""Member roles of a workshop, and the dependency that lets a route's roles in and no one else.

Roles travel in the access token (claim ``roles``). Each route names the roles it admits with
:func:`require_roles`; :func:`annotate_roles` copies that declaration into the route's OpenAPI
operation as ``x-aos-roles``, so the merged OpenAPI, the services' README tables and the
generated role-matrix test all read the same declaration the code enforces.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from servicekit.auth import Principal, current_principal
from servicekit.problems import ForbiddenError, problem_responses

__all__ = [
    "ALL_ROLES",
    "OPENAPI_ROLES_KEY",
    "Role",
    "RoleForbiddenError",
    "annotate_roles",
    "declared_roles",
    "require_roles",
    "role_check",
]

OPENAPI_ROLES_KEY = "x-aos-roles"


class Role(StrEnum):
    """What a member of a workshop may do (ISO 18541 speaks of the operator's employees)."""

    OWNER = "owner"  # everything, including closing the organisation
    ADMIN = "admin"  # members, agents, purchases, company data
    TECHNICIAN = "technician"  # AIR, service data, programming sessions
    ACCOUNTANT = "accountant"  # purchases, invoices, usage reports; no repair content


ALL_ROLES: tuple[Role, ...] = tuple(Role)

# The attribute on a dependency callable that names the roles it admits.
_ROLES_ATTRIBUTE = "__aos_roles__"


class RoleForbiddenError(ForbiddenError):
    slug = "role-forbidden"
    title = "Not allowed for your role"


def role_check(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """The dependency admitting only members holding one of ``roles``, for a typed alias:
    ``Technician = Annotated[Principal, Depends(role_check(Role.OWNER, ...))]`` (mypy sees
    ``Principal``; the alias :func:`require_roles` returns is ``Any`` to it)."""
    if not roles:
        raise ValueError("name at least one role; a route for everybody uses ALL_ROLES")
    admitted = frozenset(roles)
    names = ", ".join(role.value for role in ALL_ROLES if role in admitted)

    async def admit(
        request: Request, principal: Annotated[Principal, Depends(current_principal)]
    ) -> Principal:
        if admitted.intersection(principal.roles):
            return principal
        held = ", ".join(principal.roles) or "none"
        raise RoleForbiddenError(
            f"Your role ({held}) may not do this; it is open to: {names}. "
            "Ask an owner or admin of your workshop if you need it.",
            required_roles=[role.value for role in ALL_ROLES if role in admitted],
        )

    setattr(admit, _ROLES_ATTRIBUTE, admitted)
    return admit


def require_roles(*roles: Role) -> Any:
    """``Annotated[Principal, Depends(...)]`` admitting only members holding one of ``roles``.

    Use it in place of ``CurrentPrincipal``:
    ``Technicians = require_roles(Role.OWNER, Role.ADMIN, Role.TECHNICIAN)`` then
    ``principal: Technicians``.
    """
    return Annotated[Principal, Depends(role_check(*roles))]


def _dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _dependency_calls(sub)


def declared_roles(route: APIRoute) -> frozenset[Role] | None:
    """The roles a route admits, or None when it declares none (public, or not yet declared)."""
    found: frozenset[Role] | None = None
    for call in _dependency_calls(route.dependant):
        roles: frozenset[Role] | None = getattr(call, _ROLES_ATTRIBUTE, None)
        if roles is not None:
            found = roles if found is None else found & roles
    return found


def _api_routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        nested = getattr(route, "original_router", None)  # a router included in this one
        if nested is not None:
            yield from _api_routes(nested.routes)


def annotate_roles(router: APIRouter) -> None:
    """Write each route's admitted roles into its OpenAPI operation (``x-aos-roles``).

    Call it on a router before including it in the app: FastAPI builds the app's own view of
    an included route from the router's route when it first needs it.
    """
    for route in _api_routes(router.routes):
        roles = declared_roles(route)
        if roles is None:
            continue
        extra = dict(route.openapi_extra or {})
        extra[OPENAPI_ROLES_KEY] = [role.value for role in ALL_ROLES if role in roles]
        route.openapi_extra = extra
        _document_role_forbidden(route)


def _document_role_forbidden(route: APIRoute) -> None:
    """List the 403 ``role-forbidden`` answer among the route's responses (beside another 403
    the route already documents, such as a missing pass)."""
    status = RoleForbiddenError.status
    entry = problem_responses(RoleForbiddenError)[status]
    responses = dict(route.responses)
    key: int | str = str(status) if str(status) in responses else status
    existing = responses.get(key)
    if existing is None:
        responses[key] = entry
    elif RoleForbiddenError.type_uri() not in str(existing.get("description", "")):
        merged = dict(existing)
        merged["description"] = "; ".join(
            filter(None, [str(existing.get("description", "")), entry["description"]])
        )
        responses[key] = merged
    route.responses = responses
