"""Browse before buying: GET /vehicles/{vin}/catalog shows titles without a pass, and nothing
more; the content routes still refuse without one. Reading a document in a language."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from air.db.documents import DocumentRepository
from air.domain.content import Applicability, ContentDocument, DocumentType, Language
from servicekit.testing import assert_problem

Auth = Callable[[uuid.UUID], dict[str, str]]

# A G21 320d Touring (B47 diesel, automatic tailgate 316) of model year 2021.
VIN_G21_2021 = "WBA6K5105MFK54321"
VIN_VW = "WVWZZZ1KZAW000001"
G21_2021 = {
    "ri-all-12v-battery-replace-register",
    "ri-all-brake-fluid-change",
    "ri-all-vehicle-check",
    "wd-all-diagnostic-socket",
    "tb-all-2023-002-programming-voltage",
    "ri-g20-front-brake-pads-discs",
    "ri-g20-rear-brake-pads-epb",
    "ri-b47-engine-oil-service",
    "ri-g21-tailgate-spindle-drive",
    "tb-g20-2021-001-coolant-pump-noise",
}
# Documents of the same series that a diesel must not be shown.
PETROL_ONLY = {"ri-b48-spark-plugs", "ri-b48-engine-oil-service", "ri-b58-engine-oil-service"}
CONTENT_KEYS = {"summary", "body", "snippet", "svg"}

GERMAN_TAILGATE = ContentDocument(
    id="ri-g21-tailgate-spindle-drive",
    type=DocumentType.REPAIR_INSTRUCTION,
    title="Heckklappen-Spindelantrieb ersetzen",
    summary="Linken oder rechten Spindelantrieb der elektrischen Heckklappe ersetzen.",
    body="## Ausbauen\n\n1. Heckklappe öffnen und abstützen.\n",
    applicability=Applicability(series=("G21",), model_year_from=2019),
    language=Language.DE,
)

# The shipped pack translates every document; this one exists in English only.
ENGLISH_ONLY = ContentDocument(
    id="ri-g21-rear-door-trim-clip",
    type=DocumentType.REPAIR_INSTRUCTION,
    title="Rear door trim clip: replace",
    summary="Replace a broken trim clip of a rear door.",
    body="## Removal\n\n1. Lever the trim panel off at the clip.\n",
    applicability=Applicability(series=("G21",), model_year_from=2019),
    system="body",
    component="doors",
)


@pytest.fixture
async def german(app: FastAPI, client: httpx.AsyncClient) -> None:
    async with app.state.database.transaction() as session:
        await DocumentRepository(session).upsert([GERMAN_TAILGATE], now=datetime.now(UTC))


@pytest.fixture
async def english_only(app: FastAPI, client: httpx.AsyncClient) -> None:
    async with app.state.database.transaction() as session:
        await DocumentRepository(session).upsert([ENGLISH_ONLY], now=datetime.now(UTC))


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


async def _outbox_size(app: FastAPI) -> int:
    async with app.state.database.transaction() as session:
        return int((await session.execute(text("SELECT count(*) FROM outbox"))).scalar_one())


async def test_without_a_pass_the_catalog_lists_the_titles_that_apply(
    app: FastAPI, client: httpx.AsyncClient, auth: Auth
) -> None:
    response = await client.get(f"/vehicles/{VIN_G21_2021}/catalog", headers=auth(uuid.uuid4()))

    assert response.status_code == 200, response.text
    body = response.json()
    assert {item["id"] for item in body["items"]} == G21_2021
    assert not PETROL_ONLY & {item["id"] for item in body["items"]}
    assert body["total"] == len(G21_2021)
    assert body["vehicle"]["series"] == "G21"
    assert sum(t["count"] for t in body["types"]) == len(G21_2021)
    assert sum(s["count"] for s in body["systems"]) == len(G21_2021)
    assert all(item["title"] for item in body["items"])


async def test_the_catalog_comes_a_page_at_a_time_with_counts_over_all_titles(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    headers = auth(uuid.uuid4())
    url = f"/vehicles/{VIN_G21_2021}/catalog"
    whole = (await client.get(url, headers=headers)).json()
    offsets = range(0, len(G21_2021) + 3, 3)  # the last page starts past the end
    pages = [
        (await client.get(url, params={"limit": 3, "offset": offset}, headers=headers)).json()
        for offset in offsets
    ]

    assert [len(page["items"]) for page in pages] == [
        max(0, min(3, len(G21_2021) - offset)) for offset in offsets
    ]
    assert pages[-1]["items"] == []
    assert [item["id"] for page in pages for item in page["items"]] == [
        item["id"] for item in whole["items"]
    ]
    for page in pages:
        assert page["total"] == len(G21_2021)
        assert page["systems"] == whole["systems"]
        assert page["types"] == whole["types"]
    too_many = await client.get(url, params={"limit": 1001}, headers=headers)
    assert_problem(too_many, 422, "validation-error")


async def test_the_catalog_shows_no_content(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get(f"/vehicles/{VIN_G21_2021}/catalog", headers=auth(org_with_pass))

    body = response.json()
    # (The vehicle's "body" is its body style, such as Touring.)
    assert not CONTENT_KEYS & set(_keys({k: v for k, v in body.items() if k != "vehicle"}))
    assert set(body["items"][0]) == {"id", "type", "title", "system", "component", "language"}
    assert "Nm" not in response.text and "<svg" not in response.text


async def test_without_a_pass_the_content_routes_still_refuse(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    headers = auth(uuid.uuid4())
    search = await client.get("/documents/search", params={"vin": VIN_G21_2021}, headers=headers)
    read = await client.get("/documents/ri-g21-tailgate-spindle-drive", headers=headers)
    pdf = await client.get("/documents/ri-g21-tailgate-spindle-drive/pdf", headers=headers)

    for response in (search, read, pdf):
        assert_problem(response, 403, "air-pass-required")


async def test_a_catalog_view_records_no_usage(
    app: FastAPI, client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    before = await _outbox_size(app)
    response = await client.get(f"/vehicles/{VIN_G21_2021}/catalog", headers=auth(org_with_pass))
    assert response.status_code == 200

    assert await _outbox_size(app) == before


async def test_the_catalog_shows_titles_in_the_callers_language_where_translated(
    client: httpx.AsyncClient, auth: Auth, german: None, english_only: None
) -> None:
    response = await client.get(
        f"/vehicles/{VIN_G21_2021}/catalog", params={"lang": "de"}, headers=auth(uuid.uuid4())
    )

    body = response.json()
    by_id = {item["id"]: item for item in body["items"]}
    assert body["language"] == "de"
    assert by_id["ri-g21-tailgate-spindle-drive"]["title"] == "Heckklappen-Spindelantrieb ersetzen"
    assert by_id["ri-g21-tailgate-spindle-drive"]["language"] == "de"
    assert by_id[ENGLISH_ONLY.id]["title"] == ENGLISH_ONLY.title
    assert by_id[ENGLISH_ONLY.id]["language"] == "en"
    assert set(by_id) == G21_2021 | {ENGLISH_ONLY.id}


async def test_the_catalog_is_ordered_by_system_component_type_and_title(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    response = await client.get(f"/vehicles/{VIN_G21_2021}/catalog", headers=auth(uuid.uuid4()))

    order = [(i["system"], i["component"], i["type"], i["title"]) for i in response.json()["items"]]
    assert order == sorted(order)


async def test_a_vehicle_of_another_maker_has_an_empty_catalog_and_a_hint(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    response = await client.get(f"/vehicles/{VIN_VW}/catalog", headers=auth(uuid.uuid4()))

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["total"], body["items"], body["systems"], body["types"]) == (0, [], [], [])
    # One wording for "not covered": the vehicle's own note.
    assert body["vehicle"]["coverage"] == "not_covered"
    assert body["hints"] == [body["vehicle"]["coverage_note"]]
    assert "covers BMW vehicles" in body["hints"][0] and "Volkswagen" in body["hints"][0]


async def test_an_invalid_vin_in_the_catalog_is_a_422(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    response = await client.get("/vehicles/WBA6K5105MFO54321/catalog", headers=auth(uuid.uuid4()))

    body = assert_problem(response, 422, "invalid-vin")
    assert "letter O at position 12" in str(body["detail"])


async def test_an_accountant_may_not_browse_the_catalog(
    client: httpx.AsyncClient, token_issuer: Any
) -> None:
    token = token_issuer.token(organization_id=uuid.uuid4(), roles=("accountant",))
    response = await client.get(
        f"/vehicles/{VIN_G21_2021}/catalog", headers={"Authorization": f"Bearer {token}"}
    )

    assert_problem(response, 403, "role-forbidden")


# --- reading in a language -----------------------------------------------------------------


async def test_reading_in_german_gives_the_german_version_with_its_languages(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID, german: None
) -> None:
    response = await client.get(
        "/documents/ri-g21-tailgate-spindle-drive",
        params={"lang": "de"},
        headers=auth(org_with_pass),
    )

    body = response.json()
    assert body["language"] == "de"
    assert body["title"] == "Heckklappen-Spindelantrieb ersetzen"
    assert body["available_languages"] == ["en", "de"]


async def test_reading_an_untranslated_document_in_german_gives_english(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID, english_only: None
) -> None:
    response = await client.get(
        f"/documents/{ENGLISH_ONLY.id}",
        headers=auth(org_with_pass) | {"Accept-Language": "de-DE"},
    )

    body = response.json()
    assert body["language"] == "en"
    assert body["title"] == ENGLISH_ONLY.title
    assert body["available_languages"] == ["en"]


async def test_reading_with_an_unknown_lang_is_a_422(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get(
        "/documents/ri-g20-rear-brake-pads-epb", params={"lang": "xx"}, headers=auth(org_with_pass)
    )

    body = assert_problem(response, 422, "validation-error")
    assert body["errors"][0]["field"] == "query.lang"


async def test_a_pass_of_one_organisation_does_not_let_another_read(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    other = uuid.uuid4()
    own = await client.get("/documents/ri-g20-rear-brake-pads-epb", headers=auth(org_with_pass))
    theirs = await client.get("/documents/ri-g20-rear-brake-pads-epb", headers=auth(other))
    their_search = await client.get("/documents/search", params={"q": "brake"}, headers=auth(other))

    assert own.status_code == 200
    assert_problem(theirs, 403, "air-pass-required")
    assert_problem(their_search, 403, "air-pass-required")
