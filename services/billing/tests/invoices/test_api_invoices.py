"""The invoice endpoints: the organisation's list (with the kind filter), one invoice in
full, its PDF as a download; another organisation's invoice is 404; roles are enforced."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from typing import Any

import pypdf

from billing.db.models import Invoice
from billing.domain.invoices import Party
from billing.domain.tax import TaxTreatment
from billing.services.invoicing import issue_credit_note, issue_invoice
from servicekit.testing import assert_problem

from .conftest import NOW, draft, line, party


async def issue(billing: Any, seller: Party, org_id: uuid.UUID, **kwargs: Any) -> Invoice:
    async with billing.app.state.database.transaction() as session:
        return await issue_invoice(
            session, draft(organization_id=org_id, **kwargs), now=NOW, seller=seller
        )


async def test_the_list_shows_only_the_organisations_invoices_newest_first(
    billing: Any, seller: Party
) -> None:
    org, other = billing.org(), billing.org()
    order_line = uuid.uuid4()
    async with billing.app.state.database.transaction() as session:
        invoice = await issue_invoice(
            session,
            draft(line(order_line_id=order_line), organization_id=org.id),
            now=NOW,
            seller=seller,
        )
        credit = await issue_credit_note(
            session,
            invoice_id=invoice.id,
            order_line_ids=[order_line],
            reason="refund",
            now=NOW + timedelta(hours=1),
        )
    await issue(billing, seller, other.id)

    everything = await billing.client.get("/invoices", headers=org.headers)
    credit_notes = await billing.client.get(
        "/invoices", params={"kind": "credit_note"}, headers=org.headers
    )

    assert everything.status_code == 200, everything.text
    body = everything.json()
    assert [(item["number"], item["kind"]) for item in body["items"]] == [
        (credit.number, "credit_note"),
        (invoice.number, "invoice"),
    ]
    assert body["total"] == 2
    assert body["items"][0]["credited_invoice_id"] == str(invoice.id)
    assert body["items"][1] | {"id": None} == {
        "id": None,
        "number": invoice.number,
        "kind": "invoice",
        "order_id": str(invoice.order_id),
        "credited_invoice_id": None,
        "issued_at": "2026-12-03T10:00:00Z",
        "net_minor": 4_900,
        "vat_minor": 931,
        "gross_minor": 5_831,
        "currency": "EUR",
    }
    assert [item["id"] for item in credit_notes.json()["items"]] == [str(credit.id)]


async def test_one_invoice_in_full(billing: Any, seller: Party) -> None:
    org = billing.org()
    invoice = await issue(
        billing,
        seller,
        org.id,
        customer=party("Werkstatt Wien GmbH", country="AT", vat_id="ATU13585627"),
        treatment=TaxTreatment.REVERSE_CHARGE,
        note="Reverse charge",
    )

    response = await billing.client.get(f"/invoices/{invoice.id}", headers=org.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["number"] == invoice.number
    assert body["seller"]["vat_id"] == seller.vat_id
    assert body["customer"] == {
        "legal_name": "Werkstatt Wien GmbH",
        "street": "Hauptstrasse 5",
        "postcode": "10115",
        "city": "Berlin",
        "country": "AT",
        "vat_id": "ATU13585627",
    }
    assert (body["treatment"], body["note"]) == ("REVERSE_CHARGE", "Reverse charge")
    assert [(row["product_code"], row["gross_minor"]) for row in body["lines"]] == [
        ("AIR_1W", 5_831)
    ]
    assert body["vat_breakdown"] == [{"rate_bp": 1900, "net_minor": 4_900, "vat_minor": 931}]
    assert body["totals"] == {
        "net_minor": 4_900,
        "vat_minor": 931,
        "gross_minor": 5_831,
        "currency": "EUR",
    }


async def test_the_pdf_is_a_download_named_after_the_number(billing: Any, seller: Party) -> None:
    org = billing.org()
    invoice = await issue(billing, seller, org.id)

    response = await billing.client.get(f"/invoices/{invoice.id}/pdf", headers=org.headers)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    text = pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert invoice.number in text


async def test_another_organisations_invoice_is_not_found(billing: Any, seller: Party) -> None:
    owner, stranger = billing.org(), billing.org()
    invoice = await issue(billing, seller, owner.id)

    for path in (f"/invoices/{invoice.id}", f"/invoices/{invoice.id}/pdf"):
        response = await billing.client.get(path, headers=stranger.headers)
        assert_problem(response, 404, "invoice-not-found")
    listed = await billing.client.get("/invoices", headers=stranger.headers)
    assert listed.json() == {"items": [], "total": 0}


async def test_an_unknown_id_or_kind_is_a_clear_error(billing: Any) -> None:
    org = billing.org()
    assert_problem(
        await billing.client.get(f"/invoices/{uuid.uuid4()}", headers=org.headers),
        404,
        "invoice-not-found",
    )
    bad_id = await billing.client.get("/invoices/not-a-uuid", headers=org.headers)
    assert bad_id.status_code == 422
    bad_kind = await billing.client.get(
        "/invoices", params={"kind": "receipt"}, headers=org.headers
    )
    assert bad_kind.status_code == 422
    assert bad_kind.json()["errors"][0]["field"] == "query.kind"


async def test_a_technician_may_not_read_invoices(billing: Any, seller: Party) -> None:
    org = billing.org()
    invoice = await issue(billing, seller, org.id)
    technician = billing.issuer.token(
        user_id=uuid.uuid4(), organization_id=org.id, roles=("technician",)
    )
    headers = {"authorization": f"Bearer {technician}"}
    for path in ("/invoices", f"/invoices/{invoice.id}", f"/invoices/{invoice.id}/pdf"):
        assert_problem(await billing.client.get(path, headers=headers), 403, "role-forbidden")
    accountant = billing.issuer.token(
        user_id=uuid.uuid4(), organization_id=org.id, roles=("accountant",)
    )
    allowed = await billing.client.get(
        f"/invoices/{invoice.id}/pdf", headers={"authorization": f"Bearer {accountant}"}
    )
    assert allowed.status_code == 200


async def test_without_a_token_the_invoices_are_closed(billing: Any) -> None:
    assert_problem(await billing.client.get("/invoices"), 401)


async def test_the_list_pages_with_limit_and_offset(billing: Any, seller: Party) -> None:
    org = billing.org()
    numbers = [(await issue(billing, seller, org.id)).number for _ in range(5)]

    pages = []
    for offset in (0, 2, 4):
        response = await billing.client.get(
            "/invoices", params={"limit": 2, "offset": offset}, headers=org.headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["total"] == 5
        pages.append([item["number"] for item in response.json()["items"]])

    # Same issue time: the higher number is the newer one.
    assert pages == [numbers[4:2:-1], numbers[2:0:-1], numbers[0:1]]
    too_big = await billing.client.get("/invoices", params={"limit": 201}, headers=org.headers)
    assert too_big.status_code == 422
