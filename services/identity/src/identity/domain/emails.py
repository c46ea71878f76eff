"""E-mail address normalisation."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

__all__ = ["EMAIL_MAX_LENGTH", "normalize_email"]

EMAIL_MAX_LENGTH = 254


def normalize_email(value: str) -> str:
    """The address validated and lower-cased; raises ValueError saying what is wrong.

    Lower-casing the local part too is a deliberate choice: no mail provider our users have
    treats case as significant, and it makes "Max@Firma.de" and "max@firma.de" one account.
    Deliverability (DNS) is not checked here; the verification mail proves the address.
    """
    try:
        validated = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"not a valid e-mail address: {exc}") from exc
    email = validated.normalized.lower()
    if len(email) > EMAIL_MAX_LENGTH:
        raise ValueError(f"the e-mail address must have at most {EMAIL_MAX_LENGTH} characters")
    return email
