"""A member's access change reaches every service and every replica within seconds: access tokens
issued at or before it are refused with 401 ``token-revoked``, later ones are not.

The four services run in-process with their background workers (so each consumes identity.v1
from the real Kafka into its own database); beside each runs a second replica on the same
database without workers, which learns of the change only from the table. Events are published
to Kafka exactly as identity's outbox relay publishes them.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from aos.events.v1 import identity_pb2
from servicekit.testing import (
    DatabaseFactory,
    TestTokenIssuer,
    assert_problem,
    cleaned_topic_namespace,
    publish_event,
    running_app,
    timestamp,
)

# A route per service that every role used here may call and that needs no data to exist.
ROUTES = {
    "identity": "/me",
    "billing": "/entitlements/summary",
    "air": "/vehicles/WBA5F310AKFH12345",
    "programming": "/agents",
}
# Generous for a loaded machine: the consumer joins its group, then a refresh every second.
DEADLINE_SECONDS = 45.0


@dataclass
class Live:
    issuer: TestTokenIssuer
    namespace: str
    kafka: str
    # (service, "primary" | "replica") → client
    clients: dict[tuple[str, str], httpx.AsyncClient]

    async def publish(self, message: Any, *, aggregate_id: str) -> None:
        await publish_event(
            self.kafka,
            f"{self.namespace}identity.v1",
            message,
            source="identity",
            aggregate_id=aggregate_id,
        )

    async def answers(self, token: str) -> dict[tuple[str, str], httpx.Response]:
        headers = {"authorization": f"Bearer {token}"}
        keys = list(self.clients)
        responses = await asyncio.gather(
            *(self.clients[key].get(ROUTES[key[0]], headers=headers) for key in keys)
        )
        return dict(zip(keys, responses, strict=True))


def revoked(response: httpx.Response) -> bool:
    return response.status_code == 401 and response.json().get("code") == "token-revoked"


def accepted(response: httpx.Response) -> bool:
    """Past authentication: the route itself answered (200, or 404 for an unknown account)."""
    return response.status_code in (200, 404) and response.json().get("code") != "token-revoked"


@pytest.fixture(scope="module")
async def live(
    database_factory: DatabaseFactory,
    build_apps: Any,
    migrations: dict[str, Path],
    kafka_bootstrap_servers: str,
) -> AsyncIterator[Live]:
    issuer = TestTokenIssuer()
    urls = {name: await database_factory.create(folder) for name, folder in migrations.items()}
    async with AsyncExitStack() as stack:
        # Entered first, left last: its topics are deleted once the apps have stopped.
        namespace = await stack.enter_async_context(
            cleaned_topic_namespace(kafka_bootstrap_servers)
        )
        jwks_http = await stack.enter_async_context(issuer.http_client())
        primaries = build_apps(
            urls,
            jwks_http=jwks_http,
            seed=False,
            background_workers=True,
            topic_namespace=namespace,
        )
        replicas = build_apps(urls, jwks_http=jwks_http, seed=False, topic_namespace=namespace)
        clients: dict[tuple[str, str], httpx.AsyncClient] = {}
        for role, apps in (("primary", primaries), ("replica", replicas)):
            for name, app in apps.items():
                clients[(name, role)] = await stack.enter_async_context(running_app(app))
        yield Live(issuer, namespace, kafka_bootstrap_servers, clients)


async def until(check: Callable[[], Awaitable[dict[tuple[str, str], bool]]], *, what: str) -> None:
    """Poll ``check`` (which says, per service and replica, whether the state is reached) until
    all are, or fail naming those that are not after DEADLINE_SECONDS."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        state = await check()
        if all(state.values()):
            return
        if time.monotonic() > deadline:
            late = ", ".join(f"{name} ({role})" for (name, role), ok in state.items() if not ok)
            pytest.fail(f"{what}: not so at {late} after {DEADLINE_SECONDS:g} s")
        await asyncio.sleep(0.2)


