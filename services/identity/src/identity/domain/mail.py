"""The texts of the mails the identity service sends."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

__all__ = ["MailContent", "verification_link", "verification_mail"]


@dataclass(frozen=True)
class MailContent:
    subject: str
    body: str


def verification_link(portal_url: str, token: str) -> str:
    return f"{portal_url.rstrip('/')}/verify-email?token={quote(token, safe='')}"


def verification_mail(*, name: str, portal_url: str, token: str, hours_valid: int) -> MailContent:
    """The mail that confirms an address: a link, and the token for pasting by hand."""
    link = verification_link(portal_url, token)
    body = (
        f"Hello {name},\n"
        "\n"
        "please confirm your e-mail address for AOS by opening this link:\n"
        "\n"
        f"{link}\n"
        "\n"
        "If the link does not open, paste this verification code into the portal:\n"
        "\n"
        f"Verification code: {token}\n"
        "\n"
        f"The link and the code are valid for {hours_valid} hours and work once.\n"
        "If you did not register with AOS, ignore this mail.\n"
        "\n"
        "-- \n"
        "AOS Aftersales Online System\n"
    )
    return MailContent(subject="Confirm your e-mail address for AOS", body=body)
