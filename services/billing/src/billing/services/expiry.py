"""Expiry warnings by e-mail: the organisation's setting, and the job that queues and sends
one warning per end of continuous coverage of a scope.

Queued notices are rows (``expiry_notices``), unique per organisation, scope and end, so a
warning is sent at most once per end, whichever process runs the job. A notice is sent in the
transaction that holds its row lock; a crash between the SMTP hand-over and the commit sends it
again on the next run (at-least-once), never loses it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import aiosmtplib
from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.expiry import ExpiryRepository
from billing.domain.expiry import DEFAULT_HOURS_BEFORE, compose_expiry_mail, warning_due
from billing.services.entitlements import summarize
from billing.services.expiry_mail import SmtpServer, send_expiry_mail
from servicekit.db import Database
from servicekit.logging import get_logger

__all__ = [
    "DeliveryResult",
    "ExpiryPreference",
    "deliver_expiry_warnings",
    "notification_setting",
    "queue_expiry_warnings",
    "save_notification_setting",
]

log = get_logger(__name__)


@dataclass(frozen=True)
class ExpiryPreference:
    email: bool
    hours_before: int


async def notification_setting(
    session: AsyncSession, organization_id: uuid.UUID
) -> ExpiryPreference:
    """The organisation's choice; off (with a day's notice) until it made one."""
    stored = await ExpiryRepository(session).setting(organization_id)
    if stored is None:
        return ExpiryPreference(email=False, hours_before=DEFAULT_HOURS_BEFORE)
    return ExpiryPreference(email=stored.email, hours_before=stored.hours_before)


async def save_notification_setting(
    session: AsyncSession,
    organization_id: uuid.UUID,
    *,
    email: bool,
    hours_before: int,
    by: uuid.UUID,
) -> ExpiryPreference:
    await ExpiryRepository(session).save_setting(
        organization_id, email=email, hours_before=hours_before, by=by
    )
    return ExpiryPreference(email=email, hours_before=hours_before)


async def _coverage_end(
    session: AsyncSession, organization_id: uuid.UUID, scope: str, *, now: datetime
) -> datetime | None:
    for coverage in await summarize(session, organization_id, now=now):
        if coverage.scope.value == scope:
            return coverage.valid_until
    return None


async def queue_expiry_warnings(session: AsyncSession, *, now: datetime) -> int:
    """Queue a warning for every scope whose continuous coverage ends within the
    organisation's ``hours_before`` and has no warning yet; returns how many were queued.
    Organisations without an invoice address are skipped (and logged)."""
    repository = ExpiryRepository(session)
    queued = 0
    for subscriber in await repository.subscribers():
        for coverage in await summarize(session, subscriber.organization_id, now=now):
            end = coverage.valid_until
            if end is None or not warning_due(end, now=now, hours_before=subscriber.hours_before):
                continue
            if not subscriber.invoice_email:
                log.info(
                    "expiry warning skipped: no invoice address known",
                    organization_id=str(subscriber.organization_id),
                    scope=coverage.scope.value,
                )
                continue
            mail = compose_expiry_mail(
                scope=coverage.scope.value,
                ends_at=end,
                organization_name=subscriber.legal_name or "your organisation",
            )
            if await repository.queue(
                organization_id=subscriber.organization_id,
                scope=coverage.scope.value,
                window_end=end,
                recipient=subscriber.invoice_email,
                subject=mail.subject,
                body=mail.body,
            ):
                queued += 1
    return queued


@dataclass(frozen=True)
class DeliveryResult:
    sent: int = 0
    failed: int = 0
    obsolete: int = 0


async def deliver_expiry_warnings(
    database: Database, *, smtp: SmtpServer, now: datetime
) -> DeliveryResult:
    """Send every queued warning still true at ``now``, one per transaction. A warning whose
    end passed, or whose coverage now lasts longer (a pass bought meanwhile) or shorter (a
    refund), is marked obsolete instead. A failed send stays queued for the next run."""
    sent = failed = obsolete = 0
    tried: list[uuid.UUID] = []
    while True:
        async with database.transaction() as session:
            repository = ExpiryRepository(session)
            notice = await repository.claim_queued(exclude=tried)
            if notice is None:
                break
            tried.append(notice.id)
            end = await _coverage_end(session, notice.organization_id, notice.scope, now=now)
            if notice.window_end <= now or end != notice.window_end:
                await repository.mark_obsolete(notice.id)
                obsolete += 1
                continue
            try:
                await send_expiry_mail(notice.recipient, notice.subject, notice.body, smtp=smtp)
            except (aiosmtplib.SMTPException, OSError) as exc:
                await repository.mark_failed(notice.id, error=f"{type(exc).__name__}: {exc}")
                log.warning(
                    "expiry warning not sent; will retry",
                    notice_id=str(notice.id),
                    error=type(exc).__name__,
                )
                failed += 1
                continue
            await repository.mark_sent(notice.id, at=now)
            sent += 1
    return DeliveryResult(sent=sent, failed=failed, obsolete=obsolete)
