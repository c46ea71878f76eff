"""Search and reading by VIN give exactly what applies to that car: every condition of a
document (series, model years, engine, fuel, transmission, options) against the decoded vehicle,
and nothing at all for another maker's car."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import httpx

from aos.events.v1 import billing_pb2

Auth = Callable[[uuid.UUID], dict[str, str]]
Grant = Callable[..., Awaitable[billing_pb2.EntitlementGranted]]

VIN_330I = "WBA5F3103MFX12345"  # G20 330i, B48 petrol, model year 2021
VIN_320D = "WBA5F7102MFX54321"  # G20 320d, B47 diesel, model year 2021
VIN_VW = "WVWZZZ1JZ3W386752"
PETROL_OIL = "ri-b48-engine-oil-service"
DIESEL_OIL = "ri-b47-engine-oil-service"


async def _ids(client: httpx.AsyncClient, headers: dict[str, str], **params: str) -> set[str]:
    response = await client.get("/documents/search", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


async def test_the_petrol_330i_gets_the_b48_oil_service_and_not_the_b47_one(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    headers = auth(org_with_pass)

    by_vin = await _ids(client, headers, vin=VIN_330I, limit="100")
    by_keywords = await _ids(client, headers, vin=VIN_330I, q="engine oil")

    assert {PETROL_OIL, "ri-b48-spark-plugs"} <= by_vin
    assert DIESEL_OIL not in by_vin
    assert PETROL_OIL in by_keywords
    assert DIESEL_OIL not in by_keywords


async def test_the_diesel_320d_gets_the_b47_oil_service_and_no_petrol_documents(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    headers = auth(org_with_pass)

    by_vin = await _ids(client, headers, vin=VIN_320D, limit="100")
    by_keywords = await _ids(client, headers, vin=VIN_320D, q="engine oil")

    assert DIESEL_OIL in by_vin
    assert not {PETROL_OIL, "ri-b48-spark-plugs"} & by_vin
    assert DIESEL_OIL in by_keywords
    assert PETROL_OIL not in by_keywords


async def test_another_makers_vin_finds_no_documents_at_all(
    client: httpx.AsyncClient, auth: Auth, org_with_pass: uuid.UUID
) -> None:
    headers = auth(org_with_pass)

    response = await client.get("/documents/search", params={"vin": VIN_VW}, headers=headers)
    # Even the documents for all BMW series do not apply to a Volkswagen.
    battery = await client.get(
        "/documents/search", params={"vin": VIN_VW, "q": "12 V battery"}, headers=headers
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["total"], body["items"]) == (0, [])
    assert body["vehicle"]["coverage"] == "not_covered"
    assert battery.status_code == 200
    assert battery.json()["total"] == 0


async def test_a_vin_pass_of_the_330i_does_not_open_the_diesel_oil_service(
    client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    organization_id = uuid.uuid4()
    await grant(organization_id, vin=VIN_330I)
    headers = auth(organization_id)

    petrol = await client.get(f"/documents/{PETROL_OIL}", params={"vin": VIN_330I}, headers=headers)
    diesel = await client.get(f"/documents/{DIESEL_OIL}", params={"vin": VIN_330I}, headers=headers)

    assert petrol.status_code == 200, petrol.text
    # Same series (G20), but the document is for the B47 engine: the car's pass does not cover it.
    assert diesel.status_code == 403, diesel.text
    assert diesel.json()["code"] == "air-pass-required"


async def test_a_vin_pass_of_another_makers_car_opens_no_document(
    client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    organization_id = uuid.uuid4()
    await grant(organization_id, vin=VIN_VW)

    response = await client.get(
        "/documents/ri-all-12v-battery-replace-register",
        params={"vin": VIN_VW},
        headers=auth(organization_id),
    )

    assert response.status_code == 403, response.text
    assert response.json()["code"] == "air-pass-required"
