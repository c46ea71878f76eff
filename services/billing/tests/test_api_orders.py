import asyncio
import uuid

PROBLEM = "application/problem+json"


async def test_order_is_created_pending_with_amounts_from_the_catalog(billing) -> None:
    org = await billing.buyer()
    response = await billing.client.post(
        "/orders", json={"product_code": "AIR_1D"}, headers=org.purchase_headers()
    )
    assert response.status_code == 201
    order = response.json()
    [line] = order["lines"]
    assert (line["product_code"], line["kind"], line["scope"], line["quantity"]) == (
        "AIR_1D",
        "PASS",
        "AIR",
        1,
    )
    assert (line["net_minor"], line["vat_rate_bp"], line["vat_minor"]) == (3000, 1900, 570)
    assert order["totals"] == {
        "net_minor": 3000,
        "vat_minor": 570,
        "gross_minor": 3570,
        "currency": "EUR",
    }
    assert order["tax"]["treatment"] == "DOMESTIC"
    assert order["terms_version"] == billing.settings.terms_version
    assert order["status"] == "pending_payment"
    assert order["paid_at"] is None
    assert order["created_at"].endswith("Z") or order["created_at"].endswith("+00:00")
    assert "idempotent-replayed" not in response.headers


async def test_order_without_idempotency_key_is_400_problem_asking_for_one(billing) -> None:
    org = await billing.buyer()
    response = await billing.client.post(
        "/orders", json={"product_code": "AIR_1D"}, headers=org.headers
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"] == "/problems/idempotency-key-missing"
    assert "Send an Idempotency-Key header" in problem["detail"]
    assert await billing.sql("SELECT count(*) FROM orders") == [(0,)]


async def test_order_with_overlong_idempotency_key_is_400_problem(billing) -> None:
    org = await billing.buyer()
    response = await billing.client.post(
        "/orders", json={"product_code": "AIR_1D"}, headers=org.purchase_headers("k" * 256)
    )
    assert response.status_code == 400
    assert response.json()["type"] == "/problems/idempotency-key-invalid"


async def test_order_with_space_in_idempotency_key_is_400_problem(billing) -> None:
    org = await billing.buyer()
    response = await billing.client.post(
        "/orders", json={"product_code": "AIR_1D"}, headers=org.purchase_headers("two words")
    )
    assert response.status_code == 400
    assert "visible ASCII" in response.json()["detail"]


async def test_replay_with_same_key_and_body_returns_the_stored_response(billing) -> None:
    org = await billing.buyer()
    headers = org.purchase_headers("order-1")
    first = await billing.client.post("/orders", json={"product_code": "AIR_1H"}, headers=headers)
    again = await billing.client.post("/orders", json={"product_code": "AIR_1H"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert await billing.sql("SELECT count(*) FROM orders") == [(1,)]


async def test_replay_with_same_key_and_different_body_is_422_key_reused(billing) -> None:
    org = await billing.buyer()
    headers = org.purchase_headers("order-1")
    await billing.client.post("/orders", json={"product_code": "AIR_1H"}, headers=headers)
    response = await billing.client.post(
        "/orders", json={"product_code": "AIR_1D"}, headers=headers
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "/problems/idempotency-key-reused"
    assert await billing.sql("SELECT count(*) FROM orders") == [(1,)]


async def test_same_key_in_another_organisation_creates_its_own_order(billing) -> None:
    org_a, org_b = await billing.buyer(), await billing.buyer()
    a = await billing.client.post(
        "/orders", json={"product_code": "AIR_1H"}, headers=org_a.purchase_headers("shared")
    )
    b = await billing.client.post(
        "/orders", json={"product_code": "AIR_1D"}, headers=org_b.purchase_headers("shared")
    )
    assert a.status_code == b.status_code == 201
    assert "idempotent-replayed" not in b.headers
    assert a.json()["id"] != b.json()["id"]
    rows = await billing.sql("SELECT organization_id FROM orders WHERE id = :id", id=b.json()["id"])
    assert rows == [(org_b.id,)]


async def test_concurrent_requests_with_one_key_create_one_order(billing) -> None:
    org = await billing.buyer()
    headers = org.purchase_headers("double-click")
    responses = await asyncio.gather(
        *(
            billing.client.post("/orders", json={"product_code": "AIR_1W"}, headers=headers)
            for _ in range(8)
        )
    )
    assert [r.status_code for r in responses] == [201] * 8
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 7
    assert await billing.sql("SELECT count(*) FROM orders") == [(1,)]


async def test_failed_request_leaves_the_key_free_for_a_corrected_retry(billing) -> None:
    org = await billing.buyer()
    headers = org.purchase_headers("retry-me")
    wrong = await billing.client.post("/orders", json={"product_code": "NOPE"}, headers=headers)
    fixed = await billing.client.post("/orders", json={"product_code": "AIR_1H"}, headers=headers)
    assert wrong.status_code == 422
    assert fixed.status_code == 201


async def test_unknown_product_is_422_problem_listing_valid_codes(billing) -> None:
    org = await billing.buyer()
    response = await billing.client.post(
        "/orders", json={"product_code": "AIR_2H"}, headers=org.purchase_headers()
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["code"] == "validation-error"
    [error] = problem["errors"]
    assert (error["field"], error["code"]) == ("lines.0.product_code", "unknown-product")
    assert "AIR_1H" in error["params"]["valid_codes"]
    assert len(error["params"]["valid_codes"]) == 16
    assert "PROGRAMMING_1Y" in problem["detail"]


async def test_order_without_token_is_401_problem(billing) -> None:
    response = await billing.client.post(
        "/orders", json={"product_code": "AIR_1H"}, headers={"idempotency-key": "k"}
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


async def test_order_with_a_token_of_another_issuer_is_401(billing) -> None:
    from servicekit.testing import TestTokenIssuer

    forged = TestTokenIssuer().token()
    response = await billing.client.post(
        "/orders",
        json={"product_code": "AIR_1H"},
        headers={"authorization": f"Bearer {forged}", "idempotency-key": "k"},
    )
    assert response.status_code == 401


async def test_orders_list_shows_only_the_callers_organisation(billing) -> None:
    org_a, org_b = await billing.buyer(), await billing.buyer()
    mine = await billing.order(org_a, "AIR_1H")
    await billing.order(org_b, "AIR_1D")
    response = await billing.client.get("/orders", headers=org_a.headers)
    assert response.status_code == 200
    assert [o["id"] for o in response.json()["items"]] == [mine["id"]]


async def test_order_is_readable_by_its_organisation(billing) -> None:
    org = await billing.buyer()
    created = await billing.order(org)
    response = await billing.client.get(f"/orders/{created['id']}", headers=org.headers)
    assert response.status_code == 200
    assert response.json() == created


async def test_order_of_another_organisation_is_404(billing) -> None:
    org_a, org_b = await billing.buyer(), await billing.buyer()
    order = await billing.order(org_a)
    response = await billing.client.get(f"/orders/{order['id']}", headers=org_b.headers)
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "/problems/order-not-found"


async def test_unknown_order_id_is_404_problem(billing) -> None:
    org = await billing.buyer()
    response = await billing.client.get(f"/orders/{uuid.uuid4()}", headers=org.headers)
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/order-not-found"


async def test_non_uuid_order_id_is_422_problem(billing) -> None:
    org = await billing.buyer()
    response = await billing.client.get("/orders/not-a-uuid", headers=org.headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert "order_id" in response.json()["detail"]


async def test_malformed_json_order_is_400_problem(billing) -> None:
    org = await billing.buyer()
    response = await billing.client.post(
        "/orders",
        content=b'{"product_code": ',
        headers={**org.purchase_headers(), "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "/problems/malformed-json"


async def test_wrongly_typed_product_code_is_422_problem(billing) -> None:
    org = await billing.buyer()
    response = await billing.client.post(
        "/orders", json={"product_code": 17}, headers=org.purchase_headers()
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"][0]["field"] == "product_code"


async def test_order_body_that_is_not_an_object_is_422_problem(billing) -> None:
    org = await billing.buyer()
    response = await billing.client.post("/orders", json=["AIR_1H"], headers=org.purchase_headers())
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


async def test_unknown_field_in_order_is_422_problem(billing) -> None:
    org = await billing.buyer()
    response = await billing.client.post(
        "/orders",
        json={"product_code": "AIR_1H", "price": 1},
        headers=org.purchase_headers(),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "price"


async def test_oversized_order_body_is_413_problem(billing) -> None:
    org = await billing.buyer()
    response = await billing.client.post(
        "/orders",
        json={"product_code": "A" * (billing.settings.max_body_bytes + 1)},
        headers=org.purchase_headers(),
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


async def test_orders_list_rejects_a_limit_above_200(billing) -> None:
    org = await billing.buyer()
    response = await billing.client.get("/orders?limit=201", headers=org.headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
