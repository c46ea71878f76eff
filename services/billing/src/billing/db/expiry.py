"""SQL of the expiry e-mail setting and the notices sent."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.models import Customer, ExpiryNotice, ExpirySetting

__all__ = ["ExpiryRepository", "Subscriber"]


@dataclass(frozen=True)
class Subscriber:
    """An organisation that asked for expiry e-mails, and where they go ('' when unknown)."""

    organization_id: uuid.UUID
    hours_before: int
    invoice_email: str
    legal_name: str


class ExpiryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def setting(self, organization_id: uuid.UUID) -> ExpirySetting | None:
        return await self.session.get(ExpirySetting, organization_id)

    async def save_setting(
        self, organization_id: uuid.UUID, *, email: bool, hours_before: int, by: uuid.UUID
    ) -> None:
        statement = insert(ExpirySetting).values(
            organization_id=organization_id, email=email, hours_before=hours_before, updated_by=by
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[ExpirySetting.organization_id],
                set_={
                    "email": statement.excluded.email,
                    "hours_before": statement.excluded.hours_before,
                    "updated_by": statement.excluded.updated_by,
                    "updated_at": statement.excluded.updated_at,
                },
            )
        )

    async def subscribers(self) -> Sequence[Subscriber]:
        """Every organisation with expiry e-mails on, with its invoice address from the
        customers projection ('' when identity's company data has not arrived)."""
        rows = await self.session.execute(
            select(
                ExpirySetting.organization_id,
                ExpirySetting.hours_before,
                Customer.invoice_email,
                Customer.legal_name,
            )
            .outerjoin(Customer, Customer.organization_id == ExpirySetting.organization_id)
            .where(ExpirySetting.email.is_(True))
            .order_by(ExpirySetting.organization_id)
        )
        return [
            Subscriber(
                organization_id=row.organization_id,
                hours_before=row.hours_before,
                invoice_email=row.invoice_email or "",
                legal_name=row.legal_name or "",
            )
            for row in rows
        ]

    async def queue(
        self,
        *,
        organization_id: uuid.UUID,
        scope: str,
        window_end: datetime,
        recipient: str,
        subject: str,
        body: str,
    ) -> bool:
        """Queue the warning for this end of coverage; False when one exists already (queued,
        sent or obsolete): at most one mail per end."""
        statement = (
            insert(ExpiryNotice)
            .values(
                id=uuid.uuid4(),
                organization_id=organization_id,
                scope=scope,
                window_end=window_end,
                recipient=recipient,
                subject=subject,
                body=body,
            )
            .on_conflict_do_nothing(
                index_elements=[
                    ExpiryNotice.organization_id,
                    ExpiryNotice.scope,
                    ExpiryNotice.window_end,
                ]
            )
            .returning(ExpiryNotice.id)
        )
        return (await self.session.execute(statement)).first() is not None

    async def claim_queued(self, *, exclude: Sequence[uuid.UUID] = ()) -> ExpiryNotice | None:
        """The oldest queued notice, locked until the transaction ends; another process skips
        it rather than sending it too. ``exclude``: notices already tried in this run."""
        statement = select(ExpiryNotice).where(ExpiryNotice.status == "queued")
        if exclude:
            statement = statement.where(ExpiryNotice.id.not_in(exclude))
        return await self.session.scalar(
            statement.order_by(ExpiryNotice.created_at, ExpiryNotice.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )

    async def mark_sent(self, notice_id: uuid.UUID, *, at: datetime) -> None:
        await self.session.execute(
            update(ExpiryNotice)
            .where(ExpiryNotice.id == notice_id)
            .values(status="sent", sent_at=at, attempts=ExpiryNotice.attempts + 1)
        )

    async def mark_failed(self, notice_id: uuid.UUID, *, error: str) -> None:
        """Count a failed try; the notice stays queued for the next run."""
        await self.session.execute(
            update(ExpiryNotice)
            .where(ExpiryNotice.id == notice_id)
            .values(last_error=error, attempts=ExpiryNotice.attempts + 1)
        )

    async def mark_obsolete(self, notice_id: uuid.UUID) -> None:
        await self.session.execute(
            update(ExpiryNotice).where(ExpiryNotice.id == notice_id).values(status="obsolete")
        )
