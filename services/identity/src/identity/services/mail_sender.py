"""Delivers identity's outgoing mail queue (``outgoing_mail``) over SMTP, after commit, with
retries: servicekit.mail's sender, bound to this queue.

Requests only write ``outgoing_mail`` rows in their transaction and wake the sender once the
response is on its way; the sender also polls, so a mail whose wake-up was lost (restart,
another replica) still goes out.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.mail import OutgoingMailRepository
from identity.db.models import OutgoingMail
from servicekit import mail
from servicekit.db import Database
from servicekit.mail import OutgoingMessage, retry_delay

__all__ = ["IdentityMailQueue", "MailSender", "retry_delay"]


class IdentityMailQueue:
    """Identity's mails carry their text in the row."""

    async def claim_next_due(self, session: AsyncSession, *, now: datetime) -> OutgoingMail | None:
        return await OutgoingMailRepository(session).claim_next_due(now=now)

    async def compose(self, session: AsyncSession, mail: OutgoingMail) -> OutgoingMessage:
        return OutgoingMessage(subject=mail.subject, body=mail.body or "")

    def delivered(self, mail: OutgoingMail) -> None:
        # The body may hold a verification token; once delivered it has no use here.
        mail.body = None


class MailSender(mail.MailSender[OutgoingMail]):
    def __init__(
        self,
        database: Database,
        *,
        smtp_host: str,
        smtp_port: int,
        mail_from: str,
        timeout: float = 10.0,
        poll_interval: float = 3.0,
    ) -> None:
        super().__init__(
            database,
            IdentityMailQueue(),
            smtp_host=smtp_host,
            smtp_port=smtp_port,
            mail_from=mail_from,
            timeout=timeout,
            poll_interval=poll_interval,
        )
