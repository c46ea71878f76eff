"""Validation of company names, countries, VAT ids and e-mail addresses (no database)."""

from __future__ import annotations

import pytest

from identity.domain.emails import normalize_email
from identity.domain.organizations import (
    ISO_COUNTRY_CODES,
    normalize_country,
    normalize_name,
    normalize_vat_id,
)


def test_country_code_is_upper_cased() -> None:
    assert normalize_country(" de ") == "DE"


@pytest.mark.parametrize("value", ["XX", "DEU", "", "Germany", "D1"])
def test_unassigned_or_malformed_country_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="ISO 3166-1 alpha-2"):
        normalize_country(value)


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
    with pytest.raises(ValueError, match="two-letter country prefix"):
        normalize_vat_id(value)


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
