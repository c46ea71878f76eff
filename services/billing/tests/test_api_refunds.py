"""Refunds: an unused pass cancelled within the refund period is revoked, its line marked
refunded and credited, and EntitlementRevoked recorded; every other case is refused with a
reason. "Used" comes from the usage read model (air's and programming's events)."""

import asyncio
import uuid

import pytest

from aos.events.v1 import billing_pb2

PROBLEM = "application/problem+json"


async def bought_pass(billing, org, code: str = "AIR_1D", vin: str | None = None) -> dict:
    """The entitlement of a freshly paid pass."""
    order = await billing.buy(org, code, vin=vin)
    [line] = order["lines"]
    response = await billing.client.get("/entitlements", headers=org.headers)
    return next(e for e in response.json()["items"] if e["id"] == line["entitlement_id"])


async def refund(billing, org, entitlement_id: str, key: str | None = None):
    return await billing.client.post(
        f"/entitlements/{entitlement_id}/refund", headers=org.purchase_headers(key)
    )


async def test_a_pass_just_bought_is_refunded_and_its_window_revoked(billing) -> None:
    org = await billing.buyer()
    entitlement = await bought_pass(billing, org)

    response = await refund(billing, org, entitlement["id"])

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["entitlement_id"] == entitlement["id"]
    # The credit note takes back exactly the line the invoice charged.
    [(invoice_number, credited_number, credit_gross, invoice_gross)] = await billing.sql(
        "SELECT i.number, c.number, c.gross_minor, i.gross_minor FROM invoices c "
        "JOIN invoices i ON i.id = c.credited_invoice_id WHERE c.kind = 'credit_note'"
    )
    assert body["credit_note"]["number"] == credited_number
    assert credit_gross == invoice_gross
    assert invoice_number != credited_number
    [after] = (await billing.client.get("/entitlements", headers=org.headers)).json()["items"]
    assert after["revoked_at"] is not None
    assert (after["active"], after["seconds_left"]) == (False, 0)
    summary = (await billing.client.get("/entitlements/summary", headers=org.headers)).json()
    air = next(s for s in summary["scopes"] if s["scope"] == "AIR")
    assert (air["active"], air["windows"]) == (False, [])
    [order] = (await billing.client.get("/orders", headers=org.headers)).json()["items"]
    assert order["lines"][0]["refundable"] is False
    assert await billing.sql("SELECT refunded_at IS NOT NULL FROM order_lines") == [(True,)]

    [row] = await billing.sql(
        "SELECT aggregate_id, payload FROM outbox "
        "WHERE event_type = 'aos.events.v1.EntitlementRevoked'"
    )
    revoked = billing_pb2.EntitlementRevoked.FromString(row.payload)
    assert row.aggregate_id == str(org.id)
    assert revoked.entitlement_id == entitlement["id"]
    assert revoked.reason == billing_pb2.REVOCATION_REASON_REFUNDED
    assert revoked.scope == billing_pb2.SCOPE_AIR
    assert revoked.order_id == order["id"]


async def test_a_refunded_window_leaves_the_chain_so_the_next_pass_starts_now(billing) -> None:
    org = await billing.buyer()
    first = await bought_pass(billing, org, "AIR_1W")
    assert (await refund(billing, org, first["id"])).status_code == 200
    second = await bought_pass(billing, org, "AIR_1H")
    # Had the refunded week still counted, the hour would start a week from now.
    assert second["valid_from"] < first["valid_until"]
    assert second["active"] is True


async def record_usage(billing, org, *, kind: str, vin: str = "", entitlement_id=None, at="now()"):
    """A fact of the usage read model, as billing's usage consumer writes it."""
    await billing.sql(
        "INSERT INTO usage_facts (kind, id, organization_id, user_id, vin, occurred_at, day, "
        f"entitlement_id, event_id) VALUES (:kind, :id, :org, :user, :vin, {at}, "
        f"({at})::date, :entitlement, :event)",
        kind=kind,
        id=uuid.uuid4(),
        org=org.id,
        user=uuid.uuid4(),
        vin=vin,
        entitlement=entitlement_id,
        event=uuid.uuid4(),
    )


async def test_a_queued_pass_is_unused_while_the_running_one_is_used(billing) -> None:
    org = await billing.buyer()
    running = await bought_pass(billing, org, "AIR_1D")
    queued = await bought_pass(billing, org, "AIR_1D")
    await record_usage(billing, org, kind="air_search", entitlement_id=running["id"])
    assert (await refund(billing, org, running["id"])).json()["code"] == "pass-used"
    assert (await refund(billing, org, queued["id"])).status_code == 200


