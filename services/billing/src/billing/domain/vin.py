"""Vehicle identification numbers (ISO 3779) as a per-VIN pass names them.

Air validates VINs too, but services never import each other; this is the small check billing
needs: 17 characters, digits and the letters A-Z except I, O and Q. The check digit is not
required (European VINs need not carry one).
"""

from __future__ import annotations

import re

__all__ = ["VIN_LENGTH", "InvalidVin", "validate_vin"]

VIN_LENGTH = 17
_ALLOWED = re.compile(r"[A-HJ-NPR-Z0-9]")
_LOOKALIKES = {"I": "1", "O": "0", "Q": "0"}


class InvalidVin(ValueError):
    """The reason is a sentence a person can act on."""


def validate_vin(raw: str) -> str:
    """The VIN upper-cased and stripped; raises InvalidVin saying what is wrong."""
    vin = "".join(c.upper() if c.isascii() else c for c in raw.strip())
    if len(vin) != VIN_LENGTH:
        raise InvalidVin(f"a VIN has {VIN_LENGTH} characters, this one has {len(vin)}")
    for position, character in enumerate(vin, start=1):
        if _ALLOWED.fullmatch(character):
            continue
        if character in _LOOKALIKES:
            raise InvalidVin(
                f"letter {character} at position {position} is never used in a VIN "
                f"(did you mean {_LOOKALIKES[character]}?)"
            )
        raise InvalidVin(
            f"character {character!r} at position {position} is not allowed in a VIN "
            "(only digits and the letters A-Z except I, O and Q)"
        )
    return vin
