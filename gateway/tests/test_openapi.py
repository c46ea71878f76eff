"""The merged OpenAPI document, built from the services' own documents."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.openapi import BEARER_SCHEME, merge_openapi
from gateway.public import PublicRoutes

GatewayFactory = Any  # fixture type from conftest


async def test_merged_document_has_the_prefixed_paths_of_each_service(
    gateway: httpx.AsyncClient,
) -> None:
    response = await gateway.get("/api/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "AOS API"
    assert "/api/identity/auth/login" in document["paths"]
    assert "/api/billing/catalog/products/{code}" in document["paths"]
    assert "/orders" not in document["paths"]
    # The services' probes are not part of the public API.
    assert "/api/billing/healthz" not in document["paths"]


async def test_merged_document_survives_a_service_that_is_down(
    gateway: httpx.AsyncClient,
) -> None:
    document = (await gateway.get("/api/openapi.json")).json()

    assert not [path for path in document["paths"] if path.startswith("/api/air/")]
    assert "air did not answer" in document["info"]["description"]


async def test_complete_document_has_no_note_about_missing_services(
    start_gateway: GatewayFactory, services: Any
) -> None:
    async with start_gateway(air_url=services.urls["billing"]) as gateway:
        document = (await gateway.get("/api/openapi.json")).json()

    assert "did not answer" not in document["info"]["description"]
    assert "/api/air/orders" in document["paths"]


async def test_schemas_with_the_same_name_are_prefixed_and_refs_follow(
    gateway: httpx.AsyncClient,
) -> None:
    document = (await gateway.get("/api/openapi.json")).json()

    schemas = document["components"]["schemas"]
    assert "ItemRead" not in schemas
    assert set(schemas["identity_ItemRead"]["properties"]) == {"name"}
    assert set(schemas["billing_ItemRead"]["properties"]) == {"code", "price_minor"}
    billing_item = document["paths"]["/api/billing/items/{code}"]["get"]
    ref = billing_item["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/billing_ItemRead"
    # Identical definitions from both services stay one shared schema.
    assert "Problem" in schemas
    assert "billing_Problem" not in schemas


async def test_protected_operations_need_the_bearer_scheme_and_public_ones_do_not(
    gateway: httpx.AsyncClient,
) -> None:
    document = (await gateway.get("/api/openapi.json")).json()

    scheme = document["components"]["securitySchemes"][BEARER_SCHEME]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    paths = document["paths"]
    assert paths["/api/billing/orders"]["get"]["security"] == [{BEARER_SCHEME: []}]
    assert "security" not in paths["/api/billing/catalog/products/{code}"]["get"]
    assert "security" not in paths["/api/identity/auth/login"]["post"]


async def test_tags_of_the_services_are_merged(gateway: httpx.AsyncClient) -> None:
    document = (await gateway.get("/api/openapi.json")).json()

    operations = [
        operation
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
    ]
    tags = {tag for operation in operations for tag in operation.get("tags", ())}
    assert {"identity", "billing"} <= tags


# --- merge_openapi on its own ----------------------------------------------------------------


def _document(schemas: dict[str, Any], paths: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "x", "version": "1"},
        "paths": paths or {},
        "components": {"schemas": schemas},
        "tags": [{"name": "shared", "description": "first"}],
    }


def _merge(documents: dict[str, Any]) -> dict[str, Any]:
    return merge_openapi(documents, public=PublicRoutes(), version="1")


def test_schema_that_refers_to_a_renamed_schema_is_renamed_too() -> None:
    wrapper = {"properties": {"item": {"$ref": "#/components/schemas/Item"}}}
    merged = _merge(
        {
            "identity": _document({"Item": {"type": "string"}, "Page": wrapper}),
            "billing": _document({"Item": {"type": "integer"}, "Page": wrapper}),
        }
    )

    schemas = merged["components"]["schemas"]
    own = set(schemas) - {"Problem", "FieldError"}  # the edge's own answers, added to every doc
    assert own == {"identity_Item", "billing_Item", "identity_Page", "billing_Page"}
    assert schemas["billing_Page"]["properties"]["item"]["$ref"] == (
        "#/components/schemas/billing_Item"
    )


def test_operation_ids_used_by_two_services_are_made_unique() -> None:
    paths = {"/things": {"get": {"operationId": "list_things", "responses": {}}}}
    merged = _merge({"identity": _document({}, paths), "billing": _document({}, paths)})

    assert merged["paths"]["/api/identity/things"]["get"]["operationId"] == "list_things"
    assert merged["paths"]["/api/billing/things"]["get"]["operationId"] == "billing_list_things"


def test_a_tag_declared_by_two_services_is_listed_once() -> None:
    merged = _merge({"identity": _document({}), "billing": _document({})})

    assert merged["tags"] == [{"name": "shared", "description": "first"}]


def test_documents_given_are_not_changed() -> None:
    paths = {"/orders": {"get": {"operationId": "orders", "responses": {}}}}
    original = _document({"Item": {"type": "string"}}, paths)

    _merge({"identity": original, "billing": _document({"Item": {"type": "integer"}}, paths)})

    assert original["paths"]["/orders"]["get"] == {"operationId": "orders", "responses": {}}


def test_every_operation_documents_the_answers_of_the_edge() -> None:
    paths = {
        "/organizations": {"post": {"operationId": "register", "responses": {}}},
        "/orders": {
            "get": {
                "operationId": "orders",
                "responses": {"503": {"description": "the service's own"}},
            }
        },
    }
    merged = merge_openapi(
        {"billing": _document({}, paths)},
        public=PublicRoutes((("POST", "/api/billing/organizations"),)),
        version="1",
    )

    public = merged["paths"]["/api/billing/organizations"]["post"]["responses"]
    private = merged["paths"]["/api/billing/orders"]["get"]["responses"]
    assert set(public) == {"429", "502", "503", "504"}
    assert set(private) == {"401", "429", "502", "503", "504"}
    assert private["503"] == {"description": "the service's own"}
    schema = public["429"]["content"]["application/problem+json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Problem"}
    assert "code" in merged["components"]["schemas"]["Problem"]["properties"]
