"""Search and read documents against a real PostgreSQL with the shipped content pack."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import httpx
import pytest

from air.config import Settings
from air.main import create_app
from aos.events.v1 import billing_pb2
from servicekit.testing import TestTokenIssuer, assert_problem, running_app

Auth = Callable[[uuid.UUID], dict[str, str]]
Grant = Callable[..., Awaitable[billing_pb2.EntitlementGranted]]

# WBA + 6K51 (G21 320d Touring) + model year M (2021), correct check digit.
VIN_G21_2021 = "WBA6K5105MFK54321"
# The same car one model year later (N = 2022): the 2019-2021 bulletin no longer applies.
VIN_G21_2022 = "WBA6K5105NFK54321"
# Type code 9Z99 is not in the table.
VIN_UNKNOWN_TYPE = "WBA9Z9900KFH12345"

GENERIC = {
    "ri-all-12v-battery-replace-register",
    "ri-all-brake-fluid-change",
    "ri-all-vehicle-check",
    "wd-all-diagnostic-socket",
    "tb-all-2023-002-programming-voltage",
}
# The 320d Touring is a B47 diesel with the automatic tailgate (option 316): no B48 spark plugs
# or B48 oil service.
G21_2021 = GENERIC | {
    "ri-g20-front-brake-pads-discs",
    "ri-g20-rear-brake-pads-epb",
    "ri-b47-engine-oil-service",
    "ri-g21-tailgate-spindle-drive",
    "tb-g20-2021-001-coolant-pump-noise",
}


async def test_search_by_vin_returns_exactly_the_documents_for_its_series_and_year(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get(
        "/documents/search", params={"vin": VIN_G21_2021}, headers=auth(org_with_pass)
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert {item["id"] for item in body["items"]} == G21_2021
    assert body["total"] == len(G21_2021)
    assert body["vehicle"]["series"] == "G21"
    assert body["vehicle"]["model_year"] == 2021


async def test_search_by_vin_without_query_is_ordered_by_system_component_type_title(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get(
        "/documents/search", params={"vin": VIN_G21_2021}, headers=auth(org_with_pass)
    )

    items = response.json()["items"]
    order = [(i["system"], i["component"], i["type"], i["title"]) for i in items]
    assert order == sorted(order)
    assert all(item["snippet"] is None for item in items)


async def test_search_by_vin_drops_documents_outside_their_model_years(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get(
        "/documents/search", params={"vin": VIN_G21_2022}, headers=auth(org_with_pass)
    )

    ids = {item["id"] for item in response.json()["items"]}
    assert ids == G21_2021 - {"tb-g20-2021-001-coolant-pump-noise"}


async def test_search_by_vin_with_unknown_type_code_lists_only_generic_documents(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get(
        "/documents/search", params={"vin": VIN_UNKNOWN_TYPE}, headers=auth(org_with_pass)
    )

    body = response.json()
    assert {item["id"] for item in body["items"]} == GENERIC
    assert body["vehicle"]["series"] is None
    assert any("Type code 9Z99" in note for note in body["vehicle"]["notes"])


async def test_keyword_search_ranks_the_title_match_first_with_a_marked_snippet(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get(
        "/documents/search", params={"q": "air spring"}, headers=auth(org_with_pass)
    )

    items = response.json()["items"]
    ids = [item["id"] for item in items]
    assert ids[0] == "ri-g05-rear-air-spring"
    assert "tb-g05-2020-004-lowers-overnight" in ids[1:]
    assert "«" in items[0]["snippet"] and "»" in items[0]["snippet"]
    assert "#" not in items[0]["snippet"] and "**" not in items[0]["snippet"]


async def test_keyword_search_matches_inflected_words(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get(
        "/documents/search", params={"q": "leaking springs"}, headers=auth(org_with_pass)
    )

    ids = [item["id"] for item in response.json()["items"]]
    assert ids[0] == "ri-g05-rear-air-spring"


async def test_keyword_search_with_vin_keeps_only_applicable_matches(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get(
        "/documents/search",
        params={"q": "brake pads", "vin": VIN_G21_2021},
        headers=auth(org_with_pass),
    )

    ids = {item["id"] for item in response.json()["items"]}
    assert {"ri-g20-front-brake-pads-discs", "ri-g20-rear-brake-pads-epb"} <= ids
    assert ids <= G21_2021


async def test_type_filter_keeps_only_the_given_types(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get(
        "/documents/search",
        params=[("vin", VIN_G21_2021), ("type", "wiring_diagram"), ("type", "technical_bulletin")],
        headers=auth(org_with_pass),
    )

    ids = {item["id"] for item in response.json()["items"]}
    assert ids == {
        "wd-all-diagnostic-socket",
        "tb-all-2023-002-programming-voltage",
        "tb-g20-2021-001-coolant-pump-noise",
    }


async def test_limit_and_offset_page_through_the_results_with_the_full_total(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    pages = [
        (
            await client.get(
                "/documents/search",
                params={"vin": VIN_G21_2021, "limit": 4, "offset": offset},
                headers=auth(org_with_pass),
            )
        ).json()
        for offset in (0, 4, 8, 12)
    ]

    assert [len(page["items"]) for page in pages] == [4, 4, 2, 0]
    assert {page["total"] for page in pages} == {len(G21_2021)}
    assert {item["id"] for page in pages for item in page["items"]} == G21_2021


async def test_search_page_size_defaults_to_the_setting(
    settings: Settings, token_issuer: TestTokenIssuer, auth: Auth, grant: Grant
) -> None:
    organization_id = uuid.uuid4()
    await grant(organization_id)
    small_pages = settings.model_copy(update={"search_default_limit": 3})
    async with token_issuer.http_client() as jwks_http:
        app = create_app(small_pages, jwks_http=jwks_http)
        async with running_app(app) as small_client:
            response = await small_client.get(
                "/documents/search", params={"vin": VIN_G21_2021}, headers=auth(organization_id)
            )

    body = response.json()
    assert (body["limit"], len(body["items"]), body["total"]) == (3, 3, len(G21_2021))


async def test_read_wiring_diagram_returns_body_and_svg(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get("/documents/wd-all-diagnostic-socket", headers=auth(org_with_pass))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["type"] == "wiring_diagram"
    assert "| 6 | CAN high" in body["body"]
    assert body["svg"].startswith("<svg")
    assert body["applicability"]["all_series"] is True


async def test_read_repair_instruction_has_no_svg(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get(
        "/documents/ri-g20-front-brake-pads-discs", headers=auth(org_with_pass)
    )

    body = response.json()
    assert body["svg"] is None
    assert "**110 Nm**" in body["body"]
    assert body["applicability"] == {
        "series": ["G20", "G21"],
        "all_series": False,
        "model_year_from": 2019,
        "model_year_to": None,
        "engine_codes": [],
        "fuel_types": [],
        "transmissions": [],
        "option_codes": [],
    }


async def test_unknown_document_is_a_404_problem(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get("/documents/no-such-document", headers=auth(org_with_pass))

    body = assert_problem(response, 404, "document-not-found")
    assert "'no-such-document'" in str(body["detail"])


async def test_very_long_unknown_document_id_is_a_404_with_a_short_detail(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get("/documents/" + "x" * 5000, headers=auth(org_with_pass))

    body = assert_problem(response, 404, "document-not-found")
    assert len(str(body["detail"])) < 200


async def test_document_id_with_a_nul_byte_is_a_422_problem_naming_it(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get("/documents/wd-f40-horn%00", headers=auth(org_with_pass))

    body = assert_problem(response, 422, "validation-error")
    assert body["errors"][0]["field"] == "path.document_id"
    assert body["errors"][0]["code"] == "nul-character"


async def test_query_with_a_nul_byte_is_a_422_problem_naming_it(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get(
        "/documents/search", params={"q": "brake\x00"}, headers=auth(org_with_pass)
    )

    body = assert_problem(response, 422, "validation-error")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("query.q", "nul-character")]


@pytest.mark.parametrize("query", ["\x07bell", "brake\x1b[0m"])
async def test_query_with_control_characters_is_a_422_problem(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID, query: str
) -> None:
    response = await client.get(
        "/documents/search", params={"q": query}, headers=auth(org_with_pass)
    )

    body = assert_problem(response, 422, "invalid-query")
    assert "control characters" in str(body["detail"])


async def test_query_with_tabs_and_newlines_is_searched_as_spaces(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get(
        "/documents/search", params={"q": "air\tspring\n"}, headers=auth(org_with_pass)
    )

    assert response.json()["items"][0]["id"] == "ri-g05-rear-air-spring"


async def test_negative_offset_is_a_422_problem(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get(
        "/documents/search", params={"q": "brake", "offset": -1}, headers=auth(org_with_pass)
    )

    body = assert_problem(response, 422, "validation-error")
    assert "offset" in str(body["detail"])


async def test_invalid_vin_in_search_is_a_422_naming_the_position(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get(
        "/documents/search", params={"vin": "WBA6K5105MFO54321"}, headers=auth(org_with_pass)
    )

    body = assert_problem(response, 422, "invalid-vin")
    assert "letter O at position 12" in str(body["detail"])


@pytest.mark.parametrize("limit", [0, 101, -1, "ten"])
async def test_limit_out_of_range_is_a_422_problem(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID, limit: object
) -> None:
    response = await client.get(
        "/documents/search", params={"q": "brake", "limit": limit}, headers=auth(org_with_pass)
    )

    body = assert_problem(response, 422, "validation-error")
    assert "limit" in str(body["detail"])


async def test_unknown_type_is_a_422_problem(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get(
        "/documents/search", params={"q": "brake", "type": "manual"}, headers=auth(org_with_pass)
    )

    assert_problem(response, 422, "validation-error")


@pytest.mark.parametrize("params", [{}, {"q": "  "}, {"q": "", "vin": ""}])
async def test_search_without_query_or_vin_is_a_422_problem(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID, params: dict[str, str]
) -> None:
    response = await client.get("/documents/search", params=params, headers=auth(org_with_pass))

    body = assert_problem(response, 422, "search-criteria-missing")
    assert "'q'" in str(body["detail"]) and "'vin'" in str(body["detail"])


async def test_overlong_query_is_a_422_problem(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get(
        "/documents/search", params={"q": "brake " * 50}, headers=auth(org_with_pass)
    )

    assert_problem(response, 422, "validation-error")


@pytest.mark.parametrize(
    "query", ['"air spring" -compressor', "!!! & | :* ()", "the", "OR", "'; DROP TABLE x; --"]
)
async def test_odd_queries_are_answered_not_failed(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID, query: str
) -> None:
    response = await client.get(
        "/documents/search", params={"q": query}, headers=auth(org_with_pass)
    )

    assert response.status_code == 200, response.text
    assert response.json()["total"] == len(response.json()["items"])


async def test_phrase_and_exclusion_follow_web_search_syntax(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    response = await client.get(
        "/documents/search",
        params={"q": '"air spring" -overnight'},
        headers=auth(org_with_pass),
    )

    ids = {item["id"] for item in response.json()["items"]}
    assert "ri-g05-rear-air-spring" in ids
    assert "tb-g05-2020-004-lowers-overnight" not in ids
