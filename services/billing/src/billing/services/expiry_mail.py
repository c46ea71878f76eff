"""Sending an expiry warning: the one place that talks SMTP for it (aiosmtplib).

Kept as one function so that it can be pointed at a shared mail sender later without touching
the job that decides what to send.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import aiosmtplib

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
    message = EmailMessage()
    message["From"] = smtp.mail_from
    message["To"] = Address(addr_spec=recipient)
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid()
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    await aiosmtplib.send(message, hostname=smtp.host, port=smtp.port, timeout=smtp.timeout_seconds)