def refused_everywhere(live: Live, token: str) -> Callable[[], Awaitable[dict[Any, bool]]]:
    async def check() -> dict[Any, bool]:
        return {key: revoked(answer) for key, answer in (await live.answers(token)).items()}

    return check


async def assert_accepted_everywhere(live: Live, token: str) -> None:
    for (name, role), answer in (await live.answers(token)).items():
        assert accepted(answer), f"{name} ({role}): {answer.status_code} {answer.text[:300]}"


async def test_a_deactivated_members_token_is_refused_by_every_service_and_replica(
    live: Live,
) -> None:
    user, organization = uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    deactivated_at = now - timedelta(seconds=10)
    issued_before = live.issuer.token(
        user_id=user, organization_id=organization, iat=int(deactivated_at.timestamp()) - 60
    )
    issued_at_the_same_second = live.issuer.token(
        user_id=user, organization_id=organization, iat=int(deactivated_at.timestamp())
    )
    colleague = live.issuer.token(user_id=uuid.uuid4(), organization_id=organization)
    await assert_accepted_everywhere(live, issued_before)

    await live.publish(
        identity_pb2.MemberDeactivated(
            user_id=str(user),
            organization_id=str(organization),
            deactivated_by=str(uuid.uuid4()),
            deactivated_at=timestamp(deactivated_at),
        ),
        aggregate_id=str(organization),
    )

    await until(refused_everywhere(live, issued_before), what="the deactivated member's token")
    answer = (await live.answers(issued_before))[("billing", "replica")]
    problem = assert_problem(answer, 401, "token-revoked")
    assert "log in again" in problem["detail"]
    for key, answer in (await live.answers(issued_at_the_same_second)).items():
        assert revoked(answer), key
    # Issued after the deactivation (a later login): accepted; so is a colleague's token.
    await assert_accepted_everywhere(
        live, live.issuer.token(user_id=user, organization_id=organization)
    )
    await assert_accepted_everywhere(live, colleague)


async def test_a_role_change_refuses_the_token_with_the_old_role(live: Live) -> None:
    user, organization = uuid.uuid4(), uuid.uuid4()
    changed_at = datetime.now(UTC) - timedelta(seconds=5)
    old_role = live.issuer.token(
        user_id=user,
        organization_id=organization,
        roles=("owner",),
        iat=int(changed_at.timestamp()) - 30,
    )
    await assert_accepted_everywhere(live, old_role)

    await live.publish(
        identity_pb2.MemberRoleChanged(
            user_id=str(user),
            organization_id=str(organization),
            old_role="owner",
            new_role="admin",
            changed_by=str(uuid.uuid4()),
            changed_at=timestamp(changed_at),
        ),
        aggregate_id=str(organization),
    )

    await until(refused_everywhere(live, old_role), what="the token with the old role")
    new_role = live.issuer.token(user_id=user, organization_id=organization, roles=("admin",))
    await assert_accepted_everywhere(live, new_role)


async def test_closing_an_organisation_refuses_every_members_token(live: Live) -> None:
    organization, other = uuid.uuid4(), uuid.uuid4()
    closed_at = datetime.now(UTC) - timedelta(seconds=5)
    iat = int(closed_at.timestamp()) - 30
    members = [
        live.issuer.token(
            user_id=uuid.uuid4(), organization_id=organization, roles=(role,), iat=iat
        )
        for role in ("owner", "admin", "technician")
    ]
    elsewhere = live.issuer.token(user_id=uuid.uuid4(), organization_id=other, iat=iat)

    await live.publish(
        identity_pb2.OrganizationClosed(
            organization_id=str(organization),
            closed_by=str(uuid.uuid4()),
            closed_at=timestamp(closed_at),
        ),
        aggregate_id=str(organization),
    )

    for token in members:
        await until(refused_everywhere(live, token), what="a closed organisation's member")
    await assert_accepted_everywhere(live, elsewhere)
