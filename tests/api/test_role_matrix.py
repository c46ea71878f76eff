"""The role matrix: every operation of the merged OpenAPI document, tried with every role.

Generated from the document the gateway serves, so an operation added later (identity's
member routes among them) is covered without touching this test. For an operation that needs
an access token, a member whose role is not in its ``x-aos-roles`` gets 403 ``role-forbidden``;
a member whose role is gets anything but a 403 (a 404 or 422 is fine: the ids are made up) and
never a 500. A public operation is called without a token and must not ask for one.

The caller's organisation holds an AIR and a PROGRAMMING pass, so a pass check cannot pass for
a role refusal.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from air.consumers.entitlements import handle_entitlement_granted as air_entitlement_granted
from aos.events.v1 import billing_pb2
from programming.consumers.entitlements import (
    handle_entitlement_granted as programming_entitlement_granted,
)
from servicekit.roles import Role
from servicekit.testing import assert_problem, incoming_event, timestamp

# Problems that mean "you need (another) access token": a public operation must not answer them.
# (It may answer 401 for a credential of its own: the payment webhook's signature, an image's
# download token.)
ACCESS_TOKEN_PROBLEMS = frozenset({"unauthorized", "invalid-token", "token-revoked"})


def service_url(operation: Any) -> str:
    """The service's own path of ``operation``, with made-up ids for its path parameters."""
    parts = [
        str(uuid.uuid4()) if part.startswith("{") else part
        for part in operation.path.split("/")[3:]
    ]
    return "/" + "/".join(parts)


@pytest.fixture(scope="module")
async def organization(services: Any) -> uuid.UUID:
    """An organisation that holds an AIR and a PROGRAMMING pass valid now."""
    organization_id = uuid.uuid4()
    now = datetime.now(UTC)
    for scope, handle, service in (
        (billing_pb2.SCOPE_AIR, air_entitlement_granted, "air"),
        (billing_pb2.SCOPE_PROGRAMMING, programming_entitlement_granted, "programming"),
    ):
        message = billing_pb2.EntitlementGranted(
            entitlement_id=str(uuid.uuid4()),
            organization_id=str(organization_id),
            scope=scope,
            valid_from=timestamp(now - timedelta(minutes=1)),
            valid_until=timestamp(now + timedelta(days=1)),
            order_id=str(uuid.uuid4()),
        )
        async with services.apps[service].state.database.transaction() as session:
            await handle(session, incoming_event(message, source="billing", aggregate_id="x"))
    return organization_id


async def call(services: Any, operation: Any, headers: dict[str, str]) -> httpx.Response:
    client: httpx.AsyncClient = services.clients[operation.service]
    if operation.has_body:
        headers = {**headers, "idempotency-key": uuid.uuid4().hex}
    return await client.request(
        operation.method,
        service_url(operation),
        json={} if operation.has_body else None,
        headers=headers,
    )


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
async def test_a_role_outside_x_aos_roles_gets_role_forbidden_and_one_inside_gets_through(
    services: Any, organization: uuid.UUID, guarded_operation: Any, role: Role
) -> None:
    admitted = guarded_operation.roles
    if not admitted and guarded_operation.service == "identity":
        pytest.xfail("identity's own routes are given their roles by the members work")
    assert admitted, f"{guarded_operation} needs a token but declares no x-aos-roles"
    token = services.issuer.token(organization_id=organization, roles=(role.value,))
    response = await call(services, guarded_operation, {"authorization": f"Bearer {token}"})
    if role.value in admitted:
        assert response.status_code not in (401, 403), response.text
        assert response.status_code < 500, response.text
    else:
        problem = assert_problem(response, 403, "role-forbidden")
        assert problem["required_roles"] == list(admitted)


async def test_a_public_operation_answers_without_a_token(
    services: Any, public_operation: Any
) -> None:
    response = await call(services, public_operation, {})
    assert response.status_code < 500, response.text
    if response.status_code in (401, 403):
        assert response.json().get("code") not in ACCESS_TOKEN_PROBLEMS, response.text
