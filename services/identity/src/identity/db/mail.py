"""Repository of the outgoing mail queue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.models import OutgoingMail
from servicekit.mail import MailStatus, claim_next_due

__all__ = ["MailStatus", "OutgoingMailRepository"]


class OutgoingMailRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def enqueue(self, *, recipient: str, subject: str, body: str) -> OutgoingMail:
        """Queue a mail in the caller's transaction; the sender delivers it after commit."""
        mail = OutgoingMail(recipient=recipient, subject=subject, body=body)
        self.session.add(mail)
        return mail

    async def claim_next_due(self, *, now: datetime) -> OutgoingMail | None:
        """The oldest pending mail that is due, locked; rows locked by another sender are
        skipped, so several replicas can send side by side without sending twice."""
        return await claim_next_due(self.session, OutgoingMail, now=now)

    async def list_for_recipient(self, recipient: str) -> list[OutgoingMail]:
        statement = (
            select(OutgoingMail)
            .where(OutgoingMail.recipient == recipient)
            .order_by(OutgoingMail.id)
        )
        return list((await self.session.execute(statement)).scalars())
