"""The OpenAPI document lists the endpoints and the problems they answer with."""

from __future__ import annotations

import httpx


async def test_openapi_lists_search_with_its_problem_responses(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()

    search = document["paths"]["/documents/search"]["get"]
    assert {"200", "401", "403", "422"} <= set(search["responses"])
    assert "air-pass-required" in search["responses"]["403"]["description"]
    assert {"/vehicles/{vin}", "/documents/{document_id}"} <= set(document["paths"])
