async def test_openapi_documents_every_billing_endpoint(billing) -> None:
    response = await billing.client.get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(paths) >= {
        "/catalog/products",
        "/catalog/products/{code}",
        "/orders",
        "/orders/{order_id}",
        "/orders/{order_id}/payment",
        "/payments/webhook",
        "/entitlements",
        "/entitlements/summary",
    }


async def test_openapi_lists_the_problems_of_order_creation(billing) -> None:
    operation = (await billing.client.get("/openapi.json")).json()["paths"]["/orders"]["post"]
    assert {"201", "400", "401", "422"} <= set(operation["responses"])
    assert "idempotency-key-reused" in operation["responses"]["422"]["description"]
    header = next(p for p in operation["parameters"] if p["in"] == "header")
    assert header["name"] == "Idempotency-Key"


async def test_openapi_documents_the_webhook_signature_header(billing) -> None:
    operation = (await billing.client.get("/openapi.json")).json()["paths"]["/payments/webhook"][
        "post"
    ]
    assert any(p["name"] == "AOS-Signature" for p in operation["parameters"])
    assert "401" in operation["responses"]
    body_schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert "$defs" not in body_schema
    assert body_schema["properties"]["status"]["enum"] == ["succeeded", "failed"]
