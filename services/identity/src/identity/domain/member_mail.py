"""The texts of the mails about membership (invitations)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from identity.domain.mail import MailContent

__all__ = ["invitation_link", "invitation_mail"]


def invitation_link(portal_url: str, token: str) -> str:
    return f"{portal_url.rstrip('/')}/accept-invitation?token={quote(token, safe='')}"


def invitation_mail(
    *, organization: str, role: str, portal_url: str, token: str, expires_at: datetime
) -> MailContent:
    """The invitation: a link that works once, until ``expires_at``."""
    link = invitation_link(portal_url, token)
    body = (
        "Hello,\n"
        "\n"
        f"you are invited to join {organization} on AOS as {role}.\n"
        "Open this link to set your name and password and to set up two-factor "
        "authentication:\n"
        "\n"
        f"{link}\n"
        "\n"
        f"The link works once and until {expires_at:%Y-%m-%d %H:%M} UTC.\n"
        "If you do not expect this invitation, ignore this mail.\n"
        "\n"
        "-- \n"
        "AOS Aftersales Online System\n"
    )
    return MailContent(subject=f"Invitation to join {organization} on AOS", body=body)
