"""VAT id validity: the checksum, VIES through its seam (a fake registry here, the real client
against a fake HTTP server), the dated record of every check, reuse of a recent confirmation,
and the policy when VIES is down."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import httpx
import pytest

from billing.db.vat_id_checks import VatIdCheckRepository
from billing.domain.tax import SupplyKind, TaxTreatment
from billing.errors import CompanyDataMissingError
from billing.providers.vies import RegistryResult, ViesClient
from billing.services.tax import VatIdStatus, customer_tax, tax_decision
from servicekit.db import Database

from .conftest import NOW, AddCustomer
from .fakes import FakeRegistry

AT_VAT_ID = "ATU13585627"


async def profile_of(
    db: Database, org: uuid.UUID, *, registry: FakeRegistry | None = None, hours: float = 0
) -> tuple[VatIdStatus, str | None, TaxTreatment]:
    async with db.transaction() as session:
        profile = await customer_tax(
            session, org, now=NOW + timedelta(hours=hours), registry=registry
        )
    decision = tax_decision(profile, seller_country="DE", supply=SupplyKind.SERVICE)
    return profile.vat_id_status, profile.note, decision.treatment


async def checks_of(db: Database, vat_id: str) -> list[tuple[str, str]]:
    async with db.transaction() as session:
        rows = await VatIdCheckRepository(session).for_vat_id(vat_id)
    return [(row.source, row.result) for row in rows]


async def test_no_vat_id_is_status_none_and_nothing_is_recorded(
    db: Database, add_customer: AddCustomer
) -> None:
    customer = await add_customer(country="FR")
    status, note, treatment = await profile_of(db, customer.organization_id)
    assert (status, note, treatment) == (VatIdStatus.NONE, None, TaxTreatment.OSS)


async def test_a_malformed_vat_id_is_invalid_without_asking_vies_and_is_recorded(
    db: Database, add_customer: AddCustomer
) -> None:
    customer = await add_customer(country="AT", vat_id="ATU13585628")  # wrong check digit
    registry = FakeRegistry()

    status, note, treatment = await profile_of(db, customer.organization_id, registry=registry)

    assert status is VatIdStatus.INVALID
    assert treatment is TaxTreatment.OSS  # Austrian VAT is charged
    assert note is not None and "malformed" in note
    assert registry.asked == []
    assert await checks_of(db, "ATU13585628") == [("checksum", "invalid")]


async def test_without_vies_a_well_formed_vat_id_is_valid_by_checksum(
    db: Database, add_customer: AddCustomer
) -> None:
    customer = await add_customer(country="AT", vat_id=AT_VAT_ID)
    status, _, treatment = await profile_of(db, customer.organization_id)
    await profile_of(db, customer.organization_id, hours=1)  # reused, not recorded again

    assert (status, treatment) == (VatIdStatus.VALID, TaxTreatment.REVERSE_CHARGE)
    assert await checks_of(db, AT_VAT_ID) == [("checksum", "valid")]


async def test_a_vies_confirmation_is_recorded_with_its_proof_and_reused_for_a_day(
    db: Database, add_customer: AddCustomer
) -> None:
    customer = await add_customer(country="AT", vat_id=AT_VAT_ID)
    registry = FakeRegistry()
    registry.answer(
        AT_VAT_ID,
        RegistryResult.VALID,
        name="Werkstatt Wien GmbH",
        address="Ring 1, 1010 Wien",
        request_id="WAPIAAAAZ123",
    )

    first = await profile_of(db, customer.organization_id, registry=registry)
    again = await profile_of(db, customer.organization_id, registry=registry, hours=23)
    next_day = await profile_of(db, customer.organization_id, registry=registry, hours=25)

    assert first[0] is again[0] is next_day[0] is VatIdStatus.VALID
    assert first[2] is TaxTreatment.REVERSE_CHARGE
    assert registry.asked == [AT_VAT_ID, AT_VAT_ID]  # not at 23 h, again at 25 h
    async with db.transaction() as session:
        rows = await VatIdCheckRepository(session).for_vat_id(AT_VAT_ID)
    assert [(row.source, row.result, row.checked_at) for row in rows] == [
        ("vies", "valid", NOW),
        ("vies", "valid", NOW + timedelta(hours=25)),
    ]
    assert (rows[0].country, rows[0].name, rows[0].address, rows[0].request_id) == (
        "AT",
        "Werkstatt Wien GmbH",
        "Ring 1, 1010 Wien",
        "WAPIAAAAZ123",
    )


async def test_an_id_vies_does_not_know_is_invalid_and_vat_is_charged(
    db: Database, add_customer: AddCustomer
) -> None:
    customer = await add_customer(country="AT", vat_id=AT_VAT_ID)
    registry = FakeRegistry(default=RegistryResult.INVALID)

    status, note, treatment = await profile_of(db, customer.organization_id, registry=registry)

    assert (status, treatment) == (VatIdStatus.INVALID, TaxTreatment.OSS)
    assert note is not None and "VIES does not know" in note
    assert await checks_of(db, AT_VAT_ID) == [("vies", "invalid")]


async def test_when_vies_is_down_the_id_is_unchecked_and_vat_is_charged(
    db: Database, add_customer: AddCustomer
) -> None:
    customer = await add_customer(country="AT", vat_id=AT_VAT_ID)
    registry = FakeRegistry()
    registry.answer(AT_VAT_ID, RegistryResult.UNAVAILABLE, error="MS_UNAVAILABLE")

    status, note, treatment = await profile_of(db, customer.organization_id, registry=registry)

    assert (status, treatment) == (VatIdStatus.UNCHECKED, TaxTreatment.OSS)
    assert note is not None and "could not be reached" in note and "VAT is charged" in note
    async with db.transaction() as session:
        rows = await VatIdCheckRepository(session).for_vat_id(AT_VAT_ID)
    assert [(row.source, row.result, row.error) for row in rows] == [
        ("vies", "unavailable", "MS_UNAVAILABLE")
    ]


@pytest.mark.parametrize(("days_ago", "expected"), [(29, "valid"), (31, "unchecked")])
async def test_when_vies_is_down_a_confirmation_of_the_last_30_days_still_counts(
    db: Database, add_customer: AddCustomer, days_ago: int, expected: str
) -> None:
    customer = await add_customer(country="AT", vat_id=AT_VAT_ID)
    registry = FakeRegistry()
    await profile_of(db, customer.organization_id, registry=registry)  # confirmed at NOW
    registry.answer(AT_VAT_ID, RegistryResult.UNAVAILABLE, error="TIMEOUT")

    status, note, _ = await profile_of(
        db, customer.organization_id, registry=registry, hours=days_ago * 24
    )

    assert status.value == expected
    assert note is not None
    if expected == "valid":
        assert NOW.date().isoformat() in note


async def test_a_customer_billing_has_not_heard_of_is_a_conflict(db: Database) -> None:
    with pytest.raises(CompanyDataMissingError):
        async with db.transaction() as session:
            await customer_tax(session, uuid.uuid4(), now=NOW)


def vies(handler: httpx.MockTransport) -> ViesClient:
    return ViesClient(
        httpx.AsyncClient(transport=handler),
        base_url="https://vies.test/rest-api/",
        timeout_seconds=2,
    )


async def test_the_vies_client_posts_the_id_and_reads_a_valid_answer() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={
                "countryCode": "AT",
                "vatNumber": "U13585627",
                "requestDate": "2026-12-03T10:00:00.000Z",
                "valid": True,
                "requestIdentifier": "WAPIAAAAZ123",
                "name": "Werkstatt Wien GmbH",
                "address": "Ring 1\n1010 Wien",
            },
        )

    answer = await vies(httpx.MockTransport(handler)).check(country_prefix="AT", number="U13585627")

    assert answer.result is RegistryResult.VALID
    assert (answer.name, answer.request_id) == ("Werkstatt Wien GmbH", "WAPIAAAAZ123")
    assert str(seen[0].url) == "https://vies.test/rest-api/check-vat-number"
    assert json.loads(seen[0].content) == {"countryCode": "AT", "vatNumber": "U13585627"}


async def test_the_vies_client_reads_an_invalid_answer_and_hidden_names() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"valid": False, "name": "---", "address": "---"})

    answer = await vies(httpx.MockTransport(handler)).check(country_prefix="DE", number="1")
    assert (answer.result, answer.name, answer.address) == (RegistryResult.INVALID, None, None)


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (
            httpx.Response(
                500,
                json={"actionSucceed": False, "errorWrappers": [{"error": "MS_UNAVAILABLE"}]},
            ),
            "MS_UNAVAILABLE",
        ),
        (
            httpx.Response(200, json={"valid": False, "userError": "MS_MAX_CONCURRENT_REQ"}),
            "MS_MAX_CONCURRENT_REQ",
        ),
        (httpx.Response(503, text="<html>maintenance</html>"), "HTTP 503, no JSON object"),
        (httpx.Response(200, json={"countryCode": "AT"}), "the answer has no 'valid' flag"),
    ],
)
async def test_the_vies_client_maps_errors_to_unavailable(
    response: httpx.Response, error: str
) -> None:
    answer = await vies(httpx.MockTransport(lambda request: response)).check(
        country_prefix="AT", number="U13585627"
    )
    assert (answer.result, answer.error) == (RegistryResult.UNAVAILABLE, error)


async def test_the_vies_client_maps_a_timeout_to_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    answer = await vies(httpx.MockTransport(handler)).check(country_prefix="AT", number="U1")
    assert answer.result is RegistryResult.UNAVAILABLE
    assert answer.error is not None and answer.error.startswith("ReadTimeout")


async def test_a_vies_refusal_is_reused_for_an_hour_then_asked_again(
    db: Database, add_customer: AddCustomer
) -> None:
    customer = await add_customer(country="AT", vat_id=AT_VAT_ID)
    registry = FakeRegistry(default=RegistryResult.INVALID)

    first = await profile_of(db, customer.organization_id, registry=registry)
    soon = await profile_of(db, customer.organization_id, registry=registry, hours=0.9)
    registry.default = RegistryResult.VALID  # the id was registered meanwhile
    later = await profile_of(db, customer.organization_id, registry=registry, hours=1.1)

    assert (first[0], soon[0], later[0]) == (
        VatIdStatus.INVALID,
        VatIdStatus.INVALID,
        VatIdStatus.VALID,
    )
    assert registry.asked == [AT_VAT_ID, AT_VAT_ID]
    assert await checks_of(db, AT_VAT_ID) == [("vies", "invalid"), ("vies", "valid")]


async def test_after_vies_failed_it_is_asked_again_only_after_five_minutes(
    db: Database, add_customer: AddCustomer
) -> None:
    customer = await add_customer(country="AT", vat_id=AT_VAT_ID)
    registry = FakeRegistry(default=RegistryResult.UNAVAILABLE)

    first = await profile_of(db, customer.organization_id, registry=registry)
    soon = await profile_of(db, customer.organization_id, registry=registry, hours=4 / 60)
    registry.default = RegistryResult.VALID  # VIES is back
    later = await profile_of(db, customer.organization_id, registry=registry, hours=6 / 60)

    assert (first[0], soon[0], later[0]) == (
        VatIdStatus.UNCHECKED,
        VatIdStatus.UNCHECKED,
        VatIdStatus.VALID,
    )
    assert soon[1] is not None and "could not be reached" in soon[1]
    assert registry.asked == [AT_VAT_ID, AT_VAT_ID]
