"""Bad input to the service book gets a 422 naming the field (never a 500), and nothing is
written."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from servicekit.testing import ManualClock, TestTokenIssuer, assert_problem

Workshop = Callable[..., Awaitable[uuid.UUID]]
VIN = "WBA5F3103MFX12345"


@pytest.fixture
async def headers(workshop: Workshop, token_issuer: TestTokenIssuer) -> dict[str, str]:
    token = token_issuer.token(organization_id=await workshop(), roles=("technician",))
    return {"Authorization": f"Bearer {token}"}


def valid(clock: ManualClock) -> dict[str, Any]:
    return {
        "performed_on": clock().date().isoformat(),
        "mileage_km": 45_000,
        "kind": "inspection",
        "work_items": ["vehicle_check"],
        "parts": [{"number": "83132405977", "quantity": 1}],
        "note": "",
    }


async def stored(app: FastAPI) -> int:
    async with app.state.database.transaction() as session:
        count = await session.execute(text("SELECT count(*) FROM service_entries"))
        return int(count.scalar_one())


TOMORROW = "tomorrow"
CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("mileage-negative", {"mileage_km": -1}, "mileage_km", "greater_than_equal"),
    ("mileage-huge", {"mileage_km": 2_000_001}, "mileage_km", "less_than_equal"),
    ("mileage-astronomic", {"mileage_km": 10**40}, "mileage_km", "less_than_equal"),
    ("mileage-text", {"mileage_km": "a lot"}, "mileage_km", "int_parsing"),
    ("mileage-fraction", {"mileage_km": 1.5}, "mileage_km", "int_from_float"),
    ("kind", {"kind": "car_wash"}, "kind", "enum"),
    (
        "performed-on-garbage",
        {"performed_on": "31.02.2024"},
        "performed_on",
        "date_from_datetime_parsing",
    ),
    (
        "performed-on-impossible",
        {"performed_on": "2024-02-30"},
        "performed_on",
        "date_from_datetime_parsing",
    ),
    ("performed-on-1989", {"performed_on": "1989-12-31"}, "performed_on", "greater_than_equal"),
    ("performed-on-future", {"performed_on": TOMORROW}, "performed_on", "date-in-future"),
    ("work-items-too-many", {"work_items": ["x"] * 31}, "work_items", "too_long"),
    ("work-item-too-long", {"work_items": ["x" * 201]}, "work_items.0", "string_too_long"),
    ("work-item-empty", {"work_items": ["  "]}, "work_items.0", "string_too_short"),
    ("work-item-line-break", {"work_items": ["a\nb"]}, "work_items.0", "control-character"),
    ("parts-too-many", {"parts": [{"number": "1", "quantity": 1}] * 51}, "parts", "too_long"),
    (
        "part-number-empty",
        {"parts": [{"number": "", "quantity": 1}]},
        "parts.0.number",
        "string_too_short",
    ),
    (
        "part-number-long",
        {"parts": [{"number": "1" * 41, "quantity": 1}]},
        "parts.0.number",
        "string_too_long",
    ),
    (
        "part-quantity-zero",
        {"parts": [{"number": "1", "quantity": 0}]},
        "parts.0.quantity",
        "greater_than_equal",
    ),
    (
        "part-quantity-huge",
        {"parts": [{"number": "1", "quantity": 10000.5}]},
        "parts.0.quantity",
        "less_than_equal",
    ),
    (
        "part-quantity-exponent",
        {"parts": [{"number": "1", "quantity": 1e308}]},
        "parts.0.quantity",
        "less_than_equal",
    ),
    (
        "part-quantity-precision",
        {"parts": [{"number": "1", "quantity": 0.001}]},
        "parts.0.quantity",
        "greater_than_equal",
    ),
    (
        "part-quantity-decimals",
        {"parts": [{"number": "1", "quantity": 1.0005}]},
        "parts.0.quantity",
        "decimal_max_places",
    ),
    (
        "part-quantity-text",
        {"parts": [{"number": "1", "quantity": "NaN"}]},
        "parts.0.quantity",
        "finite_number",
    ),
    (
        "part-unknown-field",
        {"parts": [{"number": "1", "quantity": 1, "price": 3}]},
        "parts.0.price",
        "extra_forbidden",
    ),
    ("note-too-long", {"note": "x" * 2001}, "note", "string_too_long"),
    ("note-control", {"note": "bell\x07"}, "note", "control-character"),
    ("note-nul", {"note": "a\x00b"}, "note", "nul-character"),
    ("work-item-nul", {"work_items": ["\x00"]}, "work_items.0", "nul-character"),
    (
        "next-due-before-work",
        {"next_due_date": "2000-01-01"},
        "next_due_date",
        "not-after-performed-on",
    ),
    ("next-due-far", {"next_due_date": "2101-01-01"}, "next_due_date", "less_than_equal"),
    (
        "next-due-mileage-below",
        {"next_due_mileage_km": 44_000},
        "next_due_mileage_km",
        "not-above-mileage",
    ),
    ("corrects-no-uuid", {"corrects": "entry-1"}, "corrects", "uuid_parsing"),
    ("unknown-field", {"user_id": str(uuid.uuid4())}, "user_id", "extra_forbidden"),
]


@pytest.mark.parametrize(
    ("change", "field", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
async def test_bad_input_is_a_field_error_and_writes_nothing(
    app: FastAPI,
    client: httpx.AsyncClient,
    headers: dict[str, str],
    clock: ManualClock,
    change: dict[str, Any],
    field: str,
    code: str,
) -> None:
    body = {**valid(clock), **change}
    if body["performed_on"] == TOMORROW:
        body["performed_on"] = (clock().date() + timedelta(days=1)).isoformat()

    response = await client.post(f"/vehicles/{VIN}/service-entries", json=body, headers=headers)

    problem = assert_problem(response, 422, "validation-error")
    assert (field, code) in [(e["field"], e["code"]) for e in problem["errors"]], problem
    assert await stored(app) == 0


@pytest.mark.parametrize("missing", ["performed_on", "mileage_km", "kind"])
async def test_a_missing_required_field_is_named(
    client: httpx.AsyncClient, headers: dict[str, str], clock: ManualClock, missing: str
) -> None:
    body = valid(clock)
    del body[missing]

    response = await client.post(f"/vehicles/{VIN}/service-entries", json=body, headers=headers)

    problem = assert_problem(response, 422, "validation-error")
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [(missing, "missing")]


@pytest.mark.parametrize(
    "vin", ["WBA5F3103MFX1234", "WBA5F3103MFX1234O", "x" * 5000, "WBA5F3103MFX%0012345"]
)
async def test_a_bad_vin_is_refused_before_anything_else(
    app: FastAPI,
    client: httpx.AsyncClient,
    headers: dict[str, str],
    clock: ManualClock,
    vin: str,
) -> None:
    response = await client.post(
        f"/vehicles/{vin}/service-entries", json=valid(clock), headers=headers
    )

    assert response.status_code == 422, response.text
    assert response.json()["code"] in {"invalid-vin", "validation-error"}
    assert await stored(app) == 0


async def test_a_body_that_is_not_json_is_a_problem(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.post(
        f"/vehicles/{VIN}/service-entries",
        content=b'{"performed_on": ',
        headers={**headers, "content-type": "application/json"},
    )

    assert_problem(response, 400, "malformed-json")


async def test_patch_refuses_null_for_a_field_that_cannot_be_empty_and_bad_ids(
    client: httpx.AsyncClient, headers: dict[str, str], clock: ManualClock
) -> None:
    written = await client.post(
        f"/vehicles/{VIN}/service-entries", json=valid(clock), headers=headers
    )
    entry_id = written.json()["id"]

    null_mileage = await client.patch(
        f"/service-entries/{entry_id}", json={"revision": 1, "mileage_km": None}, headers=headers
    )
    no_revision = await client.patch(
        f"/service-entries/{entry_id}", json={"note": "x"}, headers=headers
    )
    future = await client.patch(
        f"/service-entries/{entry_id}",
        json={"revision": 1, "performed_on": (clock().date() + timedelta(days=3)).isoformat()},
        headers=headers,
    )
    bad_id = await client.patch(
        "/service-entries/not-a-uuid", json={"revision": 1, "note": "x"}, headers=headers
    )
    nothing = await client.patch(
        f"/service-entries/{entry_id}", json={"revision": 1}, headers=headers
    )
    void_without_revision = await client.post(
        f"/service-entries/{entry_id}/void", json={}, headers=headers
    )

    def fields(response: httpx.Response) -> list[tuple[str, str]]:
        problem = assert_problem(response, 422, "validation-error")
        return [(e["field"], e["code"]) for e in problem["errors"]]

    assert fields(null_mileage) == [("mileage_km", "null-not-allowed")]
    assert fields(no_revision) == [("revision", "missing")]
    assert fields(future) == [("performed_on", "date-in-future")]
    assert fields(bad_id) == [("path.entry_id", "uuid_parsing")]
    assert fields(void_without_revision) == [("revision", "missing")]
    assert fields(nothing) == [("body", "nothing-to-change")]


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"mileage_km": -5}, "query.mileage_km", "greater_than_equal"),
        ({"mileage_km": "99999999999999999999"}, "query.mileage_km", "less_than_equal"),
        ({"first_registration": "1980-01-01"}, "query.first_registration", "greater_than_equal"),
        ({"first_registration": "2999-01-01"}, "query.first_registration", "date-in-future"),
        ({"first_registration": "soon"}, "query.first_registration", "date_from_datetime_parsing"),
        ({"lang": "fr"}, "query.lang", "enum"),
    ],
)
async def test_bad_schedule_parameters_are_field_errors(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    org_pass_headers: dict[str, str],
    params: dict[str, Any],
    field: str,
    code: str,
) -> None:
    response = await client.get(
        f"/vehicles/{VIN}/schedule", params=params, headers=org_pass_headers
    )

    problem = assert_problem(response, 422, "validation-error")
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [(field, code)]


@pytest.fixture
async def org_pass_headers(
    org_with_pass: uuid.UUID, token_issuer: TestTokenIssuer
) -> dict[str, str]:
    token = token_issuer.token(organization_id=org_with_pass, roles=("technician",))
    return {"Authorization": f"Bearer {token}"}
