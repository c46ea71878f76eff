"""Roles: a route admits the roles it names, refuses the rest with a 403 problem, and says so
in its OpenAPI operation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from servicekit.app import ServiceSpec, create_service_app
from servicekit.auth import CurrentPrincipal
from servicekit.roles import ALL_ROLES, OPENAPI_ROLES_KEY, Role, require_roles
from servicekit.settings import ServiceSettings
from servicekit.testing import TestTokenIssuer, assert_problem, running_app

MIGRATIONS = Path(__file__).parent / "kit_migrations"

Buyers = require_roles(Role.OWNER, Role.ADMIN, Role.ACCOUNTANT)
Technicians = require_roles(Role.OWNER, Role.ADMIN, Role.TECHNICIAN)

router = APIRouter()


@router.post("/orders")
async def buy(principal: Buyers) -> dict[str, str]:
    return {"user": str(principal.user_id)}


@router.get("/repairs")
async def repair(principal: Technicians) -> dict[str, str]:
    return {"user": str(principal.user_id)}


@router.get("/profile")
async def profile(principal: CurrentPrincipal) -> dict[str, str]:
    return {"user": str(principal.user_id)}


@pytest.fixture
async def app(
    database_factory: Any, token_issuer: TestTokenIssuer, kafka_bootstrap_servers: str
) -> FastAPI:
    settings = ServiceSettings(
        service_name="kit-roles",
        database_url=await database_factory.create(MIGRATIONS),
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        environment="test",
        run_background_workers=False,
    )
    return create_service_app(
        settings,
        ServiceSpec(title="kit", version="0", routers=[router], migrations_dir=MIGRATIONS),
        jwks_http=token_issuer.http_client(),
    )


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app) as http:
        yield http


@pytest.mark.parametrize("role", list(Role))
async def test_a_route_admits_its_roles_and_refuses_the_others_with_a_problem(
    client: httpx.AsyncClient, token_issuer: TestTokenIssuer, role: Role
) -> None:
    headers = {"authorization": f"Bearer {token_issuer.token(roles=(role.value,))}"}
    buying = await client.post("/orders", headers=headers)
    repairing = await client.get("/repairs", headers=headers)
    if role is Role.ACCOUNTANT:
        assert buying.status_code == 200
        problem = assert_problem(repairing, 403, "role-forbidden")
        assert problem["required_roles"] == ["owner", "admin", "technician"]
        assert "accountant" in problem["detail"]
    elif role is Role.TECHNICIAN:
        assert repairing.status_code == 200
        assert_problem(buying, 403, "role-forbidden")
    else:
        assert (buying.status_code, repairing.status_code) == (200, 200)
    assert (await client.get("/profile", headers=headers)).status_code == 200


async def test_a_token_without_a_known_role_is_refused(
    client: httpx.AsyncClient, token_issuer: TestTokenIssuer
) -> None:
    for roles in ((), ("member",), ("OWNER",)):
        headers = {"authorization": f"Bearer {token_issuer.token(roles=roles)}"}
        assert_problem(await client.get("/repairs", headers=headers), 403, "role-forbidden")


async def test_the_openapi_operation_names_the_roles_it_admits(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    assert paths["/orders"]["post"][OPENAPI_ROLES_KEY] == ["owner", "admin", "accountant"]
    assert paths["/repairs"]["get"][OPENAPI_ROLES_KEY] == ["owner", "admin", "technician"]
    assert OPENAPI_ROLES_KEY not in paths["/profile"]["get"]
    assert len(ALL_ROLES) == 4


def test_a_route_must_name_at_least_one_role() -> None:
    with pytest.raises(ValueError, match="at least one role"):
        require_roles()


async def test_the_openapi_operation_lists_the_role_forbidden_answer(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    assert "/problems/role-forbidden" in paths["/orders"]["post"]["responses"]["403"]["description"]
    assert "403" not in paths["/profile"]["get"]["responses"]
