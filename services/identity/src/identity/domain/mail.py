"""The texts of the mails the identity service sends."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

__all__ = ["MailContent", "registration_attempt_mail", "verification_link", "verification_mail"]


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


def registration_attempt_mail(*, name: str, portal_url: str) -> MailContent:
    """The mail to an account's owner when someone registers again with its address.

    The registration answers as if it had worked (so it cannot be used to find out who has an
    account); this mail tells the one person who may know.
    """
    login = f"{portal_url.rstrip('/')}/login"
    body = (
        f"Hello {name},\n"
        "\n"
        "someone just tried to register a new workshop with AOS using this e-mail address.\n"
        "It already belongs to your account, so no new account was created.\n"
        "\n"
        "If that was you, log in to your existing account instead:\n"
        "\n"
        f"{login}\n"
        "\n"
        "If it was not you, you need not do anything: your account is unchanged.\n"
        "\n"
        "-- \n"
        "AOS Aftersales Online System\n"
    )
    return MailContent(subject="Someone tried to register with your e-mail address", body=body)
