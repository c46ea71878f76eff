"""Validation of company names, countries, VAT ids and e-mail addresses (no database)."""

from __future__ import annotations

import pytest

from identity.domain.emails import normalize_email
from identity.domain.organizations import (
    ISO_COUNTRY_CODES,
    FieldRuleError,
    check_vat_id_for_country,
    normalize_country,
    normalize_name,
    normalize_vat_id,
)


def test_country_code_is_upper_cased() -> None:
    assert normalize_country(" de ") == "DE"


@pytest.mark.parametrize("value", ["XX", "DEU", "", "Germany", "Austria", "D1", "EL"])
def test_unassigned_or_malformed_country_is_refused_as_country_unknown(value: str) -> None:
    with pytest.raises(FieldRuleError, match="ISO 3166-1 alpha-2") as refused:
        normalize_country(value)
    assert refused.value.code == "country-unknown"
    assert refused.value.params == {"country": value}


def test_country_list_holds_the_249_assigned_codes() -> None:
    assert len(ISO_COUNTRY_CODES) == 249
    assert {"DE", "AT", "FR", "GB", "US", "SS"} <= ISO_COUNTRY_CODES


def test_vat_id_is_upper_cased_without_separators() -> None:
    assert normalize_vat_id("de 123.456-789") == "DE123456789"


@pytest.mark.parametrize("value", ["DE12", "ATU12345678", "NL123456789B01", "FRXX123456789"])
def test_well_shaped_vat_ids_are_accepted(value: str) -> None:
    assert normalize_vat_id(value) == value


@pytest.mark.parametrize(
    "value",
    ["123456789", "D123456789", "DE1", "DE12345678901234", "DE12345_789", "", "DE"],
)
def test_vat_id_without_prefix_or_with_wrong_length_is_refused(value: str) -> None:
    with pytest.raises(FieldRuleError, match="two-letter country prefix") as refused:
        normalize_vat_id(value)
    assert refused.value.code == "vat-id-invalid"


@pytest.mark.parametrize(
    ("country", "vat_id"),
    [
        ("DE", "DE811907980"),
        ("AT", "ATU13585627"),
        ("NL", "NL004495445B01"),
        ("GR", "EL094014201"),  # Greece's VAT prefix is EL, not its ISO code
        ("GB", "XI123456782"),  # Northern Ireland
        ("CH", "CHE116281710"),  # outside the EU: prefix and shape only
    ],
)
def test_vat_id_of_the_country_with_right_check_digits_is_accepted(
    country: str, vat_id: str
) -> None:
    assert check_vat_id_for_country(vat_id, country=country) == vat_id


@pytest.mark.parametrize(
    ("country", "vat_id", "expected_prefix"),
    [
        ("AT", "DE811907980", "AT"),
        ("GR", "GR094014201", "EL"),
        ("CH", "DE811907980", "CH"),
        ("GB", "DE811907980", "GB/XI"),
    ],
)
def test_vat_id_of_another_country_is_a_country_mismatch(
    country: str, vat_id: str, expected_prefix: str
) -> None:
    with pytest.raises(FieldRuleError, match=f"starts with {expected_prefix}") as refused:
        check_vat_id_for_country(vat_id, country=country)
    assert refused.value.code == "vat-id-country-mismatch"
    assert refused.value.params == {
        "country": country,
        "prefix": vat_id[:2],
        "expected_prefix": expected_prefix,
    }


@pytest.mark.parametrize(
    ("country", "vat_id"),
    [
        ("DE", "DE811907981"),  # last check digit off by one
        ("DE", "DE123456789"),
        ("AT", "ATU13585628"),
        ("AT", "AT13585627"),  # Austrian ids have a U after the prefix
        ("FR", "FR40303265046"),
        ("GR", "EL094014202"),
    ],
)
def test_eu_vat_id_with_wrong_check_digits_or_format_is_invalid(country: str, vat_id: str) -> None:
    with pytest.raises(FieldRuleError, match="check digits or format") as refused:
        check_vat_id_for_country(vat_id, country=country)
    assert refused.value.code == "vat-id-invalid"


def test_name_is_trimmed() -> None:
    assert normalize_name("  Muster GmbH ", what="company name") == "Muster GmbH"


def test_blank_name_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match="company name must not be empty"):
        normalize_name("   ", what="company name")


def test_name_with_control_characters_is_refused() -> None:
    with pytest.raises(ValueError, match="control characters"):
        normalize_name("Muster\nGmbH")


def test_overlong_name_is_refused() -> None:
    with pytest.raises(ValueError, match="at most 200"):
        normalize_name("x" * 201)


def test_email_is_lower_cased() -> None:
    assert normalize_email(" Max.Mustermann@Workshop.Example ") == "max.mustermann@workshop.example"


@pytest.mark.parametrize("value", ["no-at-sign", "a@", "@b.example", "a b@c.example"])
def test_malformed_email_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="not a valid e-mail address"):
        normalize_email(value)
