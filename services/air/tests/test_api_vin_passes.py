"""Per-VIN passes (AIR_VIN_24H) cover one vehicle; revoked passes stop giving access."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from aos.events.v1 import billing_pb2

Auth = Callable[[uuid.UUID], dict[str, str]]
Grant = Callable[..., Awaitable[billing_pb2.EntitlementGranted]]
Revoke = Callable[..., Awaitable[billing_pb2.EntitlementRevoked]]

# G21 320d Touring, model year 2021.
VIN_G21 = "WBA6K5105MFK54321"
# G20 330i.
VIN_G20 = "WBA5F3103MFX12345"
G21_ONLY_DOCUMENT = "ri-g21-tailgate-spindle-drive"
F40_DOCUMENT = "wd-f40-horn"
TIME_PASSES = ["AIR_1H", "AIR_1D", "AIR_1W", "AIR_1M", "AIR_1Y"]


def refused(response: httpx.Response) -> dict[str, object]:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body["code"] == "air-pass-required"
    return body


async def test_a_vin_pass_opens_searches_for_its_vin_only(
    client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    organization_id = uuid.uuid4()
    await grant(organization_id, vin=VIN_G21)
    headers = auth(organization_id)

    by_vin = await client.get("/documents/search", params={"vin": VIN_G21}, headers=headers)
    keywords_for_vin = await client.get(
        "/documents/search", params={"q": "tailgate", "vin": VIN_G21}, headers=headers
    )
    # The pass matches the VIN however the workshop typed it.
    typed_loosely = await client.get(
        "/documents/search", params={"vin": f" {VIN_G21.lower()} "}, headers=headers
    )
    other_vin = await client.get("/documents/search", params={"vin": VIN_G20}, headers=headers)
    unscoped = await client.get("/documents/search", params={"q": "brake"}, headers=headers)

    assert by_vin.status_code == 200, by_vin.text
    assert by_vin.json()["vehicle"]["series"] == "G21"
    assert keywords_for_vin.status_code == 200
    assert [item["id"] for item in keywords_for_vin.json()["items"]] == [G21_ONLY_DOCUMENT]
    assert typed_loosely.status_code == 200
    other = refused(other_vin)
    assert other["buy"] == [*TIME_PASSES, "AIR_VIN_24H"]
    assert f"cover only the vehicles {VIN_G21} (not VIN {VIN_G20})" in str(other["detail"])
    assert f"AIR_VIN_24H for VIN {VIN_G20} alone" in str(other["detail"])
    no_vin = refused(unscoped)
    assert no_vin["buy"] == TIME_PASSES
    assert "not a search without a VIN" in str(no_vin["detail"])


async def test_a_vin_pass_opens_the_documents_of_its_vehicle_only(
    client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    organization_id = uuid.uuid4()
    await grant(organization_id, vin=VIN_G21)
    headers = auth(organization_id)

    for_its_vehicle = await client.get(
        f"/documents/{G21_ONLY_DOCUMENT}", params={"vin": VIN_G21}, headers=headers
    )
    without_vin = await client.get(f"/documents/{G21_ONLY_DOCUMENT}", headers=headers)
    for_other_vehicle = await client.get(
        f"/documents/{G21_ONLY_DOCUMENT}", params={"vin": VIN_G20}, headers=headers
    )
    not_for_its_vehicle = await client.get(
        f"/documents/{F40_DOCUMENT}", params={"vin": VIN_G21}, headers=headers
    )

    assert for_its_vehicle.status_code == 200, for_its_vehicle.text
    assert for_its_vehicle.json()["id"] == G21_ONLY_DOCUMENT
    refused(without_vin)
    refused(for_other_vehicle)
    body = refused(not_for_its_vehicle)
    assert body["detail"].startswith(  # type: ignore[union-attr]
        f"Your organisation's AIR pass for VIN {VIN_G21} covers the documents for that "
        f"vehicle; {F40_DOCUMENT} does not apply to it."
    )
    assert body["buy"] == TIME_PASSES


async def test_a_time_pass_still_covers_every_vehicle_and_every_search(
    client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    organization_id = uuid.uuid4()
    await grant(organization_id, vin=VIN_G21)
    await grant(organization_id)
    headers = auth(organization_id)

    answers = [
        await client.get("/documents/search", params={"vin": VIN_G20}, headers=headers),
        await client.get("/documents/search", params={"q": "brake"}, headers=headers),
        await client.get(f"/documents/{F40_DOCUMENT}", params={"vin": VIN_G21}, headers=headers),
        await client.get(f"/documents/{F40_DOCUMENT}", headers=headers),
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 200]


async def test_another_organisations_vin_pass_opens_nothing(
    client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    holder, other = uuid.uuid4(), uuid.uuid4()
    await grant(holder, vin=VIN_G21)

    search = await client.get("/documents/search", params={"vin": VIN_G21}, headers=auth(other))
    read = await client.get(
        f"/documents/{G21_ONLY_DOCUMENT}", params={"vin": VIN_G21}, headers=auth(other)
    )

    assert refused(search)["detail"] == (
        "Your organisation has no AIR pass. Buy one of the passes "
        f"{', '.join(TIME_PASSES)}, or AIR_VIN_24H for VIN {VIN_G21} alone, with "
        "POST /api/billing/checkout, then retry."
    )
    refused(read)


async def test_an_expired_vin_pass_opens_nothing_for_its_vin(
    client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    organization_id = uuid.uuid4()
    ended = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    await grant(
        organization_id, vin=VIN_G21, valid_from=ended - timedelta(hours=24), valid_until=ended
    )

    response = await client.get(
        "/documents/search", params={"vin": VIN_G21}, headers=auth(organization_id)
    )

    assert refused(response)["expired_at"] == ended.isoformat()


async def test_a_revoked_pass_refuses_content_and_keeps_its_row_as_the_audit_trail(
    app: FastAPI, client: httpx.AsyncClient, auth: Auth, grant: Grant, revoke: Revoke
) -> None:
    organization_id = uuid.uuid4()
    granted = await grant(organization_id)
    headers = auth(organization_id)
    before = await client.get(f"/documents/{F40_DOCUMENT}", headers=headers)

    revocation = await revoke(granted)
    after = await client.get(f"/documents/{F40_DOCUMENT}", headers=headers)

    assert before.status_code == 200
    refused(after)
    async with app.state.database.transaction() as session:
        row = (
            await session.execute(
                text(
                    "SELECT revoked_at, revocation_reason FROM entitlements "
                    "WHERE entitlement_id = :id"
                ),
                {"id": uuid.UUID(granted.entitlement_id)},
            )
        ).one()
    assert row == (revocation.revoked_at.ToDatetime(tzinfo=UTC), "REFUNDED")


async def test_a_pass_revoked_before_it_began_counts_as_never_granted(
    client: httpx.AsyncClient, auth: Auth, grant: Grant, revoke: Revoke
) -> None:
    organization_id = uuid.uuid4()
    starts = datetime.now(UTC) + timedelta(hours=2)
    granted = await grant(organization_id, valid_from=starts)
    await revoke(granted, revoked_at=datetime.now(UTC))

    body = refused(await client.get(f"/documents/{F40_DOCUMENT}", headers=auth(organization_id)))

    # Not "your next pass starts at": the refunded pass will never start.
    assert "starts_at" not in body
    assert str(body["detail"]).startswith("Your organisation has no AIR pass.")


async def test_a_later_revocation_replayed_keeps_the_first_moment(
    app: FastAPI, client: httpx.AsyncClient, grant: Grant, revoke: Revoke
) -> None:
    granted = await grant(uuid.uuid4())
    first = datetime.now(UTC).replace(microsecond=0)

    await revoke(granted, revoked_at=first)
    await revoke(granted, revoked_at=first + timedelta(hours=1))

    async with app.state.database.transaction() as session:
        revoked_at = (
            await session.execute(
                text("SELECT revoked_at FROM entitlements WHERE entitlement_id = :id"),
                {"id": uuid.UUID(granted.entitlement_id)},
            )
        ).scalar_one()
    assert revoked_at == first


async def test_a_revocation_naming_another_organisation_changes_nothing(
    client: httpx.AsyncClient, auth: Auth, grant: Grant, revoke: Revoke
) -> None:
    organization_id = uuid.uuid4()
    granted = await grant(organization_id)
    forged = billing_pb2.EntitlementGranted()
    forged.CopyFrom(granted)
    forged.organization_id = str(uuid.uuid4())

    await revoke(forged)
    response = await client.get(f"/documents/{F40_DOCUMENT}", headers=auth(organization_id))

    assert response.status_code == 200


async def test_a_malformed_vin_is_422_naming_what_is_wrong_pass_or_not(
    client: httpx.AsyncClient, auth: Auth, grant: Grant
) -> None:
    holder = uuid.uuid4()
    await grant(holder, vin=VIN_G21)

    for organization_id in (holder, uuid.uuid4()):
        search = await client.get(
            "/documents/search",
            params={"vin": "WBA6K5105MFO54321"},
            headers=auth(organization_id),
        )
        read = await client.get(
            f"/documents/{G21_ONLY_DOCUMENT}",
            params={"vin": "WBA6K5105MFK5432"},
            headers=auth(organization_id),
        )

        assert search.status_code == 422, search.text
        assert search.json()["code"] == "invalid-vin"
        assert "is not allowed in a VIN" in search.json()["detail"]
        assert read.status_code == 422, read.text
        assert "this one has 16" in read.json()["detail"]
