"""Every service answers 503 service-unavailable with Retry-After once its database went away,
on a route of its own that needs the database (servicekit turns the driver's error into it)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from servicekit.faults import TcpProxy
from servicekit.testing import DatabaseFactory, TestTokenIssuer, assert_problem, running_app

# A route per service that reads its database before anything else can fail.
ROUTES = {
    "identity": ("POST", "/auth/login", {"email": "a@workshop.example", "password": "x" * 12}),
    "billing": ("GET", "/catalog/products", None),
    "air": ("GET", "/documents/search?q=brake", None),
    "programming": ("GET", "/agents", None),
}


@pytest.fixture(scope="module")
async def clients(
    database_factory: DatabaseFactory, build_apps: Any, migrations: dict[str, Path]
) -> AsyncIterator[tuple[dict[str, httpx.AsyncClient], str]]:
    """The four services started against their databases, which then went away."""
    issuer = TestTokenIssuer()
    urls: dict[str, str] = {}
    proxies: list[TcpProxy] = []
    for name, folder in migrations.items():
        url = await database_factory.create(folder)
        proxy = TcpProxy.in_front_of(url)
        await proxy.start()
        urls[name] = proxy.proxied(url)
        proxies.append(proxy)
    async with AsyncExitStack() as stack:
        jwks_http = await stack.enter_async_context(issuer.http_client())
        apps = build_apps(urls, jwks_http=jwks_http, seed=True)
        running = {
            name: await stack.enter_async_context(running_app(app)) for name, app in apps.items()
        }
        for proxy in proxies:
            await proxy.close()
        yield running, issuer.token(organization_id=uuid.uuid4())


@pytest.mark.parametrize("service", list(ROUTES))
async def test_a_service_whose_database_went_away_answers_503_with_retry_after(
    clients: tuple[dict[str, httpx.AsyncClient], str], service: str
) -> None:
    running, token = clients
    method, path, body = ROUTES[service]
    response = await running[service].request(
        method, path, json=body, headers={"authorization": f"Bearer {token}"}
    )
    assert_problem(response, 503, "service-unavailable")
    assert int(response.headers["retry-after"]) > 0
