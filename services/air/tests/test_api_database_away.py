"""The catalog, search and print routes answer 503 with Retry-After while AIR's database is away,
and work again once it is back."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from air.config import Settings
from air.main import create_app
from servicekit.faults import TcpProxy
from servicekit.testing import TestTokenIssuer, assert_problem, running_app

Auth = Callable[[uuid.UUID], dict[str, str]]

VIN_G21_2021 = "WBA6K5105MFK54321"
PATHS = [
    f"/vehicles/{VIN_G21_2021}/catalog",
    "/documents/search?q=Bremse&lang=de",
    "/documents/ri-g20-front-brake-pads-discs/pdf",
]


@pytest.mark.parametrize("path", PATHS)
async def test_a_route_answers_503_while_the_database_is_away(
    settings: Settings, database_url: str, token_issuer: TestTokenIssuer, auth: Auth, path: str
) -> None:
    proxy = TcpProxy.in_front_of(database_url)
    await proxy.start()
    try:
        proxied = settings.model_copy(update={"database_url": proxy.proxied(database_url)})
        async with token_issuer.http_client() as jwks_http:
            app = create_app(proxied, jwks_http=jwks_http)
            async with running_app(app) as client:
                await proxy.cut()
                away = await client.get(path, headers=auth(uuid.uuid4()))
                await proxy.start()
                back = await client.get(
                    f"/vehicles/{VIN_G21_2021}/catalog", headers=auth(uuid.uuid4())
                )
    finally:
        await proxy.close()

    assert_problem(away, 503, "service-unavailable")
    assert away.headers["retry-after"]
    assert back.status_code == 200, back.text
