from billing.services.catalog import seed_catalog


async def test_catalog_lists_passes_vin_passes_and_tools_without_a_token(billing) -> None:
    response = await billing.client.get("/catalog/products")
    assert response.status_code == 200
    codes = [p["code"] for p in response.json()["items"]]
    assert codes == [
        "AIR_1H",
        "AIR_1D",
        "AIR_1W",
        "AIR_1M",
        "AIR_1Y",
        "PROGRAMMING_1H",
        "PROGRAMMING_1D",
        "PROGRAMMING_1W",
        "PROGRAMMING_1M",
        "PROGRAMMING_1Y",
        "AIR_VIN_24H",
        "PROGRAMMING_VIN_24H",
        "TOOL_ICOM_VCI",
        "TOOL_ENET_CABLE",
        "TOOL_PROGRAMMING_CHARGER",
        "TOOL_OBD_EXTENSION",
    ]


async def test_catalog_product_shows_net_vat_and_gross_price(billing) -> None:
    response = await billing.client.get("/catalog/products/AIR_1H")
    assert response.status_code == 200
    assert response.json() == {
        "code": "AIR_1H",
        "kind": "PASS",
        "scope": "AIR",
        "name": "AIR repair information pass, 1 hour",
        "description": "",
        "duration_seconds": 3600,
        "net_minor": 700,
        "currency": "EUR",
        "price": {
            "net_minor": 700,
            "vat_minor": 133,
            "gross_minor": 833,
            "vat_rate_bp": 1900,
            "currency": "EUR",
        },
        "stock_available": None,
        "weight_grams": None,
    }


async def test_a_tool_shows_its_stock_and_weight_and_no_scope(billing) -> None:
    tool = (await billing.client.get("/catalog/products/TOOL_PROGRAMMING_CHARGER")).json()
    assert (tool["kind"], tool["scope"], tool["duration_seconds"]) == ("TOOL", None, None)
    assert (tool["stock_available"], tool["weight_grams"]) == (10, 7500)
    assert tool["price"]["gross_minor"] == 64900 + 12331


async def test_catalog_programming_year_pass_price(billing) -> None:
    response = await billing.client.get("/catalog/products/PROGRAMMING_1Y")
    assert response.json()["price"] == {
        "net_minor": 850000,
        "vat_minor": 161500,
        "gross_minor": 1011500,
        "vat_rate_bp": 1900,
        "currency": "EUR",
    }
    assert response.json()["duration_seconds"] == 365 * 86400


async def test_unknown_product_code_is_404_problem(billing) -> None:
    response = await billing.client.get("/catalog/products/AIR_2H")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/product-not-found"
    assert "GET /catalog/products" in response.json()["detail"]


async def test_overlong_product_code_is_422_problem(billing) -> None:
    response = await billing.client.get("/catalog/products/" + "X" * 65)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_seeding_again_adds_nothing_and_keeps_a_changed_price(billing) -> None:
    await billing.sql("UPDATE products SET net_minor = 800 WHERE code = 'AIR_1H'")
    async with billing.app.state.database.transaction() as session:
        added = await seed_catalog(session)
    assert added == 0
    assert await billing.sql("SELECT count(*) FROM products") == [(16,)]
    response = await billing.client.get("/catalog/products/AIR_1H")
    assert response.json()["price"]["net_minor"] == 800
    assert response.json()["price"]["gross_minor"] == 952  # 800 + 152


async def test_withdrawn_product_is_not_listed(billing) -> None:
    await billing.sql("UPDATE products SET active = false WHERE code = 'AIR_1W'")
    response = await billing.client.get("/catalog/products")
    assert "AIR_1W" not in [p["code"] for p in response.json()["items"]]
    assert (await billing.client.get("/catalog/products/AIR_1W")).status_code == 404


async def test_indicative_vat_is_the_seller_countrys_standard_rate(start_billing) -> None:
    async with start_billing(seller_country="FI") as billing:
        response = await billing.client.get("/catalog/products/AIR_1D")
    assert response.json()["price"] == {
        "net_minor": 3000,
        "vat_minor": 765,
        "gross_minor": 3765,
        "vat_rate_bp": 2550,
        "currency": "EUR",
    }
