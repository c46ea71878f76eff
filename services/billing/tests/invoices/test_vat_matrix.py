"""The VAT matrix end to end at the service level: the customer's tax profile (VAT id checked
through the fake VIES), the decision, the invoice issued from it, and its PDF with the rate and
the legal note."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

import pypdf
import pytest

from billing.domain.invoices import InvoiceDraft, InvoiceLineDraft, Party
from billing.domain.tax import SupplyKind, TaxTreatment, line_vat_minor
from billing.providers.vies import RegistryResult
from billing.services.invoicing import customer_party, issue_invoice, render_pdf
from billing.services.tax import VatIdStatus, customer_tax, tax_decision
from servicekit.db import Database

from .conftest import NOW, AddCustomer
from .fakes import FakeRegistry

NET = 10_000  # 100.00 EUR, an AIR month say


@dataclass(frozen=True)
class Case:
    name: str
    country: str
    vat_id: str
    vies: RegistryResult
    status: VatIdStatus
    treatment: TaxTreatment
    rate: str  # as printed
    vat_minor: int
    note: str | None  # a phrase of the legal note on the invoice


CASES = [
    Case("German", "DE", "", RegistryResult.VALID, VatIdStatus.NONE, TaxTreatment.DOMESTIC,
         "19 %", 1_900, None),
    Case("Austrian, valid VAT id", "AT", "ATU13585627", RegistryResult.VALID, VatIdStatus.VALID,
         TaxTreatment.REVERSE_CHARGE, "0 %", 0, "Reverse charge: the recipient is liable"),
    Case("French, no VAT id", "FR", "", RegistryResult.VALID, VatIdStatus.NONE, TaxTreatment.OSS,
         "20 %", 2_000, None),
    Case("Swiss", "CH", "", RegistryResult.VALID, VatIdStatus.NONE, TaxTreatment.OUTSIDE_EU,
         "0 %", 0, "Not taxable in the EU"),
    Case("Austrian, VAT id VIES does not know", "AT", "ATU13585627", RegistryResult.INVALID,
         VatIdStatus.INVALID, TaxTreatment.OSS, "20 %", 2_000, None),
    Case("Austrian, VIES lookup failed", "AT", "ATU13585627", RegistryResult.UNAVAILABLE,
         VatIdStatus.UNCHECKED, TaxTreatment.OSS, "20 %", 2_000, None),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_vat_matrix(
    db: Database, seller: Party, add_customer: AddCustomer, case: Case
) -> None:
    customer = await add_customer(
        country=case.country, vat_id=case.vat_id, legal_name=f"{case.name} Werkstatt"
    )
    registry = FakeRegistry(default=case.vies)

    async with db.transaction() as session:
        profile = await customer_tax(session, customer.organization_id, now=NOW, registry=registry)
        decision = tax_decision(profile, seller_country="DE", supply=SupplyKind.SERVICE)
        vat = line_vat_minor(NET, rate_bp=decision.rate_bp)
        invoice = await issue_invoice(
            session,
            InvoiceDraft(
                organization_id=customer.organization_id,
                order_id=uuid.uuid4(),
                customer=customer_party(profile.customer),
                currency="EUR",
                treatment=decision.treatment,
                note=decision.note,
                lines=(
                    InvoiceLineDraft(
                        product_code="AIR_1M",
                        description="AIR pass, 1 month",
                        quantity=1,
                        unit_net_minor=NET,
                        net_minor=NET,
                        vat_rate_bp=decision.rate_bp,
                        vat_minor=vat,
                        order_line_id=uuid.uuid4(),
                    ),
                ),
            ),
            now=NOW,
            seller=seller,
        )
    async with db.transaction() as session:
        _, pdf = await render_pdf(session, invoice.id, organization_id=customer.organization_id)
    text = " ".join(
        "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).split()
    )

    assert (profile.vat_id_status, decision.treatment) == (case.status, case.treatment)
    assert (invoice.vat_minor, invoice.gross_minor) == (case.vat_minor, NET + case.vat_minor)
    amount = f"{case.vat_minor // 100}.{case.vat_minor % 100:02d} EUR"
    assert f"{case.rate} 100.00 EUR {amount}" in text, text
    if case.note is None:
        assert invoice.note is None
        assert "Directive" not in text
    else:
        assert case.note in text, text
    assert f"{case.name} Werkstatt" in text
