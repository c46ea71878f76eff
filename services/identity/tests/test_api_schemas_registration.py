"""The registration body's field errors carry the rule's code and params (no database).

The 422 problem lists pydantic's errors as field errors with their ``type`` as ``code``; these
tests pin what the registration schema gives for country and VAT id."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from identity.api.schemas import OrganizationCreate

VALID = {
    "company_name": "Muster Kfz-Service GmbH",
    "country": "DE",
    "vat_id": "DE811907980",
    "owner_name": "Max Mustermann",
    "email": "max@muster-kfz.example",
    "password": "correct horse battery staple",
}


def field_errors(**fields: str) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as refused:
        OrganizationCreate.model_validate({**VALID, **fields})
    return [
        {"loc": error["loc"], "type": error["type"], "ctx": error.get("ctx", {})}
        for error in refused.value.errors()
    ]


def test_valid_registration_is_normalised() -> None:
    body = OrganizationCreate.model_validate(
        {**VALID, "country": " at ", "vat_id": "atu 135 856 27"}
    )
    assert (body.country, body.vat_id) == ("AT", "ATU13585627")


def test_a_country_name_is_refused_as_country_unknown_and_the_vat_id_is_not_blamed() -> None:
    assert field_errors(country="Germany") == [
        {"loc": ("country",), "type": "country-unknown", "ctx": {"country": "Germany"}}
    ]


def test_a_vat_id_of_another_country_is_a_mismatch_on_the_vat_id() -> None:
    assert field_errors(country="AT") == [
        {
            "loc": ("vat_id",),
            "type": "vat-id-country-mismatch",
            "ctx": {"country": "AT", "prefix": "DE", "expected_prefix": "AT"},
        }
    ]


def test_greece_wants_the_el_prefix() -> None:
    assert field_errors(country="GR", vat_id="GR094014201")[0]["type"] == (
        "vat-id-country-mismatch"
    )
    assert (
        OrganizationCreate.model_validate(
            {**VALID, "country": "GR", "vat_id": "EL094014201"}
        ).vat_id
        == "EL094014201"
    )


@pytest.mark.parametrize("vat_id", ["DE811907981", "123456789", "DE"])
def test_a_vat_id_with_wrong_check_digits_or_shape_is_invalid(vat_id: str) -> None:
    errors = field_errors(vat_id=vat_id)
    assert [(error["loc"], error["type"]) for error in errors] == [(("vat_id",), "vat-id-invalid")]
