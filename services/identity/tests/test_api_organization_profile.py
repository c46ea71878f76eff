"""The company profile: every role reads it, owners and admins change it, validated as at
registration."""

from __future__ import annotations

import pytest

PROFILE = "/organizations/current"


async def test_every_role_reads_the_company_profile(members) -> None:
    owner = await members.owner(company_name="Profil Werkstatt GmbH", country="AT")
    for role in ("admin", "technician", "accountant"):
        member = await members.member(owner, role=role)

        response = await members.http.get(PROFILE, headers=member.headers)

        assert response.status_code == 200, response.text
        assert response.json() == {
            "id": str(owner.account.organization_id),
            "legal_name": "Profil Werkstatt GmbH",
            "street": None,
            "postcode": None,
            "city": None,
            "country": "AT",
            "vat_id": "ATU12345602",
            "invoice_email": None,
        }


async def test_owner_fills_in_the_address_and_invoice_email(members) -> None:
    owner = await members.owner()

    response = await members.http.patch(
        PROFILE,
        json={
            "legal_name": "  Muster Kfz-Service GmbH & Co. KG ",
            "street": "Hauptstraße 1",
            "postcode": "80331",
            "city": "München",
            "invoice_email": "Rechnung@Muster-Kfz.example",
        },
        headers=owner.headers,
    )

    assert response.status_code == 200, response.text
    profile = response.json()
    assert profile["legal_name"] == "Muster Kfz-Service GmbH & Co. KG"
    assert (profile["street"], profile["postcode"], profile["city"]) == (
        "Hauptstraße 1",
        "80331",
        "München",
    )
    assert profile["invoice_email"] == "rechnung@muster-kfz.example"
    assert (await members.http.get(PROFILE, headers=owner.headers)).json() == profile


async def test_admin_changes_country_and_vat_id_together(members) -> None:
    owner = await members.owner()
    admin = await members.member(owner, role="admin")

    response = await members.http.patch(
        PROFILE, json={"country": "nl", "vat_id": "NL 1234.567.08 B01"}, headers=admin.headers
    )

    assert response.status_code == 200, response.text
    assert (response.json()["country"], response.json()["vat_id"]) == ("NL", "NL123456708B01")


async def test_a_vat_id_of_another_country_than_the_stored_one_is_refused(members, problem) -> None:
    owner = await members.owner()  # DE

    response = await members.http.patch(
        PROFILE, json={"vat_id": "ATU12345602"}, headers=owner.headers
    )

    body = problem(response, 422, "validation-error")
    assert body["errors"][0]["field"] == "vat_id"
    assert body["errors"][0]["code"] == "vat-id-country-mismatch"
    assert (await members.http.get(PROFILE, headers=owner.headers)).json()["vat_id"] == (
        "DE123456704"
    )


async def test_a_country_that_does_not_fit_the_stored_vat_id_is_refused(members, problem) -> None:
    owner = await members.owner()  # DE, DE123456704

    response = await members.http.patch(PROFILE, json={"country": "FR"}, headers=owner.headers)

    body = problem(response, 422, "validation-error")
    assert body["errors"][0]["field"] == "country"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("country", "XX", "country-unknown"),
        ("vat_id", "DE811907981", "vat-id-invalid"),
        ("invoice_email", "not-an-address", "value_error"),
        ("legal_name", None, "value_error"),
        ("legal_name", "   ", "value_error"),
        ("postcode", "1" * 21, "value_error"),
        ("street", "Haupt\x01straße", "value_error"),
    ],
)
async def test_invalid_profile_values_are_422_naming_the_field(
    members, problem, field: str, value: object, code: str
) -> None:
    owner = await members.owner()

    response = await members.http.patch(PROFILE, json={field: value}, headers=owner.headers)

    body = problem(response, 422, "validation-error")
    assert [(error["field"], error["code"]) for error in body["errors"]] == [(field, code)]


@pytest.mark.parametrize("role", ["technician", "accountant"])
async def test_technicians_and_accountants_may_not_change_the_profile(
    members, problem, role: str
) -> None:
    owner = await members.owner()
    member = await members.member(owner, role=role)

    response = await members.http.patch(PROFILE, json={"city": "Bonn"}, headers=member.headers)

    problem(response, 403, "role-forbidden")
