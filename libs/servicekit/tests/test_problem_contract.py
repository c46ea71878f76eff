"""The problem body every client relies on: a stable ``code``, and structured field errors
(``errors[]`` with field, code, message, params) on validation problems; NUL characters anywhere in
a request's text are one such field error."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from servicekit.app import ServiceSpec, create_service_app
from servicekit.settings import ServiceSettings
from servicekit.testing import TestTokenIssuer, assert_problem, running_app

MIGRATIONS = Path(__file__).parent / "kit_migrations"


class Address(BaseModel):
    street: str
    country: str

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        if value not in ("DE", "AT"):
            raise PydanticCustomError(
                "country-unknown", "{country} is not a country we know", {"country": value}
            )
        return value


class CompanyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    company_name: str = Field(min_length=2)
    addresses: list[Address] = []
    labels: dict[str, str] = {}

    @field_validator("company_name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


router = APIRouter()


@router.post("/companies/{slug}", status_code=201)
async def create_company(slug: str, company: CompanyCreate, note: str = "") -> dict[str, str]:
    return {"slug": slug, "note": note}


@pytest.fixture
async def client(
    database_factory: Any, token_issuer: TestTokenIssuer, kafka_bootstrap_servers: str
) -> AsyncIterator[httpx.AsyncClient]:
    settings = ServiceSettings(
        service_name="kit-test",
        database_url=await database_factory.create(MIGRATIONS),
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        environment="test",
        run_background_workers=False,
    )
    app: FastAPI = create_service_app(
        settings,
        ServiceSpec(title="kit", version="0", routers=[router], migrations_dir=MIGRATIONS),
        jwks_http=token_issuer.http_client(),
    )
    async with running_app(app) as http:
        yield http


async def test_every_problem_has_the_code_of_its_type(client: httpx.AsyncClient) -> None:
    for response, slug in [
        (await client.get("/nothing-here"), "not-found"),
        (await client.delete("/companies/x"), "method-not-allowed"),
        (await client.post("/companies/x", content=b"{", headers=_JSON), "malformed-json"),
        (await client.post("/companies/x", json={}), "validation-error"),
    ]:
        body = response.json()
        assert body["code"] == slug, body
        assert body["type"] == f"/problems/{slug}"


async def test_field_errors_carry_field_code_message_and_params(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/companies/x",
        json={"company_name": "M", "addresses": [{"street": "Hauptstr. 1", "country": "GE"}]},
    )
    body = assert_problem(response, 422, "validation-error")
    assert body["errors"] == [
        {
            "field": "company_name",
            "code": "string_too_short",
            "message": "String should have at least 2 characters",
            "params": {"min_length": 2},
        },
        {
            "field": "addresses.0.country",
            "code": "country-unknown",
            "message": "GE is not a country we know",
            "params": {"country": "GE"},
        },
    ]


async def test_value_errors_and_missing_fields_have_their_own_codes(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/companies/x", json={"company_name": "   ", "typo": 1})
    body = assert_problem(response, 422, "validation-error")
    by_field = {error["field"]: error for error in body["errors"]}
    assert by_field["company_name"] == {
        "field": "company_name",
        "code": "value_error",
        "message": "must not be blank",
        "params": {},
    }
    assert by_field["typo"]["code"] == "extra_forbidden"
    missing = await client.post("/companies/x", json={})
    assert assert_problem(missing, 422)["errors"][0] == {
        "field": "company_name",
        "code": "missing",
        "message": "Field required",
        "params": {},
    }


async def test_nul_anywhere_in_the_request_is_a_422_naming_each_field(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/companies/a%00b",
        params={"note": "n\x00"},
        json={
            "company_name": "Muster\x00",
            "addresses": [{"street": "ok", "country": "DE"}, {"street": "\x00", "country": "DE"}],
            "labels": {"colour\x00": "red", "size": "\x00"},
        },
    )
    body = assert_problem(response, 422, "validation-error")
    assert sorted(error["field"] for error in body["errors"]) == [
        "addresses.1.street",
        "company_name",
        "labels.colour\x00",
        "labels.size",
        "path.slug",
        "query.note",
    ]
    assert {error["code"] for error in body["errors"]} == {"nul-character"}


async def test_text_without_nul_passes(client: httpx.AsyncClient) -> None:
    # A literal backslash-u sequence is not a NUL: the cheap byte check must not misfire.
    response = await client.post(
        "/companies/a", json={"company_name": "C:\\u0000 Tools"}, params={"note": "100%"}
    )
    assert response.status_code == 201, response.text


_JSON = {"content-type": "application/json"}


async def test_openapi_documents_validation_answers_as_problems(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    answer = document["paths"]["/companies/{slug}"]["post"]["responses"]["422"]
    assert answer["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert {"code", "errors"} <= set(schemas["Problem"]["properties"])
    assert set(schemas["FieldError"]["properties"]) == {"field", "code", "message", "params"}
