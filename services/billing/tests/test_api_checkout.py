"""Checkout: the quote (lines, VAT per line, shipping, pass windows, terms) and the order it
places, paid through the test provider."""

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

import pytest

from aos.events.v1 import billing_pb2

PROBLEM = "application/problem+json"
VIN = "WBA8E9G50GNT12345"
OTHER_VIN = "WBA8E9G50GNT54321"
REVERSE_CHARGE_NOTE = "Art. 196"


async def quote(billing, org, body):
    """POST /checkout/quote with ``body`` less the confirmation (a quote takes none)."""
    body = {k: v for k, v in body.items() if k not in ("accept_terms", "terms_version")}
    return await billing.client.post("/checkout/quote", json=body, headers=org.headers)


async def test_quote_for_a_german_customer_prices_each_line_with_19_percent_and_ships(
    billing,
) -> None:
    org = await billing.buyer(country="DE")
    response = await quote(
        billing, org, billing.cart(("AIR_1W", 1), ("TOOL_PROGRAMMING_CHARGER", 1))
    )
    assert response.status_code == 200, response.text
    body = response.json()
    pass_line, tool_line = body["lines"]
    assert (pass_line["net_minor"], pass_line["vat_rate_bp"], pass_line["vat_minor"]) == (
        13000,
        1900,
        2470,
    )
    assert (tool_line["net_minor"], tool_line["vat_minor"], tool_line["window"]) == (
        64900,
        12331,
        None,
    )
    # 7.5 kg within Germany: 6.90 net, 19 % VAT rounded half up per line.
    assert body["shipping"] == {
        "net_minor": 690,
        "vat_minor": 131,
        "gross_minor": 821,
        "rule": "domestic, 7.5 kg in 1 parcel",
    }
    assert body["totals"] == {
        "net_minor": 78590,
        "vat_minor": 14932,
        "gross_minor": 93522,
        "currency": "EUR",
    }
    assert body["vat_breakdown"] == [{"rate_bp": 1900, "net_minor": 78590, "vat_minor": 14932}]
    assert body["tax"] == {
        "treatment": "DOMESTIC",
        "note": None,
        "customer_country": "DE",
        "vat_id": None,
        "vat_id_status": "none",
    }
    assert body["requires_shipping"] is True
    assert body["shipping_address"] == {
        "name": "Muster Kfz GmbH",
        "street": "Hauptstrasse 5",
        "postcode": "10115",
        "city": "Berlin",
        "country": "DE",
    }
    assert body["terms"] == {
        "version": billing.settings.terms_version,
        "url": billing.settings.terms_url,
    }
    window = pass_line["window"]
    length = datetime.fromisoformat(window["valid_until"]) - datetime.fromisoformat(
        window["valid_from"]
    )
    assert length == timedelta(days=7)
    # A quote places nothing and reserves nothing.
    assert await billing.sql("SELECT count(*) FROM orders") == [(0,)]
    assert await billing.sql(
        "SELECT stock_available FROM products WHERE code = 'TOOL_PROGRAMMING_CHARGER'"
    ) == [(10,)]


