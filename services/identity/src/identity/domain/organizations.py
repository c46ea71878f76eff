"""Validation of what an organisation registers with: names, country, VAT id."""

from __future__ import annotations

import re

__all__ = [
    "ISO_COUNTRY_CODES",
    "NAME_MAX_LENGTH",
    "normalize_country",
    "normalize_name",
    "normalize_vat_id",
]

NAME_MAX_LENGTH = 200

# ISO 3166-1 alpha-2, all officially assigned codes.
_ASSIGNED_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
    BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
    GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
    KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
    MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
    TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
    ZW
"""
ISO_COUNTRY_CODES = frozenset(_ASSIGNED_CODES.split())

_VAT_ID = re.compile(r"[A-Z]{2}[A-Z0-9]{2,13}")
# People write VAT ids with spaces, dots or dashes for readability; none of them is significant.
_VAT_SEPARATORS = re.compile(r"[\s.\-]")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def normalize_name(value: str, *, what: str = "name") -> str:
    """The name trimmed of surrounding whitespace; raises ValueError when empty or too long."""
    name = value.strip()
    if not name:
        raise ValueError(f"the {what} must not be empty")
    if len(name) > NAME_MAX_LENGTH:
        raise ValueError(f"the {what} must have at most {NAME_MAX_LENGTH} characters")
    if _CONTROL_CHARS.search(name):
        raise ValueError(f"the {what} must not contain control characters")
    return name


def normalize_country(value: str) -> str:
    """The upper-case ISO 3166-1 alpha-2 code; raises ValueError for anything else."""
    code = value.strip().upper()
    if code not in ISO_COUNTRY_CODES:
        raise ValueError(
            f"{value!r} is not an ISO 3166-1 alpha-2 country code (for example DE, FR, AT)"
        )
    return code


def normalize_vat_id(value: str) -> str:
    """The VAT id upper-cased without separators; raises ValueError if its shape is wrong.

    Only the shape is checked (two-letter country prefix, then 2 to 13 letters or digits): the
    per-country check digits and the VIES lookup are a matter for a later verification step.
    """
    vat_id = _VAT_SEPARATORS.sub("", value).upper()
    if not _VAT_ID.fullmatch(vat_id):
        raise ValueError(
            "a VAT id is a two-letter country prefix followed by 2 to 13 letters or digits, "
            "for example DE123456789"
        )
    return vat_id
