"""GET /vehicles/{vin}: decoding needs a login but no AIR pass."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest

Auth = Callable[[uuid.UUID], dict[str, str]]


async def test_decoding_a_vin_needs_no_pass_and_returns_every_part(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    response = await client.get("/vehicles/5uxcv6109l9b12345", headers=auth(uuid.uuid4()))

    assert response.status_code == 200, response.text
    assert response.json() == {
        "vin": "5UXCV6109L9B12345",
        "coverage": "covered",
        "coverage_note": (
            "BMW G05 X5 xDrive30d: covered by this portal; the documents that apply to its "
            "series, model year, engine, transmission and equipment are listed."
        ),
        "manufacturer": "BMW",
        "make": "BMW",
        "country": "United States",
        "region": "North America",
        "wmi": "5UX",
        "vds": "CV6109",
        "vis": "L9B12345",
        "type_code": "CV61",
        "check_digit": "9",
        "check_digit_expected": "9",
        "check_digit_valid": True,
        "model_year_code": "L",
        "model_year": 2020,
        "plant_code": "9",
        "plant": "Spartanburg, USA",
        "serial_number": "B12345",
        "series": "G05",
        "model": "X5 xDrive30d",
        "body": "Sports Activity Vehicle",
        "engine": {
            "code": "B57D30",
            "family": "B57",
            "fuel_type": "diesel",
            "displacement_ccm": 2993,
            "power_kw": 210,
            "cylinders": 6,
            "description": "3.0 l 6-cylinder diesel, TwinPower Turbo",
        },
        "transmission": {"code": "GA8HP", "description": "8-speed Steptronic automatic"},
        "drive": "AWD",
        "options": [
            {
                "code": "2VR",
                "description": "Two-axle air suspension with automatic ride-height control",
            },
            {"code": "316", "description": "Automatic tailgate operation"},
            {"code": "3AC", "description": "Trailer tow hitch, electrically pivoting"},
            {"code": "508", "description": "Park Distance Control (PDC), front and rear"},
            {"code": "534", "description": "Automatic air conditioning"},
            {"code": "6AE", "description": "Teleservices"},
        ],
        "notes": [
            "Options are the standard equipment of this type; optional extras are not in the VIN."
        ],
    }


async def test_european_vin_with_a_letter_check_digit_is_decoded_with_a_note(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    response = await client.get("/vehicles/WBA5F310AKFH12345", headers=auth(uuid.uuid4()))

    body = response.json()
    assert response.status_code == 200
    assert (body["check_digit"], body["check_digit_expected"]) == ("A", "3")
    assert body["check_digit_valid"] is False
    assert body["series"] == "G20"
    assert any("not the ISO 3779 check digit 3" in note for note in body["notes"])


async def test_unknown_type_code_is_an_unknown_vehicle_with_what_is_known(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    response = await client.get("/vehicles/WBA9Z9900KFH12345", headers=auth(uuid.uuid4()))

    body = response.json()
    assert response.status_code == 200
    assert body["coverage"] == "unknown_vehicle"
    assert (body["make"], body["model_year"], body["plant"]) == ("BMW", 2019, "Regensburg, Germany")
    assert (body["series"], body["model"], body["engine"]) == (None, None, None)
    assert (body["transmission"], body["drive"], body["options"]) == (None, None, [])
    assert "only the documents for all series apply" in body["coverage_note"]
    assert any("Type code 9Z99" in note for note in body["notes"])


async def test_another_makers_vin_is_not_covered_and_says_where_to_look(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    response = await client.get("/vehicles/WVWZZZ1JZ3W386752", headers=auth(uuid.uuid4()))

    body = response.json()
    assert response.status_code == 200, response.text
    assert body["coverage"] == "not_covered"
    assert (body["manufacturer"], body["make"], body["country"]) == (
        "Volkswagen",
        "Volkswagen",
        "Germany",
    )
    assert (body["series"], body["model"], body["engine"], body["plant"]) == (
        None,
        None,
        None,
        None,
    )
    assert body["coverage_note"].startswith("This portal covers BMW vehicles; Volkswagen")


async def test_a_petrol_and_a_diesel_car_show_their_engines(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    petrol = (await client.get("/vehicles/WBA5F3103MFX12345", headers=auth(uuid.uuid4()))).json()
    diesel = (await client.get("/vehicles/WBA5F7102MFX54321", headers=auth(uuid.uuid4()))).json()

    assert (petrol["model"], petrol["engine"]["code"], petrol["engine"]["fuel_type"]) == (
        "330i",
        "B48B20",
        "petrol",
    )
    assert (diesel["model"], diesel["engine"]["code"], diesel["engine"]["fuel_type"]) == (
        "320d",
        "B47D20",
        "diesel",
    )


@pytest.mark.parametrize(
    ("vin", "expected"),
    [
        ("WBA6K5105MFK5432", "a VIN has 17 characters, this one has 16"),
        ("WBA6K5105MFK54Q21", "letter Q at position 15 is not allowed in a VIN"),
        ("WBA6K51%20MFK54321", "character ' ' at position 8 is not allowed in a VIN"),
    ],
)
async def test_invalid_vin_is_a_422_problem_saying_what_is_wrong(
    client: httpx.AsyncClient, auth: Auth, vin: str, expected: str
) -> None:
    response = await client.get(f"/vehicles/{vin}", headers=auth(uuid.uuid4()))

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/invalid-vin"
    assert body["title"] == "Invalid VIN"
    assert expected in body["detail"]
    assert any(expected in reason for reason in body["reasons"])


async def test_very_long_invalid_vin_is_echoed_shortened(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    response = await client.get("/vehicles/" + "A" * 3000, headers=auth(uuid.uuid4()))

    assert response.status_code == 422
    assert len(response.json()["detail"]) < 200


async def test_decoding_without_a_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/vehicles/5UXCV6109L9B12345")

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
