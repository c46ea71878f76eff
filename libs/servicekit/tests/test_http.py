"""Problem details, request ids, body limits, settings and token checks of the service kit."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, SecretStr, ValidationError
from pydantic_settings import SettingsConfigDict

from servicekit.app import ServiceSpec, create_service_app
from servicekit.auth import CurrentPrincipal, JwksCache, TokenVerifier
from servicekit.problems import NotFoundError, problem_responses
from servicekit.settings import ServiceSettings, load_settings
from servicekit.testing import TestTokenIssuer, assert_problem, running_app

MIGRATIONS = Path(__file__).parent / "kit_migrations"


class ItemCreate(BaseModel):
    name: str
    quantity: int


router = APIRouter()


@router.post("/items", status_code=201)
async def create_item(item: ItemCreate) -> ItemCreate:
    return item


@router.get("/items/{item_id}", responses=problem_responses(NotFoundError))
async def read_item(item_id: uuid.UUID) -> dict[str, str]:
    raise NotFoundError(f"Item {item_id} does not exist; list items to find its id.")


@router.get("/boom")
async def boom() -> None:
    raise RuntimeError("a bug")


@router.get("/whoami")
async def whoami(principal: CurrentPrincipal) -> dict[str, str]:
    return {"organization_id": str(principal.organization_id)}


@pytest.fixture
async def client(
    database_factory: Any, token_issuer: TestTokenIssuer, kafka_bootstrap_servers: str
) -> AsyncIterator[httpx.AsyncClient]:
    settings = ServiceSettings(
        service_name="kit-test",
        database_url=await database_factory.create(MIGRATIONS),
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        environment="test",
        max_body_bytes=1024,
        run_background_workers=False,
    )
    app: FastAPI = create_service_app(
        settings,
        ServiceSpec(title="kit", version="0", routers=[router], migrations_dir=MIGRATIONS),
        jwks_http=token_issuer.http_client(),
    )
    async with running_app(app) as http:
        yield http


async def test_malformed_json_is_a_400_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/items", content=b'{"name": ', headers={"content-type": "application/json"}
    )
    assert_problem(response, 400, "malformed-json")


async def test_wrong_types_are_a_422_problem_naming_the_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/items", json={"name": "x", "quantity": "many"})
    body = assert_problem(response, 422, "validation-error")
    assert body["errors"][0]["field"] == "quantity"


async def test_oversized_body_is_a_413_problem(client: httpx.AsyncClient) -> None:
    response = await client.post("/items", json={"name": "x" * 5000, "quantity": 1})
    assert_problem(response, 413, "payload-too-large")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_streamed_oversized_body_is_a_413_problem(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"x" * 512

    response = await client.post("/items", content=chunks())
    assert_problem(response, 413, "payload-too-large")


async def test_typed_error_and_unknown_route_are_problems(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get(f"/items/{uuid.uuid4()}"), 404, "not-found")
    assert_problem(await client.get("/nothing-here"), 404, "not-found")
    assert_problem(await client.get("/items/not-a-uuid"), 422, "validation-error")


async def test_unexpected_error_is_a_problem_without_internals(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/boom"), 500, "internal-error")
    assert "a bug" not in str(body)
    assert body["request_id"]


async def test_request_id_is_kept_when_well_formed_and_replaced_otherwise(
    client: httpx.AsyncClient,
) -> None:
    kept = await client.get("/healthz", headers={"x-request-id": "abc-123"})
    assert kept.headers["x-request-id"] == "abc-123"
    replaced = await client.get("/healthz", headers={"x-request-id": "bad id\twith spaces"})
    assert replaced.headers["x-request-id"] != "bad id\twith spaces"
    assert len(replaced.headers["x-request-id"]) == 32


async def test_readiness_checks_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.json()["checks"]["database"] == "ok"
    # No relay or consumer runs in this app: nobody has a state of Kafka's to report.
    assert response.json()["checks"]["kafka"] == "not reported"
    assert response.status_code == 200


async def test_metrics_count_requests_by_route(client: httpx.AsyncClient) -> None:
    await client.post("/items", json={"name": "x", "quantity": 1})
    text = (await client.get("/metrics")).text
    assert 'route="/items",service="kit-test",status="201"' in text


async def test_valid_token_yields_the_principal(
    client: httpx.AsyncClient, token_issuer: TestTokenIssuer
) -> None:
    org = uuid.uuid4()
    response = await client.get(
        "/whoami", headers={"authorization": f"Bearer {token_issuer.token(organization_id=org)}"}
    )
    assert response.json() == {"organization_id": str(org)}


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda issuer: TestTokenIssuer().token(), id="foreign-key"),
        pytest.param(lambda issuer: issuer.token(aud="someone-else"), id="wrong-audience"),
        pytest.param(lambda issuer: issuer.token(iss="evil"), id="wrong-issuer"),
        pytest.param(lambda issuer: issuer.token(exp=int(time.time()) - 60), id="expired"),
        pytest.param(lambda issuer: "not-a-jwt", id="garbage"),
        pytest.param(
            lambda issuer: jwt.encode({"sub": "x"}, "k" * 32, algorithm="HS256"), id="hmac"
        ),
        # Signed by the real key, but claiming to live too long, or not saying since when.
        pytest.param(lambda issuer: issuer.token(ttl=10 * 365 * 24 * 3600), id="ten-years"),
        pytest.param(lambda issuer: issuer.token(ttl=3601), id="just-over-an-hour"),
        pytest.param(lambda issuer: _token_without_iat(issuer), id="no-iat"),
    ],
)
async def test_bad_tokens_are_refused(
    client: httpx.AsyncClient, token_issuer: TestTokenIssuer, make_token: Any
) -> None:
    response = await client.get(
        "/whoami", headers={"authorization": f"Bearer {make_token(token_issuer)}"}
    )
    assert_problem(response, 401, "invalid-token")


def _token_without_iat(issuer: TestTokenIssuer) -> str:
    claims = jwt.decode(issuer.token(), options={"verify_signature": False})
    del claims["iat"]
    return jwt.encode(claims, issuer.private_key, algorithm="EdDSA", headers={"kid": issuer.kid})


async def test_token_of_the_longest_accepted_lifetime_passes(
    client: httpx.AsyncClient, token_issuer: TestTokenIssuer
) -> None:
    token = token_issuer.token(ttl=3600)
    response = await client.get("/whoami", headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text


async def test_missing_token_is_refused(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/whoami"), 401, "unauthorized")


async def test_unknown_kid_refetches_keys_at_most_once_per_interval() -> None:
    issuer = TestTokenIssuer()
    jwks = JwksCache("http://identity/jwks", http=issuer.http_client(), min_refetch_seconds=60)
    verifier = TokenVerifier(jwks, issuer=issuer.issuer, audience=issuer.audience)
    await verifier.verify(issuer.token())
    assert issuer.jwks_requests == 1
    rotated = TestTokenIssuer()  # a token with a kid the cache has never seen
    for _ in range(5):
        with pytest.raises(Exception, match="unknown key"):
            await verifier.verify(rotated.token())
    assert issuer.jwks_requests == 1
    await jwks.aclose()


class SecretSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KITTEST_", frozen=True)
    signing_secret: SecretStr = SecretStr("changeme")

    def secret_fields(self) -> tuple[str, ...]:
        return ("signing_secret",)


def test_placeholder_secret_is_refused_outside_development() -> None:
    with pytest.raises(ValidationError, match="KITTEST_SIGNING_SECRET"):
        SecretSettings(environment="production")
    assert SecretSettings(environment="development").signing_secret.get_secret_value()
    real = SecretSettings(environment="production", signing_secret=SecretStr("x" * 32))
    assert real.environment == "production"


def test_load_settings_exits_with_the_variable_to_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KITTEST_MAX_BODY_BYTES", "lots")
    with pytest.raises(SystemExit, match="KITTEST_MAX_BODY_BYTES: Input should be a valid integer"):
        load_settings(SecretSettings)
