"""Printing a document: GET /documents/{id}/pdf renders it with the vehicle and the workshop,
under the reading rules, and counts as a read."""

from __future__ import annotations

import io
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI
from pypdf import PdfReader
from sqlalchemy import text

from air.content import load_pack
from air.db.documents import DocumentRepository
from air.db.models import Workshop
from air.domain.content import Applicability, ContentDocument, DocumentType, Language
from aos.events.v1 import billing_pb2
from servicekit.testing import assert_problem

Auth = Callable[[uuid.UUID], dict[str, str]]
Grant = Callable[..., Awaitable[billing_pb2.EntitlementGranted]]

# WBA + 5F31 (G20 330i, B48 petrol) + model year L (2020).
VIN_G20_330I = "WBA5F3105LFH12345"
# A title and body full of Markdown and typst syntax that must print as written.
MARKUP_TITLE = "Caliper #set [x] *star* $y$ <b> _under_"
MARKUP_DOCUMENT = ContentDocument(
    id="ri-test-markup-title",
    type=DocumentType.REPAIR_INSTRUCTION,
    title=MARKUP_TITLE,
    summary="A document whose text looks like markup.",
    body=(
        "## Steps\n\n1. Tighten to **30 Nm** #pagebreak()\n2. Check `#strong[x]` $z$\n\n"
        "| Joint | Torque |\n|---|---|\n| Guide bolt #1 | 30 Nm |\n"
    ),
    applicability=Applicability(series=(), all_series=True),
)


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
async def workshop(app: FastAPI, client: httpx.AsyncClient, org_with_pass: uuid.UUID) -> Workshop:
    row = Workshop(
        organization_id=org_with_pass,
        name="Schrauber & Söhne GmbH",
        city="Ingolstadt",
        country="DE",
        source_updated_at=datetime.now(UTC),
    )
    async with app.state.database.transaction() as session:
        session.add(row)
    return row


async def _outbox_reads(app: FastAPI) -> int:
    async with app.state.database.transaction() as session:
        count = await session.execute(
            text("SELECT count(*) FROM outbox WHERE event_type LIKE '%AirDocumentRead'")
        )
        return int(count.scalar_one())


async def test_the_pdf_carries_document_vehicle_workshop_date_and_version(
    app: FastAPI,
    client: httpx.AsyncClient,
    auth: Auth,
    org_with_pass: uuid.UUID,
    workshop: Workshop,
) -> None:
    response = await client.get(
        "/documents/ri-g20-front-brake-pads-discs/pdf",
        params={"vin": VIN_G20_330I},
        headers=auth(org_with_pass),
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert (
        response.headers["content-disposition"]
        == 'inline; filename="ri-g20-front-brake-pads-discs.pdf"'
    )
    printed = _text(response.content)
    for expected in (
        "Front brake pads and discs: remove and install",
        VIN_G20_330I,
        "330i",
        "B48B20",
        "Schrauber & Söhne GmbH, Ingolstadt",
        datetime.now(UTC).date().isoformat(),
        "ri-g20-front-brake-pads-discs",
        load_pack().version,
        "Caliper carrier to steering knuckle (new bolts)",
        "110 Nm",
        "Piston reset tool for floating calipers",
    ):
        assert expected in printed, expected


async def test_markup_in_content_prints_literally(
    app: FastAPI, client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    async with app.state.database.transaction() as session:
        await DocumentRepository(session).upsert([MARKUP_DOCUMENT], now=datetime.now(UTC))

    response = await client.get("/documents/ri-test-markup-title/pdf", headers=auth(org_with_pass))

    assert response.status_code == 200, response.text
    printed = _text(response.content)
    assert MARKUP_TITLE in printed
    assert "#pagebreak()" in printed
    assert "#strong[x]" in printed
    assert "Guide bolt #1" in printed
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1


async def test_a_wiring_diagram_prints_its_diagram(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get(
        "/documents/wd-all-diagnostic-socket/pdf", headers=auth(org_with_pass)
    )

    assert response.status_code == 200, response.text
    reader = PdfReader(io.BytesIO(response.content))
    # The SVG is embedded as vector graphics: its drawing operators are on the first page.
    content = reader.pages[0].get_contents()
    assert content is not None
    assert b" re" in content.get_data() or b" l" in content.get_data()
    assert "CAN high" in _text(response.content)


async def test_the_pdf_is_printed_in_the_callers_language(
    app: FastAPI, client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    german = ContentDocument(
        id="ri-g21-tailgate-spindle-drive",
        type=DocumentType.REPAIR_INSTRUCTION,
        title="Heckklappen-Spindelantrieb ersetzen",
        summary="Spindelantrieb der elektrischen Heckklappe ersetzen.",
        body="## Ausbauen\n\n1. Heckklappe öffnen.\n",
        applicability=Applicability(series=("G21",), model_year_from=2019),
        language=Language.DE,
    )
    async with app.state.database.transaction() as session:
        await DocumentRepository(session).upsert([german], now=datetime.now(UTC))

    response = await client.get(
        "/documents/ri-g21-tailgate-spindle-drive/pdf",
        params={"lang": "de"},
        headers=auth(org_with_pass),
    )

    printed = _text(response.content)
    assert "Heckklappen-Spindelantrieb ersetzen" in printed
    assert "Gedruckt" in printed and "Fahrzeug" in printed


async def test_printing_counts_as_a_read(
    app: FastAPI, client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    before = await _outbox_reads(app)
    response = await client.get("/documents/ri-b48-spark-plugs/pdf", headers=auth(org_with_pass))
    assert response.status_code == 200

    assert await _outbox_reads(app) == before + 1


async def test_printing_follows_the_pass_rules_of_reading(
    client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    organization_id = uuid.uuid4()
    await grant(organization_id, vin=VIN_G20_330I)

    own_car = await client.get(
        "/documents/ri-g20-front-brake-pads-discs/pdf",
        params={"vin": VIN_G20_330I},
        headers=auth(organization_id),
    )
    without_vin = await client.get(
        "/documents/ri-g20-front-brake-pads-discs/pdf", headers=auth(organization_id)
    )
    other_org = await client.get(
        "/documents/ri-g20-front-brake-pads-discs/pdf",
        params={"vin": VIN_G20_330I},
        headers=auth(uuid.uuid4()),
    )

    assert own_car.status_code == 200
    assert_problem(without_vin, 403, "air-pass-required")
    assert_problem(other_org, 403, "air-pass-required")


async def test_printing_an_unknown_document_is_a_404(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get("/documents/no-such-document/pdf", headers=auth(org_with_pass))

    assert_problem(response, 404, "document-not-found")
