"""The service book over HTTP: writing without a pass, reading with one, the 14-day edit window
(a controllable clock), corrections, other workshops' entries, and privacy."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from aos.events.v1 import billing_pb2
from servicekit.testing import ManualClock, TestTokenIssuer, assert_problem

Grant = Callable[..., Awaitable[billing_pb2.EntitlementGranted]]
Workshop = Callable[..., Awaitable[uuid.UUID]]

# The demo G20 330i (B48 petrol) and a G21 320d Touring.
VIN = "WBA5F3103MFX12345"
OTHER_VIN = "WBA6K5105MFK54321"
DAY = 24 * 3600


@pytest.fixture
def member(token_issuer: TestTokenIssuer) -> Callable[..., dict[str, str]]:
    def headers(
        organization_id: uuid.UUID, *, role: str = "technician", user_id: uuid.UUID | None = None
    ) -> dict[str, str]:
        token = token_issuer.token(
            organization_id=organization_id, user_id=user_id or uuid.uuid4(), roles=(role,)
        )
        return {"Authorization": f"Bearer {token}"}

    return headers


def entry_body(clock: ManualClock, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "performed_on": (clock().date() - timedelta(days=1)).isoformat(),
        "mileage_km": 45_000,
        "kind": "oil_service",
        "work_items": ["engine_oil", "Oil filter replaced"],
        "parts": [
            {"number": "11428575211", "quantity": 1, "description": "Oil filter"},
            {"number": "83212365946", "quantity": 5.25, "description": "Engine oil 0W-20"},
        ],
        "note": "Customer reports no leaks.\nNext visit: brakes.",
    }
    body.update(changes)
    return body


async def write(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    clock: ManualClock,
    vin: str = VIN,
    **changes: Any,
) -> dict[str, Any]:
    response = await client.post(
        f"/vehicles/{vin}/service-entries", json=entry_body(clock, **changes), headers=headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_workshop_writes_without_a_pass_and_reads_with_one(
    client: httpx.AsyncClient,
    member: Callable[..., dict[str, str]],
    workshop: Workshop,
    grant: Grant,
    clock: ManualClock,
) -> None:
    organization_id = await workshop(name="Werkstatt Schmidt GmbH", city="Stuttgart")
    headers = member(organization_id)

    written = await write(client, headers, clock, vin=VIN.lower())
    refused = await client.get(f"/vehicles/{VIN}/service-entries", headers=headers)
    await grant(organization_id)
    listed = await client.get(f"/vehicles/{VIN}/service-entries", headers=headers)

    assert written["vin"] == VIN
    assert written["workshop"] == {"name": "Werkstatt Schmidt GmbH", "city": "Stuttgart"}
    assert written["own"] is True
    assert written["editable"] is True
    assert written["status"] == "active"
    assert written["revision"] == 1
    assert written["parts"][1] == {
        "number": "83212365946",
        "quantity": 5.25,
        "description": "Engine oil 0W-20",
    }
    assert written["note"] == "Customer reports no leaks.\nNext visit: brakes."
    assert written["warnings"] == []
    problem = assert_problem(refused, 403, "air-pass-required")
    assert "AIR_VIN_24H" in problem["buy"]
    assert listed.status_code == 200, listed.text
    assert listed.json()["vin"] == VIN
    assert [item["id"] for item in listed.json()["items"]] == [written["id"]]


async def test_next_due_is_filled_from_the_schedule_when_not_given(
    client: httpx.AsyncClient,
    member: Callable[..., dict[str, str]],
    workshop: Workshop,
    clock: ManualClock,
) -> None:
    headers = member(await workshop())
    performed_on = date(2026, 1, 15)

    filled = await write(client, headers, clock, performed_on=performed_on.isoformat())
    given = await write(
        client,
        headers,
        clock,
        performed_on=performed_on.isoformat(),
        next_due_date="2027-01-15",
    )

    # Engine oil: 24 months or 30,000 km after 2026-01-15 at 45,000 km.
    assert (filled["next_due_date"], filled["next_due_mileage_km"]) == ("2028-01-15", 75_000)
    assert (given["next_due_date"], given["next_due_mileage_km"]) == ("2027-01-15", None)


async def test_a_vin_pass_opens_its_vehicle_only(
    client: httpx.AsyncClient,
    member: Callable[..., dict[str, str]],
    workshop: Workshop,
    grant: Grant,
) -> None:
    organization_id = await workshop()
    headers = member(organization_id)
    await grant(organization_id, vin=VIN)

    own_vin = await client.get(f"/vehicles/{VIN}/service-entries", headers=headers)
    own_schedule = await client.get(f"/vehicles/{VIN}/schedule", headers=headers)
    other_vin = await client.get(f"/vehicles/{OTHER_VIN}/service-entries", headers=headers)
    other_schedule = await client.get(f"/vehicles/{OTHER_VIN}/schedule", headers=headers)

    assert own_vin.status_code == 200, own_vin.text
    assert own_schedule.status_code == 200, own_schedule.text
    assert_problem(other_vin, 403, "air-pass-required")
    assert_problem(other_schedule, 403, "air-pass-required")


async def test_an_accountant_cannot_write_or_read(
    client: httpx.AsyncClient,
    member: Callable[..., dict[str, str]],
    workshop: Workshop,
    grant: Grant,
    clock: ManualClock,
) -> None:
    organization_id = await workshop()
    await grant(organization_id)
    headers = member(organization_id, role="accountant")

    written = await client.post(
        f"/vehicles/{VIN}/service-entries", json=entry_body(clock), headers=headers
    )
    listed = await client.get(f"/vehicles/{VIN}/service-entries", headers=headers)

    assert assert_problem(written, 403, "role-forbidden")["required_roles"] == [
        "owner",
        "admin",
        "technician",
    ]
    assert_problem(listed, 403, "role-forbidden")


@pytest.mark.parametrize(
    ("registration", "phrase"),
    [
        ({"city": None}, "/company"),
        ({"city": "   "}, "/company"),
        ({"closed": True}, "closed"),
    ],
    ids=["no-company-data", "blank-city", "closed"],
)
async def test_a_workshop_without_company_data_cannot_write(
    client: httpx.AsyncClient,
    member: Callable[..., dict[str, str]],
    workshop: Workshop,
    clock: ManualClock,
    registration: dict[str, Any],
    phrase: str,
) -> None:
    headers = member(await workshop(**registration))

    response = await client.post(
        f"/vehicles/{VIN}/service-entries", json=entry_body(clock), headers=headers
    )

    problem = assert_problem(response, 409, "workshop-details-missing")
    assert phrase in problem["detail"]
    assert problem["company_page"] == "/company"


async def test_an_unknown_organisation_cannot_write(
    client: httpx.AsyncClient, member: Callable[..., dict[str, str]], clock: ManualClock
) -> None:
    response = await client.post(
        f"/vehicles/{VIN}/service-entries", json=entry_body(clock), headers=member(uuid.uuid4())
    )

    assert_problem(response, 409, "workshop-details-missing")


async def test_edit_on_day_13_works_on_day_15_it_is_final_and_a_correction_works(
    client: httpx.AsyncClient,
    member: Callable[..., dict[str, str]],
    workshop: Workshop,
    grant: Grant,
    clock: ManualClock,
) -> None:
    organization_id = await workshop()
    headers = member(organization_id)
    written = await write(client, headers, clock)

    clock.advance(13 * DAY)
    edited = await client.patch(
        f"/service-entries/{written['id']}",
        json={"revision": 1, "mileage_km": 45_500, "next_due_date": None},
        headers=headers,
    )
    clock.advance(2 * DAY)
    too_late = await client.patch(
        f"/service-entries/{written['id']}",
        json={"revision": 2, "mileage_km": 45_600},
        headers=headers,
    )
    void_too_late = await client.post(
        f"/service-entries/{written['id']}/void", json={"revision": 2}, headers=headers
    )
    correction = await client.post(
        f"/vehicles/{VIN}/service-entries",
        json=entry_body(clock, mileage_km=45_600, corrects=written["id"]),
        headers=headers,
    )
    await grant(organization_id, valid_from=clock() - timedelta(minutes=1))
    listed = await client.get(f"/vehicles/{VIN}/service-entries", headers=headers)

    assert edited.status_code == 200, edited.text
    assert edited.json()["mileage_km"] == 45_500
    assert edited.json()["revision"] == 2
    assert edited.json()["next_due_date"] is None
    assert edited.json()["next_due_mileage_km"] == 75_000  # left out: kept
    assert edited.json()["editable"] is True
    final = assert_problem(too_late, 409, "service-entry-final")
    assert final["corrects"] == written["id"]
    assert "corrects" in final["detail"]
    assert_problem(void_too_late, 409, "service-entry-final")
    assert correction.status_code == 201, correction.text
    assert correction.json()["corrects"] == written["id"]
    by_id = {item["id"]: item for item in listed.json()["items"]}
    assert by_id[written["id"]]["corrected_by"] == [correction.json()["id"]]
    assert by_id[written["id"]]["mileage_km"] == 45_500
    assert by_id[written["id"]]["editable"] is False
    assert by_id[correction.json()["id"]]["editable"] is True


async def test_the_window_ends_exactly_14_days_after_writing(
    client: httpx.AsyncClient,
    member: Callable[..., dict[str, str]],
    workshop: Workshop,
    clock: ManualClock,
) -> None:
    headers = member(await workshop())
    written = await write(client, headers, clock)

    clock.advance(14 * DAY - 1)
    last_second = await client.patch(
        f"/service-entries/{written['id']}", json={"revision": 1, "note": "ok"}, headers=headers
    )
    clock.advance(1)
    at_the_end = await client.patch(
        f"/service-entries/{written['id']}", json={"revision": 2, "note": "late"}, headers=headers
    )

    assert last_second.status_code == 200, last_second.text
    assert_problem(at_the_end, 409, "service-entry-final")


async def test_void_keeps_the_entry_visible_as_voided_and_it_cannot_change_again(
    client: httpx.AsyncClient,
    member: Callable[..., dict[str, str]],
    workshop: Workshop,
    grant: Grant,
    clock: ManualClock,
) -> None:
    organization_id = await workshop()
    headers = member(organization_id)
    written = await write(client, headers, clock)

    voided = await client.post(
        f"/service-entries/{written['id']}/void", json={"revision": 1}, headers=headers
    )
    again = await client.post(
        f"/service-entries/{written['id']}/void", json={"revision": 2}, headers=headers
    )
    edit = await client.patch(
        f"/service-entries/{written['id']}", json={"revision": 2, "note": "x"}, headers=headers
    )
    await grant(organization_id)
    listed = await client.get(f"/vehicles/{VIN}/service-entries", headers=headers)

    assert voided.status_code == 200, voided.text
    assert voided.json()["status"] == "voided"
    assert voided.json()["revision"] == 2
    assert voided.json()["editable"] is False
    assert_problem(again, 409, "service-entry-voided")
    assert_problem(edit, 409, "service-entry-voided")
    assert [(item["id"], item["status"]) for item in listed.json()["items"]] == [
        (written["id"], "voided")
    ]


async def test_a_stale_revision_is_refused_with_the_current_one(
    client: httpx.AsyncClient,
    member: Callable[..., dict[str, str]],
    workshop: Workshop,
    clock: ManualClock,
) -> None:
    headers = member(await workshop())
    written = await write(client, headers, clock)
    first = await client.patch(
        f"/service-entries/{written['id']}", json={"revision": 1, "note": "a"}, headers=headers
    )

    stale_edit = await client.patch(
        f"/service-entries/{written['id']}", json={"revision": 1, "note": "b"}, headers=headers
    )
    stale_void = await client.post(
        f"/service-entries/{written['id']}/void", json={"revision": 1}, headers=headers
    )

    assert first.status_code == 200
    assert assert_problem(stale_edit, 409, "service-entry-changed")["revision"] == 2
    assert_problem(stale_void, 409, "service-entry-changed")


async def test_another_workshop_cannot_edit_or_void_and_sees_no_person(
    client: httpx.AsyncClient,
    member: Callable[..., dict[str, str]],
    workshop: Workshop,
    grant: Grant,
    clock: ManualClock,
) -> None:
    writer_org = await workshop(name="Autohaus Nord GmbH", city="Hamburg")
    writer_user = uuid.uuid4()
    written = await write(client, member(writer_org, user_id=writer_user), clock)
    reader_org = await workshop(name="Werkstatt Süd GmbH", city="München")
    reader = member(reader_org)
    await grant(reader_org)

    edit = await client.patch(
        f"/service-entries/{written['id']}", json={"revision": 1, "note": "x"}, headers=reader
    )
    void = await client.post(
        f"/service-entries/{written['id']}/void", json={"revision": 1}, headers=reader
    )
    missing_id = str(uuid.uuid4())
    unknown = await client.patch(
        f"/service-entries/{missing_id}", json={"revision": 1, "note": "x"}, headers=reader
    )
    listed = await client.get(f"/vehicles/{VIN}/service-entries", headers=reader)
    schedule = await client.get(f"/vehicles/{VIN}/schedule", headers=reader)

    assert_problem(edit, 404, "service-entry-not-found")
    assert_problem(void, 404, "service-entry-not-found")
    # The same answer as for an id that does not exist: nothing leaks.
    assert_problem(unknown, 404, "service-entry-not-found")
    assert edit.json()["detail"].replace(written["id"], "ID") == unknown.json()["detail"].replace(
        missing_id, "ID"
    )
    (item,) = listed.json()["items"]
    assert item["workshop"] == {"name": "Autohaus Nord GmbH", "city": "Hamburg"}
    assert item["own"] is False
    assert item["editable"] is False
    for response in (written, listed.json(), schedule.json()):
        text = str(response)
        assert str(writer_user) not in text
        assert str(writer_org) not in text
    assert "user_id" not in str(listed.json())


async def test_a_correction_must_name_an_own_active_entry_of_the_same_vin(
    client: httpx.AsyncClient,
    member: Callable[..., dict[str, str]],
    workshop: Workshop,
    clock: ManualClock,
) -> None:
    headers = member(await workshop())
    other_workshop = member(await workshop(name="Andere GmbH", city="Köln"))
    own_other_vin = await write(client, headers, clock, vin=OTHER_VIN)
    foreign = await write(client, other_workshop, clock)
    voided = await write(client, headers, clock)
    void = {"revision": 1}
    await client.post(f"/service-entries/{voided['id']}/void", json=void, headers=headers)

    answers = {
        name: await client.post(
            f"/vehicles/{VIN}/service-entries",
            json=entry_body(clock, corrects=target),
            headers=headers,
        )
        for name, target in (
            ("other-vin", own_other_vin["id"]),
            ("foreign", foreign["id"]),
            ("missing", str(uuid.uuid4())),
            ("voided", voided["id"]),
        )
    }

    for name, response in answers.items():
        problem = assert_problem(response, 422, "validation-error")
        expected = "correction-target-voided" if name == "voided" else "correction-target-unknown"
        assert [(e["field"], e["code"]) for e in problem["errors"]] == [("corrects", expected)]


async def test_a_lower_mileage_than_an_earlier_entry_is_accepted_with_a_warning(
    client: httpx.AsyncClient,
    member: Callable[..., dict[str, str]],
    workshop: Workshop,
    clock: ManualClock,
) -> None:
    headers = member(await workshop())
    await write(client, headers, clock, performed_on="2025-05-01", mileage_km=52_000)

    lower = await write(client, headers, clock, performed_on="2026-01-10", mileage_km=1_200)

    assert len(lower["warnings"]) == 1
    assert "52,000 km" in lower["warnings"][0]
    assert "odometer" in lower["warnings"][0]


async def test_the_schedule_shows_what_is_due_from_the_entries_and_ignores_voided_ones(
    client: httpx.AsyncClient,
    member: Callable[..., dict[str, str]],
    workshop: Workshop,
    grant: Grant,
    clock: ManualClock,
) -> None:
    organization_id = await workshop()
    headers = member(organization_id)
    await grant(organization_id)
    today = clock().date()
    brake_fluid_date = today - timedelta(days=800)
    await write(
        client,
        headers,
        clock,
        kind="brake_fluid",
        work_items=[],
        parts=[],
        performed_on=brake_fluid_date.isoformat(),
        mileage_km=30_000,
    )
    recent = await write(
        client,
        headers,
        clock,
        kind="brake_fluid",
        work_items=[],
        parts=[],
        mileage_km=45_000,
    )
    void = {"revision": 1}
    await client.post(f"/service-entries/{recent['id']}/void", json=void, headers=headers)

    response = await client.get(
        f"/vehicles/{VIN}/schedule",
        params={"mileage_km": 46_000, "lang": "de"},
        headers=headers,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["vin"] == VIN
    assert body["as_of"] == today.isoformat()
    assert body["mileage_km"] == 46_000
    first = next(item for item in body["items"] if item["rule_id"] == "brake_fluid")
    assert first["title"] == "Bremsflüssigkeit"
    assert first["status"] == "overdue"
    assert first["basis"] == "last_entry"
    assert first["last_done"]["performed_on"] == brake_fluid_date.isoformat()
    assert first["document_id"] == "ri-all-brake-fluid-change"


async def test_the_schedule_language_follows_accept_language(
    client: httpx.AsyncClient,
    member: Callable[..., dict[str, str]],
    workshop: Workshop,
    grant: Grant,
) -> None:
    organization_id = await workshop()
    await grant(organization_id)
    headers = {**member(organization_id), "Accept-Language": "fr-FR, de;q=0.8, en;q=0.5"}

    response = await client.get(f"/vehicles/{VIN}/schedule", headers=headers)

    titles = {item["rule_id"]: item["title"] for item in response.json()["items"]}
    assert titles["spark_plugs"] == "Zündkerzen"


async def test_the_schedule_from_first_registration(
    client: httpx.AsyncClient,
    member: Callable[..., dict[str, str]],
    workshop: Workshop,
    grant: Grant,
    clock: ManualClock,
) -> None:
    organization_id = await workshop()
    await grant(organization_id)
    registered = clock().date() - timedelta(days=40 * 31)

    response = await client.get(
        f"/vehicles/{VIN}/schedule",
        params={"first_registration": registered.isoformat(), "mileage_km": 10_000},
        headers=member(organization_id),
    )

    by_rule = {item["rule_id"]: item for item in response.json()["items"]}
    assert by_rule["brake_fluid"]["basis"] == "first_registration"
    assert by_rule["brake_fluid"]["status"] == "overdue"  # 36 months passed
    assert by_rule["engine_oil"]["status"] == "overdue"  # 24 months passed, 10,000 km fine


async def test_two_edits_at_the_same_revision_one_wins_the_other_is_told(
    client: httpx.AsyncClient,
    member: Callable[..., dict[str, str]],
    workshop: Workshop,
    clock: ManualClock,
) -> None:
    headers = member(await workshop())
    written = await write(client, headers, clock)

    answers = await asyncio.gather(
        *(
            client.patch(
                f"/service-entries/{written['id']}",
                json={"revision": 1, "note": f"edit {n}"},
                headers=headers,
            )
            for n in range(2)
        )
    )

    assert sorted(answer.status_code for answer in answers) == [200, 409]
    loser = next(answer for answer in answers if answer.status_code == 409)
    assert assert_problem(loser, 409, "service-entry-changed")["revision"] == 2


async def test_another_workshops_final_or_voided_entry_is_just_not_found(
    client: httpx.AsyncClient,
    member: Callable[..., dict[str, str]],
    workshop: Workshop,
    clock: ManualClock,
) -> None:
    writer = member(await workshop())
    stranger = member(await workshop(name="Fremd GmbH", city="Kiel"))
    voided = await write(client, writer, clock)
    await client.post(f"/service-entries/{voided['id']}/void", json={"revision": 1}, headers=writer)
    final = await write(client, writer, clock)
    clock.advance(15 * DAY)

    answers = [
        await client.patch(
            f"/service-entries/{entry['id']}", json={"revision": 1, "note": "x"}, headers=stranger
        )
        for entry in (voided, final)
    ] + [
        await client.post(
            f"/service-entries/{entry['id']}/void", json={"revision": 1}, headers=stranger
        )
        for entry in (voided, final)
    ]

    for answer in answers:
        assert_problem(answer, 404, "service-entry-not-found")


async def test_a_vin_pass_covers_the_vin_however_it_is_typed(
    client: httpx.AsyncClient,
    member: Callable[..., dict[str, str]],
    workshop: Workshop,
    grant: Grant,
) -> None:
    organization_id = await workshop()
    await grant(organization_id, vin=VIN)

    listed = await client.get(
        f"/vehicles/{VIN.lower()}/service-entries", headers=member(organization_id)
    )

    assert listed.status_code == 200, listed.text
    assert listed.json()["vin"] == VIN


async def test_an_unknown_type_code_gets_the_rules_for_every_vehicle_and_a_note(
    client: httpx.AsyncClient,
    member: Callable[..., dict[str, str]],
    workshop: Workshop,
    grant: Grant,
) -> None:
    organization_id = await workshop()
    await grant(organization_id)

    # BMW WMI, type code ZZ99 not in the table: series, engine and fuel unknown.
    response = await client.get(
        "/vehicles/WBAZZ9909MFX12345/schedule", headers=member(organization_id)
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert {item["rule_id"] for item in body["items"]} == {
        "brake_fluid",
        "vehicle_check",
        "cabin_filter",
    }
    assert any("unknown" in note for note in body["notes"])
