import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

PROBLEM = "application/problem+json"


async def test_entitlements_of_a_new_organisation_are_empty(billing) -> None:
    org = billing.org()
    response = await billing.client.get("/entitlements", headers=org.headers)
    assert response.status_code == 200
    assert response.json() == {"items": []}


async def test_active_filter_keeps_only_the_window_covering_now(billing) -> None:
    org = billing.org()
    first = await billing.buy(org, "AIR_1H")
    second = await billing.buy(org, "AIR_1H")
    active = await billing.client.get("/entitlements?active=true", headers=org.headers)
    inactive = await billing.client.get("/entitlements?active=false", headers=org.headers)
    assert [e["order_id"] for e in active.json()["items"]] == [first["id"]]
    assert [e["order_id"] for e in inactive.json()["items"]] == [second["id"]]


async def test_expired_entitlement_has_no_time_left_and_is_not_active(billing) -> None:
    org = billing.org()
    order = await billing.buy(org, "AIR_1H")
    await billing.sql(
        "UPDATE entitlements SET valid_from = now() - interval '2 hours', "
        "valid_until = now() - interval '1 hour' WHERE order_id = :id",
        id=order["id"],
    )
    [entitlement] = (await billing.client.get("/entitlements", headers=org.headers)).json()["items"]
    assert entitlement["seconds_left"] == 0
    assert entitlement["active"] is False
    active = await billing.client.get("/entitlements?active=true", headers=org.headers)
    assert active.json()["items"] == []


async def test_purchase_after_an_expired_pass_starts_now(billing) -> None:
    org = billing.org()
    old = await billing.buy(org, "AIR_1H")
    await billing.sql(
        "UPDATE entitlements SET valid_from = now() - interval '2 hours', "
        "valid_until = now() - interval '1 hour' WHERE order_id = :id",
        id=old["id"],
    )
    new = await billing.buy(org, "AIR_1H")
    items = (await billing.client.get("/entitlements?active=true", headers=org.headers)).json()[
        "items"
    ]
    assert [e["order_id"] for e in items] == [new["id"]]
    assert datetime.fromisoformat(items[0]["valid_from"]) == datetime.fromisoformat(new["paid_at"])


async def test_entitlements_are_not_visible_to_another_organisation(billing) -> None:
    org_a, org_b = billing.org(), billing.org()
    await billing.buy(org_a)
    response = await billing.client.get("/entitlements", headers=org_b.headers)
    assert response.json() == {"items": []}
    summary = (await billing.client.get("/entitlements/summary", headers=org_b.headers)).json()
    assert all(s["active"] is False for s in summary["scopes"])


async def test_summary_lists_every_scope_with_nothing_left_when_nothing_was_bought(
    billing,
) -> None:
    org = billing.org()
    response = await billing.client.get("/entitlements/summary", headers=org.headers)
    assert response.status_code == 200
    assert response.json()["scopes"] == [
        {"scope": "AIR", "active": False, "valid_until": None, "seconds_left": 0, "windows": []},
        {
            "scope": "PROGRAMMING",
            "active": False,
            "valid_until": None,
            "seconds_left": 0,
            "windows": [],
        },
    ]


async def test_summary_shows_the_end_of_the_running_chain_per_scope(billing) -> None:
    org = billing.org()
    await billing.buy(org, "PROGRAMMING_1H")
    await billing.buy(org, "PROGRAMMING_1H")
    summary = (await billing.client.get("/entitlements/summary", headers=org.headers)).json()
    programming = next(s for s in summary["scopes"] if s["scope"] == "PROGRAMMING")
    assert programming["active"] is True
    assert 7190 <= programming["seconds_left"] <= 7200
    air = next(s for s in summary["scopes"] if s["scope"] == "AIR")
    assert air["active"] is False


async def test_summary_shows_time_bought_on_top_of_a_running_pass(billing) -> None:
    """An hour bought while a day pass runs: the combined end moves by the hour, and both
    windows are listed, the day running and the hour queued right behind it."""
    org = billing.org()
    day = await billing.buy(org, "AIR_1D")
    hour = await billing.buy(org, "AIR_1H")
    entitlements = {
        e["order_id"]: e
        for e in (await billing.client.get("/entitlements", headers=org.headers)).json()["items"]
    }
    day_window, hour_window = entitlements[day["id"]], entitlements[hour["id"]]
    summary = (await billing.client.get("/entitlements/summary", headers=org.headers)).json()
    air = next(s for s in summary["scopes"] if s["scope"] == "AIR")
    assert air["active"] is True
    assert air["valid_until"] == hour_window["valid_until"]
    assert air["windows"] == [
        {
            "valid_from": day_window["valid_from"],
            "valid_until": day_window["valid_until"],
            "active": True,
        },
        {
            "valid_from": day_window["valid_until"],
            "valid_until": hour_window["valid_until"],
            "active": False,
        },
    ]
    end = datetime.fromisoformat(air["valid_until"])
    assert end - datetime.fromisoformat(day_window["valid_from"]) == timedelta(hours=25)


