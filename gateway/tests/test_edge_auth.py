"""Access tokens are checked at the gateway, except on the public routes."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest

from servicekit.testing import TestTokenIssuer

PROBLEM = "application/problem+json"
Services = Any  # fixture type from conftest


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/billing/catalog/products"),
        ("GET", "/api/billing/catalog/products/AIR-7D"),
        ("POST", "/api/identity/auth/login"),
        ("GET", "/api/identity/.well-known/jwks.json"),
    ],
)
async def test_public_route_passes_without_token(
    gateway: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await gateway.request(method, path)

    assert response.status_code == 200


async def test_protected_route_without_token_is_a_401_problem_with_a_bearer_challenge(
    gateway: httpx.AsyncClient, services: Services
) -> None:
    hits = services.billing.state.hits

    response = await gateway.get("/api/billing/orders")

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in response.json()["detail"]
    assert services.billing.state.hits == hits  # refused at the edge


async def test_public_path_with_another_method_needs_a_token(gateway: httpx.AsyncClient) -> None:
    response = await gateway.post("/api/billing/catalog/products")

    assert response.status_code == 401


async def test_malformed_token_is_a_401_invalid_token_problem(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get(
        "/api/billing/orders", headers={"Authorization": "Bearer not.a.jwt"}
    )

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "/problems/invalid-token"
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_token_signed_by_a_foreign_key_is_refused_at_the_gateway(
    gateway: httpx.AsyncClient, token_issuer: TestTokenIssuer, services: Services
) -> None:
    # token_issuer has a key of its own that the identity service does not publish.
    hits = services.billing.state.hits

    response = await gateway.get(
        "/api/billing/orders", headers={"Authorization": f"Bearer {token_issuer.token()}"}
    )

    assert response.status_code == 401
    assert response.json()["type"] == "/problems/invalid-token"
    assert services.billing.state.hits == hits


async def test_token_for_another_audience_is_refused_at_the_gateway(
    gateway: httpx.AsyncClient, edge_issuer: TestTokenIssuer, services: Services
) -> None:
    hits = services.billing.state.hits
    token = edge_issuer.token(aud="another-system")

    response = await gateway.get(
        "/api/billing/orders", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 401
    assert response.json()["type"] == "/problems/invalid-token"
    assert services.billing.state.hits == hits


async def test_expired_token_is_refused_at_the_gateway(
    gateway: httpx.AsyncClient, edge_issuer: TestTokenIssuer
) -> None:
    token = edge_issuer.token(ttl=-60)

    response = await gateway.get(
        "/api/billing/orders", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


@pytest.mark.parametrize("lifetime", [10 * 365 * 24 * 3600, 3601])
async def test_token_that_lives_too_long_is_refused_at_the_gateway(
    gateway: httpx.AsyncClient, edge_issuer: TestTokenIssuer, services: Services, lifetime: int
) -> None:
    hits = services.billing.state.hits
    token = edge_issuer.token(ttl=lifetime)  # signed by the real key

    response = await gateway.get(
        "/api/billing/orders", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 401
    assert response.json()["code"] == "invalid-token"
    assert "3600 s" in response.json()["detail"]
    assert services.billing.state.hits == hits


async def test_token_without_iat_is_refused_at_the_gateway(
    gateway: httpx.AsyncClient, edge_issuer: TestTokenIssuer, services: Services
) -> None:
    hits = services.billing.state.hits
    claims = jwt.decode(edge_issuer.token(), options={"verify_signature": False})
    del claims["iat"]
    token = jwt.encode(
        claims, edge_issuer.private_key, algorithm="EdDSA", headers={"kid": edge_issuer.kid}
    )

    response = await gateway.get(
        "/api/billing/orders", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 401
    assert response.json()["code"] == "invalid-token"
    assert services.billing.state.hits == hits


async def test_valid_token_reaches_the_service(
    gateway: httpx.AsyncClient, edge_issuer: TestTokenIssuer
) -> None:
    token = edge_issuer.token()

    first = await gateway.get("/api/billing/orders", headers={"Authorization": f"Bearer {token}"})
    again = await gateway.get("/api/billing/orders", headers={"Authorization": f"Bearer {token}"})

    assert first.status_code == 200
    assert again.status_code == 200  # the second one is answered from the token cache


async def test_head_of_a_public_route_passes_without_token(gateway: httpx.AsyncClient) -> None:
    response = await gateway.head("/api/billing/catalog/products")

    # The service's own answer (FastAPI has no HEAD for GET routes): the gateway let it through.
    assert response.status_code == 405
    assert "www-authenticate" not in response.headers


async def test_protected_route_is_a_503_problem_while_the_signing_keys_are_unreachable(
    start_gateway: Any, services: Services, auth: dict[str, str]
) -> None:
    unreachable = f"{services.urls['air']}/.well-known/jwks.json"
    async with start_gateway(jwks_url=unreachable) as gateway:
        response = await gateway.get("/api/billing/orders", headers=auth)

    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "/problems/identity-unavailable"
    assert response.headers["retry-after"] == "5"
