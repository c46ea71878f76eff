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
        "wmi": "5UX",
        "manufacturer": "BMW Manufacturing Co. (SAV, USA)",
        "region": "North America",
        "vds": "CV6109",
        "type_code": "CV61",
        "check_digit": "9",
        "check_digit_expected": "9",
        "check_digit_valid": True,
        "vis": "L9B12345",
        "model_year_code": "L",
        "model_year": 2020,
        "plant_code": "9",
        "serial_number": "B12345",
        "series": "G05",
        "model": "X5 xDrive30d",
        "body": "Sports Activity Vehicle",
        "engine": "B57D30 3.0 l 6-cylinder diesel, 210 kW",
        "notes": [],
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
    assert len(body["notes"]) == 1


async def test_unknown_type_code_is_decoded_with_series_null(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    response = await client.get("/vehicles/WBA9Z9900KFH12345", headers=auth(uuid.uuid4()))

    body = response.json()
    assert response.status_code == 200
    assert (body["series"], body["model"], body["engine"]) == (None, None, None)
    assert any("Type code 9Z99" in note for note in body["notes"])


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