@pytest.mark.parametrize(
    ("country", "vat_id", "treatment", "rate_bp", "status"),
    [
        ("AT", "ATU13585627", "REVERSE_CHARGE", 0, "valid"),
        ("FR", "", "OSS", 2000, "none"),
        ("CH", "", "OUTSIDE_EU", 0, "none"),
        # A VAT id that fails its check digits counts as none: the customer country's rate.
        ("AT", "ATU13585626", "OSS", 2000, "invalid"),
    ],
)
async def test_quote_applies_the_vat_rules_of_the_customer(
    billing, country, vat_id, treatment, rate_bp, status
) -> None:
    org = await billing.buyer(country=country, vat_id=vat_id)
    body = (await quote(billing, org, billing.cart(("AIR_1D", 1)))).json()
    [line] = body["lines"]
    assert (line["vat_rate_bp"], line["vat_minor"]) == (rate_bp, 3000 * rate_bp // 10000)
    assert (body["tax"]["treatment"], body["tax"]["vat_id_status"]) == (treatment, status)
    if rate_bp == 0:
        assert body["tax"]["note"]
    else:
        assert body["tax"]["note"] is None


async def test_an_eu_business_buying_a_pass_and_a_tool_gets_both_legal_notes(billing) -> None:
    org = await billing.buyer(country="AT", vat_id="ATU13585627", city="Wien", postcode="1010")
    body = (await quote(billing, org, billing.cart(("AIR_1D", 1), ("TOOL_ENET_CABLE", 2)))).json()
    assert body["tax"]["treatment"] == "REVERSE_CHARGE"
    assert REVERSE_CHARGE_NOTE in body["tax"]["note"]
    assert "Art. 138" in body["tax"]["note"]
    # 0.5 kg to another member state: 9.90, no VAT (intra-Community supply).
    assert body["shipping"]["net_minor"] == 990
    assert body["totals"]["vat_minor"] == 0
    assert body["totals"]["net_minor"] == 3000 + 2 * 3900 + 990


async def test_the_window_of_a_pass_is_chained_after_the_time_already_held(billing) -> None:
    org = await billing.buyer()
    await billing.buy(org, "AIR_1H")
    [held] = (await billing.client.get("/entitlements", headers=org.headers)).json()["items"]
    body = (await quote(billing, org, billing.cart(("AIR_1D", 1), ("AIR_1H", 1)))).json()
    first, second = (line["window"] for line in body["lines"])
    assert first["valid_from"] == held["valid_until"]
    assert second["valid_from"] == first["valid_until"]


async def test_a_vin_pass_starts_now_beside_a_running_time_pass(billing) -> None:
    org = await billing.buyer()
    await billing.buy(org, "AIR_1D")
    [held] = (await billing.client.get("/entitlements", headers=org.headers)).json()["items"]
    body = (await quote(billing, org, billing.cart(("AIR_VIN_24H", 1, VIN)))).json()
    [line] = body["lines"]
    assert line["vin"] == VIN
    assert datetime.fromisoformat(line["window"]["valid_from"]) < datetime.fromisoformat(
        held["valid_until"]
    )


async def test_checkout_places_the_order_pays_it_and_grants_one_pass_per_line(billing) -> None:
    org = await billing.buyer()
    response = await billing.checkout(
        org,
        billing.cart(
            ("AIR_1W", 1),
            ("AIR_VIN_24H", 1, VIN.lower()),
            ("TOOL_PROGRAMMING_CHARGER", 1),
        ),
    )
    assert response.status_code == 201, response.text
    placed = response.json()
    assert placed["payment"]["status"] == "pending"
    order = placed["order"]
    assert order["status"] == "pending_payment"
    assert [line["kind"] for line in order["lines"]] == ["PASS", "VIN_PASS", "TOOL"]
    assert order["lines"][1]["vin"] == VIN  # normalised to capitals
    assert order["reservation_expires_at"] is not None
    assert await billing.sql(
        "SELECT stock_available FROM products WHERE code = 'TOOL_PROGRAMMING_CHARGER'"
    ) == [(9,)]

    paid = await billing.wait_for_status(org, order["id"], "paid")
    assert paid["fulfilment"]["status"] == "awaiting_pick"
    by_code = {line["product_code"]: line for line in paid["lines"]}
    assert by_code["TOOL_PROGRAMMING_CHARGER"]["entitlement_id"] is None
    entitlements = (await billing.client.get("/entitlements", headers=org.headers)).json()["items"]
    assert {(e["scope"], e["vin"]) for e in entitlements} == {("AIR", None), ("AIR", VIN)}
    assert {e["id"] for e in entitlements} == {
        by_code["AIR_1W"]["entitlement_id"],
        by_code["AIR_VIN_24H"]["entitlement_id"],
    }
    assert all(e["active"] for e in entitlements)

    summary = (await billing.client.get("/entitlements/summary", headers=org.headers)).json()
    [vin_pass] = summary["vin_passes"]
    assert (vin_pass["scope"], vin_pass["vin"]) == ("AIR", VIN)
    air = next(s for s in summary["scopes"] if s["scope"] == "AIR")
    # The time pass's coverage is the week alone: the VIN pass covers one car only.
    assert len(air["windows"]) == 1

    rows = await billing.sql("SELECT event_type, payload FROM outbox ORDER BY id")
    # The invoice is numbered first, so OrderPaid can name it.
    assert [r.event_type for r in rows] == [
        "aos.events.v1.InvoiceIssued",
        "aos.events.v1.OrderPaid",
        "aos.events.v1.EntitlementGranted",
        "aos.events.v1.EntitlementGranted",
    ]
    issued = billing_pb2.InvoiceIssued.FromString(rows[0].payload)
    assert (issued.order_id, issued.gross_minor) == (paid["id"], paid["totals"]["gross_minor"])
    assert [i["number"] for i in paid["invoices"]] == [issued.number]
    order_paid = billing_pb2.OrderPaid.FromString(rows[1].payload)
    assert order_paid.invoice_number == issued.number
    assert order_paid.amount_minor == paid["totals"]["gross_minor"]
    assert [(li.product_code, li.quantity, li.vin, li.net_minor) for li in order_paid.lines] == [
        ("AIR_1W", 1, "", 13000),
        ("AIR_VIN_24H", 1, VIN, 1500),
        ("TOOL_PROGRAMMING_CHARGER", 1, "", 64900),
    ]
    granted = [billing_pb2.EntitlementGranted.FromString(r.payload) for r in rows[2:]]
    assert sorted(g.vin for g in granted) == ["", VIN]


async def test_two_vin_passes_chain_per_vehicle_and_not_across_vehicles(billing) -> None:
    org = await billing.buyer()
    response = await billing.checkout(
        org,
        billing.cart(
            ("PROGRAMMING_VIN_24H", 1, VIN),
            ("PROGRAMMING_VIN_24H", 1, VIN),
            ("PROGRAMMING_VIN_24H", 1, OTHER_VIN),
        ),
    )
    assert response.status_code == 201, response.text
    await billing.wait_for_status(org, response.json()["order"]["id"], "paid")
    items = (await billing.client.get("/entitlements", headers=org.headers)).json()["items"]
    same = sorted((e for e in items if e["vin"] == VIN), key=lambda e: e["valid_from"])
    [other] = [e for e in items if e["vin"] == OTHER_VIN]
    assert same[1]["valid_from"] == same[0]["valid_until"]
    assert other["valid_from"] == same[0]["valid_from"]


async def test_checkout_replayed_with_its_key_places_one_order_and_reserves_once(billing) -> None:
    org = await billing.buyer()
    body = billing.cart(("TOOL_ENET_CABLE", 3))
    first = await billing.checkout(org, body, key="cart-1")
    again = await billing.checkout(org, body, key="cart-1")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert await billing.sql("SELECT count(*) FROM orders") == [(1,)]
    assert await billing.sql(
        "SELECT stock_available FROM products WHERE code = 'TOOL_ENET_CABLE'"
    ) == [(97,)]


async def test_checkout_without_accepting_the_terms_is_409_and_places_nothing(billing) -> None:
    org = await billing.buyer()
    response = await billing.checkout(org, billing.cart(("AIR_1D", 1), accept_terms=False))
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["code"] == "terms-not-accepted"
    assert problem["terms_version"] == billing.settings.terms_version
    assert await billing.sql("SELECT count(*) FROM orders") == [(0,)]


async def test_checkout_with_outdated_terms_is_409_naming_the_current_version(billing) -> None:
    org = await billing.buyer()
    response = await billing.checkout(
        org, billing.cart(("TOOL_ENET_CABLE", 1), terms_version="2020-01")
    )
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "terms-outdated"
    assert billing.settings.terms_version in problem["detail"]
    assert await billing.sql(
        "SELECT stock_available FROM products WHERE code = 'TOOL_ENET_CABLE'"
    ) == [(100,)]


@pytest.mark.parametrize(
    ("line", "field", "code"),
    [
        ({"product_code": "AIR_VIN_24H"}, "lines.0.vin", "vin-required"),
        ({"product_code": "AIR_1D", "vin": VIN}, "lines.0.vin", "vin-not-allowed"),
        ({"product_code": "TOOL_ENET_CABLE", "vin": VIN}, "lines.0.vin", "vin-not-allowed"),
        ({"product_code": "AIR_VIN_24H", "vin": "WBA8E9G50GNT1234O"}, "lines.0.vin", "vin-invalid"),
        ({"product_code": "AIR_VIN_24H", "vin": "WBA8E9"}, "lines.0.vin", "vin-invalid"),
        ({"product_code": "AIR_1D", "quantity": 2}, "lines.0.quantity", "pass-quantity-one"),
        (
            {"product_code": "TOOL_ENET_CABLE", "quantity": 100},
            "lines.0.quantity",
            "less_than_equal",
        ),
        ({"product_code": "NOPE"}, "lines.0.product_code", "unknown-product"),
    ],
)
async def test_impossible_lines_are_422_naming_the_field(billing, line, field, code) -> None:
    org = await billing.buyer()
    for path in ("/checkout/quote", "/checkout"):
        body = {"lines": [line], "accept_terms": True, "terms_version": "2026-12"}
        if path.endswith("quote"):
            body = {"lines": [line]}
        response = await billing.client.post(path, json=body, headers=org.purchase_headers())
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == PROBLEM
        [error] = response.json()["errors"]
        assert (error["field"], error["code"]) == (field, code)
    assert await billing.sql("SELECT count(*) FROM orders") == [(0,)]


async def test_vin_with_letter_o_says_what_was_meant(billing) -> None:
    org = await billing.buyer()
    response = await quote(
        billing, org, {"lines": [{"product_code": "AIR_VIN_24H", "vin": "WBA8E9G50GNT1234O"}]}
    )
    assert "did you mean 0" in response.json()["errors"][0]["message"]


async def test_tools_need_a_shipping_address_when_the_company_has_none(billing) -> None:
    org = await billing.buyer(street="")
    response = await quote(billing, org, billing.cart(("TOOL_OBD_EXTENSION", 1)))
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("shipping_address", "shipping-address-required")
    # Passes alone ship nothing, so they need no address.
    assert (await quote(billing, org, billing.cart(("AIR_1D", 1)))).status_code == 200


async def test_a_given_shipping_address_decides_the_shipping_zone(billing) -> None:
    org = await billing.buyer(street="")
    address = {
        "name": "Muster Kfz, Werk Denver",
        "street": "1 Main St",
        "postcode": "80202",
        "city": "Denver",
        "country": "US",
    }
    body = (
        await quote(
            billing,
            org,
            billing.cart(("TOOL_PROGRAMMING_CHARGER", 1), shipping_address=address),
        )
    ).json()
    assert body["shipping_address"] == address
    assert body["shipping"]["net_minor"] == 4490
    assert body["shipping"]["rule"].startswith("world")


async def test_checkout_before_billing_knows_the_company_is_409_company_data_missing(
    billing,
) -> None:
    org = billing.org()
    response = await billing.checkout(org, billing.cart(("AIR_1D", 1)))
    assert response.status_code == 409
    assert response.json()["code"] == "company-data-missing"


async def test_a_technician_may_neither_quote_nor_check_out(billing) -> None:
    org = await billing.buyer()
    technician = billing.member(org, roles=("technician",))
    for path in ("/checkout/quote", "/checkout"):
        response = await billing.client.post(
            path, json=billing.cart(("AIR_1D", 1)), headers=technician.purchase_headers()
        )
        assert response.status_code == 403
        assert response.json()["code"] == "role-forbidden"


async def test_an_order_placed_at_checkout_is_invisible_to_another_organisation(billing) -> None:
    org, other = await billing.buyer(), await billing.buyer()
    placed = (await billing.checkout(org, billing.cart(("AIR_1D", 1)))).json()["order"]
    response = await billing.client.get(f"/orders/{placed['id']}", headers=other.headers)
    assert response.status_code == 404
    listed = (await billing.client.get("/orders", headers=other.headers)).json()["items"]
    assert listed == []


async def test_an_unreachable_payment_provider_leaves_the_order_placed_to_pay_later(
    billing, monkeypatch: pytest.MonkeyPatch
) -> None:
    from billing.providers.base import PaymentProviderError

    provider = billing.provider
    create_payment = provider.create_payment

    async def unreachable(**_: object) -> None:
        raise PaymentProviderError("connection refused")

    org = await billing.buyer()
    monkeypatch.setattr(provider, "create_payment", unreachable)
    response = await billing.checkout(org, billing.cart(("TOOL_ENET_CABLE", 1)))
    assert response.status_code == 201, response.text
    placed = response.json()
    assert placed["payment"] is None
    assert placed["order"]["status"] == "pending_payment"
    assert placed["order"]["payment_id"] is None
    assert await billing.sql(
        "SELECT stock_available FROM products WHERE code = 'TOOL_ENET_CABLE'"
    ) == [(99,)]

    monkeypatch.setattr(provider, "create_payment", create_payment)
    await billing.pay(org, placed["order"]["id"])
    await billing.wait_for_status(org, placed["order"]["id"], "paid")


async def test_a_quote_ignores_the_passes_of_other_organisations(billing) -> None:
    holder, other = await billing.buyer(), await billing.buyer()
    await billing.buy(holder, "AIR_1W")
    body = (await quote(billing, other, billing.cart(("AIR_1D", 1)))).json()
    [line] = body["lines"]
    start = datetime.fromisoformat(line["window"]["valid_from"])
    # Starts now, not a week from now behind the other organisation's pass.
    assert abs(start - datetime.now(UTC)) < timedelta(minutes=5)


async def test_an_order_has_the_agreed_shape(billing) -> None:
    org = await billing.buyer()
    placed = await billing.checkout(org, billing.cart(("AIR_1D", 1), ("TOOL_ENET_CABLE", 1)))
    order = placed.json()["order"]
    assert {
        "id",
        "status",
        "created_at",
        "paid_at",
        "lines",
        "totals",
        "tax",
        "shipping_address",
        "fulfilment",
        "reservation_expires_at",
        "invoices",
    } <= set(order)
    assert set(order["lines"][0]) == {
        "id",
        "product_code",
        "name",
        "kind",
        "scope",
        "quantity",
        "vin",
        "unit_net_minor",
        "net_minor",
        "vat_rate_bp",
        "vat_minor",
        "gross_minor",
        "entitlement_id",
        "refundable",
    }
    assert set(order["fulfilment"]) == {
        "status",
        "carrier",
        "tracking_number",
        "shipped_at",
        "delivered_at",
    }
    assert order["fulfilment"]["status"] == "none"  # until paid
    assert set(order["tax"]) == {"treatment", "note", "customer_country", "vat_id", "vat_id_status"}


async def test_concurrent_payments_of_one_vehicles_passes_chain_without_overlap(billing) -> None:
    org = await billing.buyer()
    answers = await asyncio.gather(
        *(billing.checkout(org, billing.cart(("PROGRAMMING_VIN_24H", 1, VIN))) for _ in range(4))
    )
    assert [a.status_code for a in answers] == [201] * 4
    for answer in answers:
        await billing.wait_for_status(org, answer.json()["order"]["id"], "paid")
    items = (await billing.client.get("/entitlements", headers=org.headers)).json()["items"]
    windows = sorted((e["valid_from"], e["valid_until"]) for e in items)
    assert len(windows) == 4
    for (_, end), (start, _) in itertools.pairwise(windows):
        assert start == end


@pytest.mark.parametrize(("country", "accepted"), [("at", True), ("XX", False), ("DEU", False)])
async def test_the_shipping_country_must_be_a_country(billing, country, accepted) -> None:
    org = await billing.buyer()
    address = {"name": "W", "street": "S 1", "postcode": "1010", "city": "Wien", "country": country}
    response = await quote(
        billing, org, billing.cart(("TOOL_ENET_CABLE", 1), shipping_address=address)
    )
    if accepted:
        assert response.json()["shipping_address"]["country"] == "AT"
    else:
        assert response.status_code == 422
        [error] = response.json()["errors"]
        assert (error["field"], error["code"]) == ("shipping_address.country", "country-unknown")
