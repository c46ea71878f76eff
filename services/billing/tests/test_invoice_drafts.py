"""The invoice draft of a paid order: what the invoicing code numbers, renders and mails."""

import uuid

from billing.db.entitlements import EntitlementRepository
from billing.db.orders import OrderRepository
from billing.domain.tax import TaxTreatment
from billing.services.invoice_drafts import SHIPPING_CODE, draft_for_order


async def test_a_paid_order_drafts_its_lines_shipping_customer_and_periods(billing) -> None:
    org = await billing.buyer(
        country="AT", vat_id="ATU13585627", legal_name="Wiener Kfz GmbH", city="Wien"
    )
    placed = await billing.checkout(org, billing.cart(("AIR_1D", 1), ("TOOL_ENET_CABLE", 2)))
    order_id = placed.json()["order"]["id"]
    paid = await billing.wait_for_status(org, order_id, "paid")
    # The company changes its data later: the invoice keeps what held at the sale.
    await billing.customer(org, country="AT", vat_id="", legal_name="Renamed GmbH")

    async with billing.app.state.database.transaction() as session:
        order = await OrderRepository(session).get_for_update(uuid.UUID(order_id))
        assert order is not None
        lines = await OrderRepository(session).lines_of(order.id)
        granted = await EntitlementRepository(session).by_order_lines([li.id for li in lines])
        draft = draft_for_order(order, lines, granted)

    assert draft.customer.legal_name == "Wiener Kfz GmbH"
    assert (draft.customer.country, draft.customer.vat_id) == ("AT", "ATU13585627")
    assert draft.treatment is TaxTreatment.REVERSE_CHARGE
    assert draft.note is not None and "Art. 196" in draft.note and "Art. 138" in draft.note
    assert [line.product_code for line in draft.lines] == [
        "AIR_1D",
        "TOOL_ENET_CABLE",
        SHIPPING_CODE,
    ]
    assert sum(line.net_minor for line in draft.lines) == paid["totals"]["net_minor"]
    assert sum(line.vat_minor for line in draft.lines) == paid["totals"]["vat_minor"]
    pass_line, tool_line, _ = draft.lines
    [entitlement] = (await billing.client.get("/entitlements", headers=org.headers)).json()["items"]
    assert pass_line.period_from is not None
    assert pass_line.period_from.isoformat() == entitlement["valid_from"].replace("Z", "+00:00")
    assert (tool_line.quantity, tool_line.unit_net_minor, tool_line.period_from) == (2, 3900, None)
