"""Validation of what an organisation registers with: names, country, VAT id.

Countries are ISO 3166-1 alpha-2 codes (pycountry's list of assigned codes). A VAT id must carry
its country's prefix, and an EU VAT id (python-stdnum's ``stdnum.eu.vat``) its check digits.
Rule violations are :class:`FieldRuleError` with a stable code, which clients translate.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pycountry
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumValidationError

__all__ = [
    "ISO_COUNTRY_CODES",
    "NAME_MAX_LENGTH",
    "FieldRuleError",
    "check_vat_id_for_country",
    "normalize_country",
    "normalize_name",
    "normalize_vat_id",
    "vat_prefixes",
]

NAME_MAX_LENGTH = 200

ISO_COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries)

# EU VAT ids mostly start with the ISO code of their country; Greece uses EL, and traders in
# Northern Ireland use XI besides the United Kingdom's GB.
_VAT_PREFIXES: Mapping[str, tuple[str, ...]] = {"GR": ("EL",), "GB": ("GB", "XI")}
_EU_VAT_PREFIXES = frozenset(
    "EL" if state == "gr" else state.upper() for state in eu_vat.MEMBER_STATES
)

_VAT_ID = re.compile(r"[A-Z]{2}[A-Z0-9]{2,13}")
# People write VAT ids with spaces, dots or dashes for readability; none of them is significant.
_VAT_SEPARATORS = re.compile(r"[\s.\-]")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


class FieldRuleError(ValueError):
    """A value that breaks a registration rule.

    ``code`` is stable and machine-readable (clients translate by it), ``template`` the English
    message with ``{name}`` placeholders and ``params`` their values.
    """

    def __init__(self, code: str, template: str, **params: str) -> None:
        super().__init__(template.format(**params))
        self.code = code
        self.template = template
        self.params = params


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
    """The upper-case ISO 3166-1 alpha-2 code; raises ``country-unknown`` for anything else."""
    code = value.strip().upper()
    if code not in ISO_COUNTRY_CODES:
        raise FieldRuleError(
            "country-unknown",
            "'{country}' is not an ISO 3166-1 alpha-2 country code (for example DE, FR, AT)",
            country=value.strip(),
        )
    return code


def normalize_vat_id(value: str) -> str:
    """The VAT id upper-cased without separators; raises ``vat-id-invalid`` if its shape is wrong
    (a two-letter country prefix, then 2 to 13 letters or digits)."""
    vat_id = _VAT_SEPARATORS.sub("", value).upper()
    if not _VAT_ID.fullmatch(vat_id):
        raise FieldRuleError(
            "vat-id-invalid",
            "a VAT id is a two-letter country prefix followed by 2 to 13 letters or digits, "
            "for example DE123456704",
        )
    return vat_id


def vat_prefixes(country: str) -> tuple[str, ...]:
    """The prefixes a VAT id of an organisation in ``country`` (ISO alpha-2) may have."""
    return _VAT_PREFIXES.get(country, (country,))


def check_vat_id_for_country(vat_id: str, *, country: str) -> str:
    """The normalised VAT id when it belongs to ``country`` and its check digits are right.

    Raises ``vat-id-country-mismatch`` when the prefix is not the country's, and
    ``vat-id-invalid`` when an EU VAT id fails its country's checksum or format. Outside the EU
    only the prefix and the shape are checked: there is no common register to check against.
    """
    prefixes = vat_prefixes(country)
    if vat_id[:2] not in prefixes:
        raise FieldRuleError(
            "vat-id-country-mismatch",
            "a VAT id of a company in {country} starts with {expected_prefix}, not {prefix}",
            country=country,
            prefix=vat_id[:2],
            expected_prefix="/".join(prefixes),
        )
    if vat_id[:2] in _EU_VAT_PREFIXES:
        try:
            eu_vat.validate(vat_id)
        except StdnumValidationError:
            raise FieldRuleError(
                "vat-id-invalid",
                "{vat_id} is not a valid VAT id: its check digits or format are wrong for {prefix}",
                vat_id=vat_id,
                prefix=vat_id[:2],
            ) from None
    return vat_id