async def test_entitlements_need_a_token(billing) -> None:
    for path in ("/entitlements", "/entitlements/summary"):
        response = await billing.client.get(path)
        assert response.status_code == 401
        assert response.headers["content-type"] == PROBLEM


async def test_non_boolean_active_filter_is_422_problem(billing) -> None:
    org = billing.org()
    response = await billing.client.get("/entitlements?active=maybe", headers=org.headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


async def test_database_refuses_overlapping_windows_of_one_scope(billing) -> None:
    org = billing.org()
    order = await billing.buy(org, "AIR_1H")
    other = await billing.order(org, "AIR_1H")
    with pytest.raises(IntegrityError, match="ex_entitlements_no_overlap"):
        await billing.sql(
            "INSERT INTO entitlements (id, organization_id, scope, order_id, order_line_id, "
            "valid_from, valid_until) SELECT gen_random_uuid(), organization_id, scope, :other, "
            "(SELECT id FROM order_lines WHERE order_id = :other), "
            "valid_from + interval '1 minute', valid_until + interval '1 minute' "
            "FROM entitlements WHERE order_id = :id",
            id=order["id"],
            other=other["id"],
        )


async def copy_window(billing, entitlement_id: str, *, vin: str | None, shift: timedelta) -> None:
    """Insert a copy of a window (shifted by ``shift``) for a new line of the same order."""
    line_id = uuid.uuid4()
    await billing.sql(
        "INSERT INTO order_lines (id, order_id, position, product_code, kind, scope, name, "
        "quantity, unit_net_minor, net_minor, vat_rate_bp, vat_minor, gross_minor, vin, "
        "duration_seconds) SELECT :line, order_id, "
        "(SELECT max(position) + 1 FROM order_lines o WHERE o.order_id = order_lines.order_id), "
        "product_code, "
        "CASE WHEN CAST(:vin AS text) IS NULL THEN 'PASS' ELSE 'VIN_PASS' END, scope, name, 1, "
        "0, 0, 0, 0, 0, :vin, duration_seconds FROM order_lines "
        "WHERE id = (SELECT order_line_id FROM entitlements WHERE id = :id)",
        line=line_id,
        vin=vin,
        id=entitlement_id,
    )
    await billing.sql(
        "INSERT INTO entitlements (id, organization_id, scope, order_id, order_line_id, vin, "
        "valid_from, valid_until) SELECT gen_random_uuid(), organization_id, scope, order_id, "
        ":line, :vin, valid_from + :shift, "
        "valid_until + :shift FROM entitlements WHERE id = :id",
        line=line_id,
        vin=vin,
        shift=shift,
        id=entitlement_id,
    )


async def test_database_refuses_overlapping_windows_of_one_vin_but_not_beside_a_time_pass(
    billing,
) -> None:
    org = await billing.buyer()
    vin = "WBA8E9G50GNT12345"
    placed = await billing.checkout(org, billing.cart(("AIR_VIN_24H", 1, vin)))
    await billing.wait_for_status(org, placed.json()["order"]["id"], "paid")
    [granted] = (await billing.client.get("/entitlements", headers=org.headers)).json()["items"]

    # A time pass, and another vehicle's pass, may overlap it.
    await copy_window(billing, granted["id"], vin=None, shift=timedelta(minutes=1))
    await copy_window(billing, granted["id"], vin="WBA8E9G50GNT54321", shift=timedelta(minutes=1))
    with pytest.raises(IntegrityError, match="ex_entitlements_no_overlap"):
        await copy_window(billing, granted["id"], vin=vin, shift=timedelta(minutes=1))

    # A refunded window no longer counts.
    await billing.sql("UPDATE entitlements SET revoked_at = now() WHERE id = :id", id=granted["id"])
    await copy_window(billing, granted["id"], vin=vin, shift=timedelta(minutes=1))