async def test_a_pass_running_for_hours_but_never_used_is_refunded(billing) -> None:
    org = await billing.buyer()
    entitlement = await bought_pass(billing, org)
    await billing.sql(
        "UPDATE entitlements SET valid_from = valid_from - interval '5 hours', "
        "valid_until = valid_until - interval '5 hours' WHERE id = :id",
        id=entitlement["id"],
    )
    assert (await refund(billing, org, entitlement["id"])).status_code == 200


async def test_a_programming_session_on_another_car_does_not_use_a_vin_pass(billing) -> None:
    org = await billing.buyer()
    vin_pass = await bought_pass(billing, org, "PROGRAMMING_VIN_24H", vin="WBA5F3103MFX12345")
    time_pass = await bought_pass(billing, org, "PROGRAMMING_1D")
    await record_usage(billing, org, kind="programming_session", vin="WBA5F3103MFX99999")
    # The session used the time pass (any vehicle), not the pass for another car.
    assert (await refund(billing, org, time_pass["id"])).json()["code"] == "pass-used"
    assert (await refund(billing, org, vin_pass["id"])).status_code == 200


async def test_a_pass_with_recorded_usage_is_409_pass_used(billing) -> None:
    org = await billing.buyer()
    entitlement = await bought_pass(billing, org)
    await record_usage(billing, org, kind="air_document", entitlement_id=entitlement["id"])
    response = await refund(billing, org, entitlement["id"])
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "pass-used"
    assert await billing.sql("SELECT revoked_at FROM entitlements") == [(None,)]


async def test_a_refund_after_the_refund_period_is_409(billing) -> None:
    org = await billing.buyer()
    entitlement = await bought_pass(billing, org)
    await billing.sql("UPDATE orders SET paid_at = paid_at - interval '25 hours'")
    response = await refund(billing, org, entitlement["id"])
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "refund-period-over"
    assert "24 hours" in problem["detail"]
    assert await billing.sql("SELECT count(*) FROM outbox WHERE event_type LIKE '%Revoked'") == [
        (0,)
    ]


async def test_a_second_refund_is_409_already_refunded_and_records_nothing_more(billing) -> None:
    org = await billing.buyer()
    entitlement = await bought_pass(billing, org)
    assert (await refund(billing, org, entitlement["id"])).status_code == 200
    again = await refund(billing, org, entitlement["id"])
    assert again.status_code == 409
    assert again.json()["code"] == "already-refunded"
    assert await billing.sql("SELECT count(*) FROM outbox WHERE event_type LIKE '%Revoked'") == [
        (1,)
    ]


async def test_a_refund_repeated_with_its_key_replays_the_answer(billing) -> None:
    org = await billing.buyer()
    entitlement = await bought_pass(billing, org)
    first = await refund(billing, org, entitlement["id"], key="refund-1")
    again = await refund(billing, org, entitlement["id"], key="refund-1")
    assert first.status_code == again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"


async def test_concurrent_refunds_of_one_pass_revoke_it_once(billing) -> None:
    org = await billing.buyer()
    entitlement = await bought_pass(billing, org)
    answers = await asyncio.gather(*(refund(billing, org, entitlement["id"]) for _ in range(5)))
    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409, 409]
    assert await billing.sql("SELECT count(*) FROM outbox WHERE event_type LIKE '%Revoked'") == [
        (1,)
    ]


async def test_another_organisations_pass_is_404_and_stays(billing) -> None:
    org, other = await billing.buyer(), await billing.buyer()
    entitlement = await bought_pass(billing, org)
    response = await refund(billing, other, entitlement["id"])
    assert response.status_code == 404
    assert response.json()["code"] == "entitlement-not-found"
    assert await billing.sql("SELECT revoked_at FROM entitlements") == [(None,)]
    unknown = await refund(billing, org, str(uuid.uuid4()))
    assert unknown.status_code == 404


@pytest.mark.parametrize("role", ["technician", "accountant"])
async def test_only_owners_and_admins_may_refund(billing, role) -> None:
    org = await billing.buyer()
    entitlement = await bought_pass(billing, org)
    member = billing.member(org, roles=(role,))
    response = await refund(billing, member, entitlement["id"])
    assert response.status_code == 403
    assert response.json()["code"] == "role-forbidden"
    admin = billing.member(org, roles=("admin",))
    assert (await refund(billing, admin, entitlement["id"])).status_code == 200


async def test_a_refund_needs_an_idempotency_key(billing) -> None:
    org = await billing.buyer()
    entitlement = await bought_pass(billing, org)
    response = await billing.client.post(
        f"/entitlements/{entitlement['id']}/refund", headers=org.headers
    )
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency-key-missing"
