"""VIN decoding (the generic part, with vininfo): exact expectations, no database."""

from __future__ import annotations

from datetime import date

import pytest

from air.domain.vin import (
    DecodedVin,
    InvalidVin,
    compute_check_digit,
    decode_model_year,
    decode_vin,
    normalise_vin,
)

TODAY = date(2025, 6, 1)


def decode(vin: str) -> DecodedVin:
    return decode_vin(vin, today=TODAY)


def test_check_digit_of_the_49_cfr_565_example_is_x() -> None:
    assert compute_check_digit("1M8GDM9AXKP042788") == "X"


def test_check_digit_of_all_ones_is_one() -> None:
    assert compute_check_digit("11111111111111111") == "1"


def test_north_american_vin_with_correct_check_digit_decodes_every_part() -> None:
    decoded = decode("5UXCV6109L9B12345")

    assert decoded.vin == "5UXCV6109L9B12345"
    assert decoded.wmi == "5UX"
    assert decoded.manufacturer == "BMW"
    assert decoded.country == "United States"
    assert decoded.region == "North America"
    assert decoded.vds == "CV6109"
    assert decoded.type_code == "CV61"
    assert (decoded.check_digit, decoded.check_digit_expected) == ("9", "9")
    assert decoded.check_digit_valid is True
    assert decoded.vis == "L9B12345"
    assert (decoded.model_year_code, decoded.model_year) == ("L", 2020)
    assert decoded.plant_code == "9"
    assert decoded.serial_number == "B12345"
    assert decoded.notes == ()


def test_north_american_vin_with_wrong_check_digit_is_decoded_with_a_note() -> None:
    decoded = decode("5UXCV6100L9B12345")

    assert decoded.check_digit_valid is False
    assert (decoded.check_digit, decoded.check_digit_expected) == ("0", "9")
    assert any("mandatory for vehicles built for North America" in n for n in decoded.notes)


def test_european_vin_with_a_letter_at_position_9_is_reported_not_refused() -> None:
    decoded = decode("WBA5F310AKFH12345")

    assert decoded.check_digit == "A"
    assert decoded.check_digit_expected == "3"
    assert decoded.check_digit_valid is False
    assert (decoded.country, decoded.region) == ("Germany", "Europe")
    assert decoded.notes == (
        "Position 9 is A, not the ISO 3779 check digit 3; "
        "vehicles outside North America need not carry one, so this is only reported.",
    )


def test_check_digit_x_is_accepted_as_valid() -> None:
    decoded = decode("WBAJR110XHWX00001")

    assert decoded.check_digit_valid is True


def test_lower_case_and_surrounding_whitespace_are_normalised() -> None:
    assert decode("  wba6k5105mfk54321\n").vin == "WBA6K5105MFK54321"


def test_normalising_keeps_the_length_of_non_ascii_characters() -> None:
    assert normalise_vin("ßa") == "ßA"


@pytest.mark.parametrize(
    ("vin", "length"), [("WBA6K5105MFK5432", 16), ("WBA6K5105MFK543210", 18), ("", 0)]
)
def test_wrong_length_is_rejected_with_the_actual_length(vin: str, length: int) -> None:
    with pytest.raises(InvalidVin) as caught:
        decode(vin)

    assert caught.value.reasons == (f"a VIN has 17 characters, this one has {length}",)


@pytest.mark.parametrize(
    ("vin", "letter", "position", "suggestion"),
    [
        ("IBA6K5105MFK54321", "I", 1, "1"),
        ("WBA6K5105MFO54321", "O", 12, "0"),
        ("WBA6K5105MFK5432Q", "Q", 17, "0"),
    ],
)
def test_forbidden_letter_is_rejected_with_its_position(
    vin: str, letter: str, position: int, suggestion: str
) -> None:
    with pytest.raises(InvalidVin) as caught:
        decode(vin)

    assert caught.value.reasons == (
        f"letter {letter} at position {position} is not allowed in a VIN "
        f"(I, O and Q are never used; did you mean {suggestion}?)",
    )


def test_other_characters_and_length_are_reported_together() -> None:
    with pytest.raises(InvalidVin) as caught:
        decode("WBA-6K5105MFK54321")

    assert caught.value.reasons == (
        "a VIN has 17 characters, this one has 18",
        "character '-' at position 4 is not allowed in a VIN "
        "(only digits and the letters A-Z except I, O and Q)",
    )


def test_many_bad_characters_are_summarised_after_five() -> None:
    with pytest.raises(InvalidVin) as caught:
        decode("!!!!!!!!!!!!!!!!!")

    assert len(caught.value.reasons) == 6
    assert caught.value.reasons[-1] == "and 12 more characters that are not allowed"


@pytest.mark.parametrize(
    ("code", "latest_year", "year"),
    [
        ("A", 2026, 2010),
        ("Y", 2026, 2000),
        ("9", 2026, 2009),
        ("L", 2026, 2020),
        ("S", 2026, 2025),
        ("T", 2026, 2026),  # next model year is already on sale
        ("V", 2026, 1997),  # 2027 would be later than next year
        ("V", 2027, 2027),
        ("A", 2040, 2040),
    ],
)
def test_model_year_is_the_latest_of_its_cycle_not_after_next_year(
    code: str, latest_year: int, year: int
) -> None:
    assert decode_model_year(code, latest_year=latest_year) == year


@pytest.mark.parametrize("code", ["U", "Z", "0", "I", "O", "Q"])
def test_characters_that_are_not_year_codes_give_no_model_year(code: str) -> None:
    assert decode_model_year(code, latest_year=2026) is None


def test_vin_without_a_year_code_is_decoded_with_a_note() -> None:
    decoded = decode("WBA6K510UZFK54321")

    assert decoded.model_year is None
    assert "Position 10 (Z) is not a model-year code; model year unknown." in decoded.notes


def test_model_year_follows_the_reference_date() -> None:
    vin = "WBA6K5105TFK54321"
    assert decode_vin(vin, today=date(2025, 1, 1)).model_year == 2026
    assert decode_vin(vin, today=date(2024, 1, 1)).model_year == 1996


def test_another_makers_vin_names_that_maker() -> None:
    decoded = decode("WVWZZZ1JZ3W386752")

    assert (decoded.manufacturer, decoded.country, decoded.region) == (
        "Volkswagen",
        "Germany",
        "Europe",
    )
    assert decoded.model_year == 2003


def test_unassigned_manufacturer_is_decoded_with_a_note() -> None:
    decoded = decode("ZZZ5F3100KFH12345")

    assert decoded.manufacturer is None
    assert "World manufacturer identifier ZZZ is not assigned to a known maker." in decoded.notes
