"""The texts of the mails the identity service sends."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

__all__ = [
    "MailContent",
    "email_change_attempt_mail",
    "email_change_link",
    "email_change_mail",
    "email_changed_mail",
    "password_changed_mail",
    "password_reset_link",
    "password_reset_mail",
    "registration_attempt_mail",
    "verification_link",
    "verification_mail",
]


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


def _footer() -> str:
    return "\n-- \nAOS Aftersales Online System\n"


def password_reset_link(portal_url: str, token: str) -> str:
    return f"{portal_url.rstrip('/')}/reset-password?token={quote(token, safe='')}"


def password_reset_mail(
    *, name: str, portal_url: str, token: str, minutes_valid: int
) -> MailContent:
    """The mail with a link to set a new password (asked for with "forgot password")."""
    body = (
        f"Hello {name},\n"
        "\n"
        "someone (we hope you) asked to set a new password for your AOS account.\n"
        "Open this link to choose one:\n"
        "\n"
        f"{password_reset_link(portal_url, token)}\n"
        "\n"
        f"The link is valid for {minutes_valid} minutes and works once. Setting a new password\n"
        "logs you out everywhere; you will still need your authenticator code to log in.\n"
        "If you did not ask for this, ignore this mail: your password stays as it is.\n"
        f"{_footer()}"
    )
    return MailContent(subject="Set a new password for AOS", body=body)


def password_changed_mail(*, name: str, portal_url: str) -> MailContent:
    """The notice that the account's password was changed (by reset or by the user)."""
    body = (
        f"Hello {name},\n"
        "\n"
        "the password of your AOS account was just changed, and your other logins were ended.\n"
        "\n"
        'If that was not you, set a new password at once with "Forgot password" at\n'
        f"{portal_url.rstrip('/')}/login and tell your workshop's administrator.\n"
        f"{_footer()}"
    )
    return MailContent(subject="Your AOS password was changed", body=body)


def email_change_link(portal_url: str, token: str) -> str:
    return f"{portal_url.rstrip('/')}/confirm-email-change?token={quote(token, safe='')}"


def email_change_mail(*, name: str, portal_url: str, token: str, hours_valid: int) -> MailContent:
    """The mail to the NEW address: open the link to make it the account's address."""
    body = (
        f"Hello {name},\n"
        "\n"
        "please confirm that this address is to be the e-mail address of your AOS account\n"
        "by opening this link:\n"
        "\n"
        f"{email_change_link(portal_url, token)}\n"
        "\n"
        "If the link does not open, paste this code into the portal:\n"
        "\n"
        f"Confirmation code: {token}\n"
        "\n"
        f"The link and the code are valid for {hours_valid} hours and work once.\n"
        "If you did not ask for this, ignore this mail: nothing changes.\n"
        f"{_footer()}"
    )
    return MailContent(subject="Confirm your new e-mail address for AOS", body=body)


def email_changed_mail(*, name: str, new_email: str) -> MailContent:
    """The notice to the OLD address once the change is confirmed."""
    body = (
        f"Hello {name},\n"
        "\n"
        f"the e-mail address of your AOS account was changed to {new_email}.\n"
        "Mail about your account now goes there, and you log in with it.\n"
        "\n"
        "If that was not you, contact your workshop's administrator at once.\n"
        f"{_footer()}"
    )
    return MailContent(subject="The e-mail address of your AOS account was changed", body=body)


def email_change_attempt_mail(*, name: str) -> MailContent:
    """To the owner of an address another account tried to move to (it was not moved)."""
    body = (
        f"Hello {name},\n"
        "\n"
        "someone asked to change the e-mail address of another AOS account to this address.\n"
        "It already belongs to your account, so nothing was changed and you need not do\n"
        "anything.\n"
        f"{_footer()}"
    )
    return MailContent(subject="Someone tried to use your e-mail address at AOS", body=body)
