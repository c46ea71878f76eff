"""AIR search that finds: German and English, spelling suggestions, a VIN in the search box,
facets by system and component. Real PostgreSQL with the shipped pack plus hand-made German
versions and one hand-made document with a navigation pathway."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from importlib.resources import files

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from air.db.documents import DocumentRepository
from air.domain.content import Applicability, ContentDocument, DocumentType, Language
from air.services.suggestions import rebuild_vocabulary
from aos.events.v1 import billing_pb2
from servicekit.testing import assert_problem

Auth = Callable[[uuid.UUID], dict[str, str]]
Grant = Callable[..., Awaitable[billing_pb2.EntitlementGranted]]

# A G21 320d Touring (B47 diesel, automatic tailgate 316) of model year 2021, and what
# applies to it in the shipped pack.
VIN_G21_2021 = "WBA6K5105MFK54321"
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
# WBA + 7K11 (F40 118i) + model year M (2021).
VIN_F40 = "WBA7K1105MF000001"
# A Volkswagen VIN: not covered by this portal.
VIN_VW = "WVWZZZ1KZAW000001"

FRONT_BRAKES = "ri-g20-front-brake-pads-discs"
DISC_CHECK = "ri-test-brake-disc-check"
G20_G21 = Applicability(series=("G20", "G21"), model_year_from=2019)

GERMAN_FRONT_BRAKES = ContentDocument(
    id=FRONT_BRAKES,
    type=DocumentType.REPAIR_INSTRUCTION,
    title="Bremsbeläge vorn ersetzen",
    summary="Bremsbeläge, Bremsscheiben und Verschleißsensor vorn wechseln, mit Anzugsmomenten.",
    body=(
        "## Warnhinweise\n\n- Bremsstaub kann der Gesundheit schaden. Die Bremse mit "
        "Bremsenreiniger und einem feuchten Tuch reinigen.\n\n## Anzugsmomente\n\n"
        "| Verbindung | Moment |\n|---|---|\n| Radschrauben | 140 Nm |\n"
    ),
    applicability=G20_G21,
    language=Language.DE,
    # A translation keeps the English entry's place in the taxonomy.
    system="brakes",
    component="pads_and_discs",
)
# Its German text holds the word "Brems…" only inside compounds: only a prefix match finds it.
DISC_CHECK_EN = ContentDocument(
    id=DISC_CHECK,
    type=DocumentType.TECHNICAL_BULLETIN,
    title="Brake discs: check run-out",
    summary="Measuring the lateral run-out of the front discs after a judder complaint.",
    body="## Measuring\n\n1. Fit the dial gauge.\n2. Turn the wheel hub.\n",
    applicability=G20_G21,
    system="brakes",
    component="discs",
)
DISC_CHECK_DE = ContentDocument(
    id=DISC_CHECK,
    type=DocumentType.TECHNICAL_BULLETIN,
    title="Bremsscheiben: Seitenschlag prüfen",
    summary="Seitenschlag der Bremsscheiben vorn nach einer Beanstandung wegen Rubbeln messen.",
    body="## Messen\n\n1. Messuhr ansetzen.\n2. Radnabe drehen.\n",
    applicability=G20_G21,
    language=Language.DE,
    system="brakes",
    component="discs",
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
SYSTEMS_FILE = files("air.content") / "systems.json"


@pytest.fixture
async def german(app: FastAPI, client: httpx.AsyncClient) -> None:
    """German versions next to the shipped English pack, and the vocabulary rebuilt."""
    async with app.state.database.transaction() as session:
        await DocumentRepository(session).upsert(
            [GERMAN_FRONT_BRAKES, DISC_CHECK_EN, DISC_CHECK_DE], now=datetime.now(UTC)
        )
        await rebuild_vocabulary(session, glossary=[(Language.DE, "Zündkerze")])


async def _search(
    client: httpx.AsyncClient, headers: dict[str, str], **params: object
) -> dict[str, object]:
    response = await client.get("/documents/search", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def _items(body: dict[str, object]) -> list[dict[str, str]]:
    items = body["items"]
    assert isinstance(items, list)
    return items


# --- languages ---------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Bremsbeläge wechseln", "Bremse", "bremsbelägen"])
async def test_german_search_finds_the_german_brake_pad_document(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID, german: None, query: str
) -> None:
    body = await _search(client, auth(org_with_pass), q=query, lang="de")

    found = {item["id"]: item for item in _items(body)}
    assert body["language"] == "de"
    assert found[FRONT_BRAKES]["language"] == "de"
    assert found[FRONT_BRAKES]["title"] == "Bremsbeläge vorn ersetzen"


async def test_a_german_word_finds_the_compounds_that_start_with_it(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID, german: None
) -> None:
    # "Bremse" stems to 'brems'; the disc check says only "Bremsscheiben" ('bremsscheib').
    body = await _search(client, auth(org_with_pass), q="Bremse", lang="de")

    found = {item["id"]: item["language"] for item in _items(body)}
    assert found[DISC_CHECK] == "de"


async def test_an_english_query_in_german_falls_back_to_english_documents(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID, german: None
) -> None:
    body = await _search(client, auth(org_with_pass), q="air spring", lang="de")

    items = _items(body)
    assert body["language"] == "de"
    assert items[0]["id"] == "ri-g05-rear-air-spring"
    assert items[0]["language"] == "en"
    assert "«" in items[0]["snippet"]


async def test_each_document_appears_once_in_the_language_whose_version_matches(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID, german: None
) -> None:
    # "brake" matches only the English versions; "Bremsscheiben" only the German ones.
    english = _items(await _search(client, auth(org_with_pass), q="brake discs", lang="de"))
    german_words = _items(await _search(client, auth(org_with_pass), q="Bremsscheiben", lang="en"))

    assert len({item["id"] for item in english}) == len(english)
    assert {item["language"] for item in english if item["id"] == FRONT_BRAKES} == {"en"}
    assert {item["id"]: item["language"] for item in german_words}[DISC_CHECK] == "de"


async def test_without_keywords_a_vehicle_lists_the_callers_language_where_translated(
    app: FastAPI, client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID, german: None
) -> None:
    async with app.state.database.transaction() as session:
        await DocumentRepository(session).upsert([ENGLISH_ONLY], now=datetime.now(UTC))

    items = _items(await _search(client, auth(org_with_pass), vin=VIN_G21_2021, lang="de"))

    languages = {item["id"]: item["language"] for item in items}
    titles = {item["id"]: item["title"] for item in items}
    assert (languages[FRONT_BRAKES], titles[FRONT_BRAKES]) == ("de", GERMAN_FRONT_BRAKES.title)
    assert (languages[ENGLISH_ONLY.id], titles[ENGLISH_ONLY.id]) == ("en", ENGLISH_ONLY.title)
    assert len(languages) == len(items)


@pytest.mark.parametrize(
    ("header", "expected"),
    [("de-DE,de;q=0.9,en;q=0.8", "de"), ("fr-FR, en;q=0.5", "en"), ("fr, de;q=0.1", "de")],
)
async def test_the_language_comes_from_accept_language_without_lang(
    client: httpx.AsyncClient,
    auth: Auth,
    org_with_pass: uuid.UUID,
    german: None,
    header: str,
    expected: str,
) -> None:
    headers = auth(org_with_pass) | {"Accept-Language": header}
    body = await _search(client, headers, q="Bremse")

    assert body["language"] == expected


async def test_lang_wins_over_accept_language(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    headers = auth(org_with_pass) | {"Accept-Language": "de"}
    body = await _search(client, headers, q="brake", lang="en")

    assert body["language"] == "en"


async def test_an_unknown_lang_is_a_422_naming_the_allowed_values(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get(
        "/documents/search", params={"q": "brake", "lang": "xx"}, headers=auth(org_with_pass)
    )

    body = assert_problem(response, 422, "validation-error")
    assert body["errors"][0]["field"] == "query.lang"
    assert "'en'" in body["errors"][0]["message"] and "'de'" in body["errors"][0]["message"]


# --- typos -------------------------------------------------------------------------------


async def test_a_typo_gets_a_did_you_mean_suggestion_and_a_hint(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    body = await _search(client, auth(org_with_pass), q="brake pdas")

    assert body["suggestions"] == ["brake pads"]
    # The words it has in common with documents still find something, said in a hint.
    assert body["total"] > 0
    assert any("some of them" in hint for hint in body["hints"])  # type: ignore[union-attr]


async def test_a_german_typo_is_corrected_to_a_german_word(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID, german: None
) -> None:
    body = await _search(client, auth(org_with_pass), q="Bremsbelaege", lang="de")

    assert body["suggestions"] == ["Bremsbeläge"]


async def test_a_suggestion_keeps_the_vin_of_the_box(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    # ("spindel" would be no typo: German documents hold "Spindelantrieb".)
    body = await _search(client, auth(org_with_pass), q=f"{VIN_G21_2021} tailgaet spindle")

    # Sent back as q, the suggestion searches the same vehicle.
    assert body["suggestions"] == [f"{VIN_G21_2021} tailgate spindle"]


async def test_a_word_found_only_in_a_body_is_not_corrected(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    # "judder" is in no title or summary, but in the front brake instruction's body.
    body = await _search(client, auth(org_with_pass), q="judder")

    assert body["total"] >= 1
    assert body["suggestions"] == []


async def test_stop_words_are_kept_and_typos_around_them_corrected(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    body = await _search(client, auth(org_with_pass), q="the tailgaet")

    assert body["suggestions"] == ["the tailgate"]


async def test_no_suggestion_that_would_find_nothing_for_the_vehicle(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    # Only G20 and G21 documents speak of the tailgate; the F40 has none to offer.
    for_f40 = await _search(client, auth(org_with_pass), q="tailgaet", vin=VIN_F40)
    for_all = await _search(client, auth(org_with_pass), q="tailgaet")

    assert for_f40["suggestions"] == []
    assert for_all["suggestions"] == ["tailgate"]


async def test_glossary_words_are_in_the_vocabulary(
    app: FastAPI, client: httpx.AsyncClient, german: None
) -> None:
    async with app.state.database.transaction() as session:
        rows = await session.execute(
            text("SELECT word, language FROM search_vocabulary WHERE word = 'zündkerze'")
        )
        assert rows.all() == [("zündkerze", "de")]


async def test_nothing_found_says_what_to_do_next(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    body = await _search(client, auth(org_with_pass), q="xylophone")

    assert body["total"] == 0
    assert body["suggestions"] == []
    assert any("Check the spelling" in hint for hint in body["hints"])  # type: ignore[union-attr]


async def test_a_correct_query_gets_no_suggestion(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    body = await _search(client, auth(org_with_pass), q="brake pads")

    assert body["suggestions"] == []
    assert body["hints"] == []


async def test_seeding_builds_the_vocabulary_from_titles_and_summaries(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    async with app.state.database.transaction() as session:
        words = set((await session.execute(text("SELECT word FROM search_vocabulary"))).scalars())

    assert {"brake", "pads", "spring", "tailgate"} <= words
    assert not any(any(ch.isdigit() for ch in word) for word in words)


# --- one search box ----------------------------------------------------------------------


async def test_a_vin_and_keywords_in_one_box_search_that_vehicle(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    body = await _search(client, auth(org_with_pass), q=f"{VIN_G21_2021.lower()} brake pads")

    ids = {item["id"] for item in _items(body)}
    assert body["vin_from_query"] == VIN_G21_2021
    assert body["vehicle"]["series"] == "G21"  # type: ignore[index]
    assert {FRONT_BRAKES, "ri-g20-rear-brake-pads-epb"} <= ids
    assert "ri-g05-rear-air-spring" not in ids


async def test_a_vin_alone_in_the_box_lists_the_vehicles_documents(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    by_box = await _search(client, auth(org_with_pass), q=VIN_G21_2021)
    by_vin = await _search(client, auth(org_with_pass), vin=VIN_G21_2021)

    assert [i["id"] for i in _items(by_box)] == [i["id"] for i in _items(by_vin)]
    assert {i["id"] for i in _items(by_box)} == G21_2021
    assert by_box["total"] == len(G21_2021)


async def test_the_vin_in_the_box_is_covered_by_that_vehicles_pass(
    client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    organization_id = uuid.uuid4()
    await grant(organization_id, vin=VIN_G21_2021)

    body = await _search(client, auth(organization_id), q=f"tailgate {VIN_G21_2021}")

    assert _items(body)[0]["id"] == "ri-g21-tailgate-spindle-drive"
    assert body["vin_from_query"] == VIN_G21_2021


async def test_two_different_vins_are_a_422(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get(
        "/documents/search",
        params={"q": f"{VIN_G21_2021} brake", "vin": "WBA5F3105LFH12345"},
        headers=auth(org_with_pass),
    )

    assert_problem(response, 422, "invalid-query")


@pytest.mark.parametrize(("token", "length"), [(VIN_G21_2021[:-1], 16), (VIN_G21_2021 + "1", 18)])
async def test_an_almost_vin_gets_a_hint_and_is_not_searched_as_a_word(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID, token: str, length: int
) -> None:
    body = await _search(client, auth(org_with_pass), q=f"{token} tailgate")

    hints = body["hints"]
    assert isinstance(hints, list)
    assert any(f"has {length} characters; a VIN has 17" in hint for hint in hints)
    # The keyword alone was searched (as a word, the almost-VIN would have found nothing).
    assert _items(body)[0]["id"] == "ri-g21-tailgate-spindle-drive"
    assert body["vehicle"] is None
    assert body["vin_from_query"] is None


async def test_a_box_with_only_an_almost_vin_is_a_422_saying_what_is_wrong(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get(
        "/documents/search", params={"q": VIN_G21_2021[:-1]}, headers=auth(org_with_pass)
    )

    body = assert_problem(response, 422, "invalid-vin")
    assert "has 16 characters" in str(body["detail"])


async def test_a_vin_of_another_maker_finds_nothing_and_says_why(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    # No pass at all: the answer shows nothing, and nobody should buy a pass for this car.
    body = await _search(client, auth(uuid.uuid4()), q=f"{VIN_VW} battery")

    assert body["total"] == 0 and _items(body) == []
    assert body["vin_from_query"] == VIN_VW
    hints = body["hints"]
    assert isinstance(hints, list)
    # One wording for "not covered": the vehicle's own note.
    vehicle = body["vehicle"]
    assert isinstance(vehicle, dict) and vehicle["coverage"] == "not_covered"
    assert vehicle["coverage_note"] in hints
    assert "covers BMW vehicles" in vehicle["coverage_note"]
    assert "Volkswagen" in vehicle["coverage_note"]


# --- facets --------------------------------------------------------------------------------


async def test_facets_count_systems_components_and_types_of_the_matches(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID, german: None
) -> None:
    body = await _search(client, auth(org_with_pass), q="brake", lang="en")

    facets = body["facets"]
    assert isinstance(facets, dict)
    systems = {system["id"]: system for system in facets["systems"]}
    # Front pads, rear pads and parking brake, brake fluid, and the test's disc check (its
    # component "discs" is not in the taxonomy: shown by its id).
    assert systems["brakes"] == {
        "id": "brakes",
        "label": "Brakes",
        "count": 4,
        "components": [
            {"id": "discs", "label": "discs", "count": 1},
            {"id": "hydraulics", "label": "Hydraulics and brake fluid", "count": 1},
            {"id": "pads_and_discs", "label": "Pads and discs", "count": 1},
            {"id": "parking_brake", "label": "Parking brake", "count": 1},
        ],
    }
    assert sum(s["count"] for s in facets["systems"]) == body["total"]
    assert sum(t["count"] for t in facets["types"]) == body["total"]


async def test_facet_labels_come_from_the_taxonomy_in_the_callers_language(
    client: httpx.AsyncClient,
    auth: Auth,
    org_with_pass: uuid.UUID,
    german: None,
) -> None:
    shipped = json.loads(SYSTEMS_FILE.read_text(encoding="utf-8"))["systems"]
    system_labels = {system["id"]: system["label"]["de"] for system in shipped}

    body = await _search(client, auth(org_with_pass), q="Bremse", lang="de")

    facets = body["facets"]
    assert isinstance(facets, dict)
    brakes = next(s for s in facets["systems"] if s["id"] == "brakes")
    components = {c["id"]: c["label"] for c in brakes["components"]}
    assert brakes["label"] == "Bremsen"
    assert components["pads_and_discs"] == "Beläge und Scheiben"
    assert components["hydraulics"] == "Hydraulik und Bremsflüssigkeit"
    assert {s["id"]: s["label"] for s in facets["systems"]} == {
        s["id"]: system_labels[s["id"]] for s in facets["systems"]
    }


async def test_system_filter_narrows_the_items_but_not_the_facets(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID, german: None
) -> None:
    everything = await _search(client, auth(org_with_pass), q="brake")
    brakes = await _search(
        client, auth(org_with_pass), q="brake", system="brakes", component="discs"
    )

    assert [item["id"] for item in _items(brakes)] == [DISC_CHECK]
    assert brakes["total"] == 1
    assert brakes["facets"] == everything["facets"]


async def test_a_filter_that_leaves_nothing_says_to_remove_it(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    body = await _search(client, auth(org_with_pass), q="brake", system="no-such-system")

    assert body["total"] == 0
    assert any("remove the type, system or component filter" in h for h in body["hints"])  # type: ignore[union-attr]


# --- odd input -----------------------------------------------------------------------------


async def test_paging_past_the_end_is_empty_without_a_hint(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    body = await _search(client, auth(org_with_pass), q="brake", offset=500)

    assert _items(body) == [] and body["total"] > 0
    assert body["hints"] == []


@pytest.mark.parametrize("query", ["...", "?!", "«»", "- -", '""'])
async def test_punctuation_only_queries_are_answered_with_a_hint(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID, query: str
) -> None:
    body = await _search(client, auth(org_with_pass), q=query)

    assert body["total"] == 0
    assert body["hints"] != []


async def test_a_dash_between_words_excludes_nothing(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    dashed = await _search(client, auth(org_with_pass), q="brake - pads", lang="en")
    plain = await _search(client, auth(org_with_pass), q="brake pads", lang="en")

    assert [i["id"] for i in _items(dashed)] == [i["id"] for i in _items(plain)]
    assert FRONT_BRAKES in {i["id"] for i in _items(dashed)}


async def test_a_long_system_filter_is_a_422(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get(
        "/documents/search",
        params={"q": "brake", "system": "x" * 101},
        headers=auth(org_with_pass),
    )

    assert_problem(response, 422, "validation-error")
