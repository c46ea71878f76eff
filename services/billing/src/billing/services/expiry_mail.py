"""Sending an expiry warning: the one place that talks SMTP for it.

The message is built by servicekit.mail like every mail of AOS; the expiry job keeps its own
queue (``expiry_notices``: one warning per pass end, made obsolete when more time is bought), so
it hands each one over here instead of through servicekit's queued sender.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import aiosmtplib

from servicekit.mail import OutgoingMessage, build_message

__all__ = ["SmtpServer", "send_expiry_mail"]


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    mail_from: str
    timeout_seconds: float = 10.0


async def send_expiry_mail(recipient: str, subject: str, body: str, *, smtp: SmtpServer) -> None:
    """Hand one plain-text mail to the SMTP server. Raises aiosmtplib.SMTPException or OSError
    when the server is away or refuses it (the caller keeps the notice queued)."""
    message = build_message(
        OutgoingMessage(subject=subject, body=body),
        recipient=recipient,
        mail_from=smtp.mail_from,
        now=datetime.now(UTC),
        id_string=f"expiry{uuid.uuid4().hex}",
    )
    await aiosmtplib.send(message, hostname=smtp.host, port=smtp.port, timeout=smtp.timeout_seconds)
