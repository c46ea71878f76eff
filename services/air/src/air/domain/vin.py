"""VIN decoding per ISO 3779 / ISO 3780 and 49 CFR 565: plain Python, no I/O.

A VIN has 17 characters: WMI (1-3, who built it), VDS (4-9; positions 4-7 are the maker's type
code, 9 the check digit) and VIS (10-17; 10 model year, 11 plant, 12-17 serial number).

The check digit is mandatory only for vehicles built for North America; European VINs need not
carry one, so a wrong one is reported, never refused. The WMI's manufacturer, country and region
come from vininfo's tables (it holds far more WMIs than a hand-written list would).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from vininfo import Vin
from vininfo.common import UnsupportedBrand

VIN_LENGTH = 17
CHECK_DIGIT_POSITION = 9
MODEL_YEAR_POSITION = 10

# Letters that look like digits (I/1, O/0, Q/0) are never used in a VIN.
FORBIDDEN_LETTERS = {"I": "1", "O": "0", "Q": "0"}
ALLOWED_CHARACTERS = frozenset(string.digits + string.ascii_uppercase) - set(FORBIDDEN_LETTERS)

# 49 CFR 565.15: letter values and position weights of the check-digit sum (modulo 11).
TRANSLITERATION: Mapping[str, int] = {
    **{digit: int(digit) for digit in string.digits},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)

# Position 10 cycles every 30 years: A=1980 ... Y=2000, 1=2001 ... 9=2009, A=2010 again.
# I, O, Q, U, Z and 0 are not year codes.
MODEL_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"
MODEL_YEAR_CYCLE_START = 1980

_MAX_LISTED_CHARACTERS = 5


class InvalidVin(ValueError):
    """The input is not a syntactically valid VIN; ``reasons`` says exactly why."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__("; ".join(self.reasons))


@dataclass(frozen=True)
class DecodedVin:
    """Everything a VIN says by itself, for any maker; what the maker's type code means is
    ``air.domain.vehicle``'s business."""

    vin: str
    wmi: str
    manufacturer: str | None
    country: str | None
    region: str | None
    vds: str
    type_code: str
    check_digit: str
    check_digit_expected: str
    check_digit_valid: bool
    vis: str
    model_year_code: str
    model_year: int | None
    plant_code: str
    serial_number: str
    notes: tuple[str, ...]


def normalise_vin(raw: str) -> str:
    """Strip surrounding whitespace and upper-case ASCII letters (other characters stay)."""
    # Upper-casing only ASCII keeps the length: "ß".upper() would become "SS".
    return "".join(c.upper() if c.isascii() else c for c in raw.strip())


def validate_vin(raw: str) -> str:
    """The normalised VIN; raises InvalidVin naming the length and every bad position."""
    vin = normalise_vin(raw)
    reasons: list[str] = []
    if len(vin) != VIN_LENGTH:
        reasons.append(f"a VIN has {VIN_LENGTH} characters, this one has {len(vin)}")
    bad = [(pos, ch) for pos, ch in enumerate(vin, start=1) if ch not in ALLOWED_CHARACTERS]
    for pos, ch in bad[:_MAX_LISTED_CHARACTERS]:
        if ch in FORBIDDEN_LETTERS:
            reasons.append(
                f"letter {ch} at position {pos} is not allowed in a VIN "
                f"(I, O and Q are never used; did you mean {FORBIDDEN_LETTERS[ch]}?)"
            )
        else:
            reasons.append(
                f"character {ch!r} at position {pos} is not allowed in a VIN "
                "(only digits and the letters A-Z except I, O and Q)"
            )
    if len(bad) > _MAX_LISTED_CHARACTERS:
        reasons.append(
            f"and {len(bad) - _MAX_LISTED_CHARACTERS} more characters that are not allowed"
        )
    if reasons:
        raise InvalidVin(reasons)
    return vin


def compute_check_digit(vin: str) -> str:
    """The ISO 3779 / 49 CFR 565 check digit ('0'-'9' or 'X') of a validated 17-character VIN."""
    total = sum(TRANSLITERATION[ch] * weight for ch, weight in zip(vin, WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def decode_model_year(code: str, *, latest_year: int) -> int | None:
    """The model year of position-10 ``code``: the most recent year of its 30-year cycle that
    is not later than ``latest_year``. None when ``code`` is not a year code."""
    index = MODEL_YEAR_CODES.find(code)
    if len(code) != 1 or index < 0:
        return None
    first = MODEL_YEAR_CYCLE_START + index
    return latest_year - (latest_year - first) % 30


def decode_vin(raw: str, *, today: date) -> DecodedVin:
    """Decode ``raw``; raises InvalidVin when it is not a syntactically valid VIN.

    ``today`` fixes the model-year cycle: a year code means the latest matching year not later
    than next year (vehicles of next model year are sold from mid-year on). vininfo names the
    manufacturer, country and region of the WMI; its model years read the wall clock, so the
    year is decoded here, as is the check digit (to show the expected one).
    """
    vin = validate_vin(raw)
    generic = Vin(vin)
    wmi, year_code = generic.wmi, vin[MODEL_YEAR_POSITION - 1]
    notes: list[str] = []
    # vininfo's stand-in for a WMI it does not know.
    manufacturer = None if isinstance(generic.assembler, UnsupportedBrand) else generic.manufacturer
    region = generic.region
    if manufacturer is None:
        notes.append(f"World manufacturer identifier {wmi} is not assigned to a known maker.")

    actual = vin[CHECK_DIGIT_POSITION - 1]
    # Computed here rather than with vininfo's verify_checksum: the expected digit is shown, and
    # vininfo answers False for makers it marks as not using the digit (a European VIN need not
    # carry one, so a wrong one is only reported below).
    expected = compute_check_digit(vin)
    valid = actual == expected
    if not valid:
        where = (
            "it is mandatory for vehicles built for North America, so check the VIN for typos"
            if region == "North America"
            else "vehicles outside North America need not carry one, so this is only reported"
        )
        notes.append(f"Position 9 is {actual}, not the ISO 3779 check digit {expected}; {where}.")

    model_year = decode_model_year(year_code, latest_year=today.year + 1)
    if model_year is None:
        notes.append(f"Position 10 ({year_code}) is not a model-year code; model year unknown.")
    return DecodedVin(
        vin=vin,
        wmi=wmi,
        manufacturer=manufacturer,
        country=generic.country,
        region=region,
        vds=generic.vds,
        type_code=vin[3:7],
        check_digit=actual,
        check_digit_expected=expected,
        check_digit_valid=valid,
        vis=generic.vis,
        model_year_code=year_code,
        model_year=model_year,
        plant_code=vin[10],
        serial_number=vin[11:17],
        notes=tuple(notes),
    )


__all__ = [
    "DecodedVin",
    "InvalidVin",
    "compute_check_digit",
    "decode_model_year",
    "decode_vin",
    "normalise_vin",
    "validate_vin",
]
