"""Outgoing mail of a service: a queue table written in the request's transaction, delivered
over SMTP after commit, with retries.

A service keeps its own queue table (a model with :class:`QueuedMailColumns`) and says how a
row becomes a message (:class:`MailQueue`); this module does the rest: claiming the next due
row with ``SKIP LOCKED`` (several replicas send side by side without sending twice), building
the message (with attachments), SMTP delivery, and telling a permanent refusal (5xx: given up)
from a passing failure (retried with doubling delays). One mail per transaction: a crash
between the SMTP hand-over and the commit means the mail goes out again (at-least-once), never
that it is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from typing import Generic, Protocol, TypeVar

import aiosmtplib
from sqlalchemy import BigInteger, DateTime, Integer, Text, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from servicekit.db import Database
from servicekit.logging import get_logger

__all__ = [
    "Attachment",
    "MailQueue",
    "MailSender",
    "MailStatus",
    "OutgoingMessage",
    "QueuedMailColumns",
    "build_message",
    "claim_next_due",
    "is_permanent",
    "retry_delay",
]

log = get_logger(__name__)

_FIRST_RETRY = timedelta(seconds=5)
_MAX_RETRY = timedelta(minutes=15)
_ERROR_MAX = 500


class MailStatus:
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class QueuedMailColumns:
    """The delivery columns every mail queue table has (a declarative mixin); the service's
    migration creates them, with ``status IN ('pending', 'sent', 'failed')`` and an index on
    ``next_attempt_at`` of the pending rows."""

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    recipient: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(Text, nullable=False, server_default=text("'pending'"))
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    next_attempt_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


Row = TypeVar("Row", bound=QueuedMailColumns)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"  # "maintype/subtype"


@dataclass(frozen=True)
class OutgoingMessage:
    """What to send for one queued row."""

    subject: str
    body: str
    attachments: Sequence[Attachment] = ()


class MailQueue(Protocol[Row]):
    """A service's mail queue: which rows are due, and what each one says."""

    async def claim_next_due(self, session: AsyncSession, *, now: datetime) -> Row | None:
        """The next due row, locked (see :func:`claim_next_due`)."""
        ...

    async def compose(self, session: AsyncSession, mail: Row) -> OutgoingMessage: ...

    def delivered(self, mail: Row) -> None:
        """Called once the row is sent, to drop what must not outlive delivery."""
        ...


async def claim_next_due(session: AsyncSession, model: type[Row], *, now: datetime) -> Row | None:
    """The oldest pending row of ``model`` that is due, locked; rows another sender holds are
    skipped."""
    statement = (
        select(model)
        .where(model.status == MailStatus.PENDING, model.next_attempt_at <= now)
        .order_by(model.next_attempt_at, model.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(statement)).scalar_one_or_none()


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: 5 s doubling, at most 15 min."""
    delay = _FIRST_RETRY * (1 << min(max(0, attempts - 1), 16))
    return min(delay, _MAX_RETRY)


def _sender_domain(mail_from: str) -> str:
    addresses = getaddresses([mail_from])
    address = addresses[0][1] if addresses else ""
    return address.rpartition("@")[2] or "localhost"


def build_message(
    message: OutgoingMessage,
    *,
    recipient: str,
    mail_from: str,
    now: datetime,
    id_string: str,
) -> EmailMessage:
    """The RFC 5322 message; ``id_string`` makes the Message-ID stable across retries."""
    mail = EmailMessage()
    mail["From"] = mail_from
    mail["To"] = Address(addr_spec=recipient)
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = make_msgid(idstring=id_string, domain=_sender_domain(mail_from))
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(message.body or "")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        mail.add_attachment(
            attachment.content,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return mail


def is_permanent(exc: Exception) -> bool:
    """A 5xx answer means the server will never take this mail; anything else may pass later."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return all(500 <= error.code < 600 for error in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return 500 <= exc.code < 600
    return False


class MailSender(Generic[Row]):
    """Runs until stopped, delivering due mails of one queue; :meth:`wake` makes it look at
    once."""

    def __init__(
        self,
        database: Database,
        queue: MailQueue[Row],
        *,
        smtp_host: str,
        smtp_port: int,
        mail_from: str,
        timeout: float = 10.0,
        poll_interval: float = 3.0,
        id_prefix: str = "mail",
    ) -> None:
        self.database = database
        self.queue = queue
        self.smtp_host = smtp_host
        self.smtp_port = smtp_port
        self.mail_from = mail_from
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.id_prefix = id_prefix
        self._signal = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._signal.set()

    def stop(self) -> None:
        """Ask :meth:`run` to return once the mail in hand (if any) is dealt with.

        A stop flag rather than only task cancellation: on Python 3.11 a cancellation that
        arrives while a library's internal ``asyncio.wait_for`` completes can be swallowed,
        and a loop relying on it alone would never end.
        """
        self._stopping = True
        self._signal.set()

    async def run(self) -> None:
        while not self._stopping:
            try:
                while not self._stopping and await self.deliver_next():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database is away: keep the loop alive, retry
                log.warning("mail sender cannot reach the queue; will retry", error=str(exc))
            if self._stopping:
                return
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation
            # that arrives as the event fires, and the task would then never stop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_interval):
                    await self._signal.wait()
            self._signal.clear()

    async def deliver_next(self) -> bool:
        """Try the next due mail; False when none is due."""
        async with self.database.transaction() as session:
            now = datetime.now(UTC)
            mail = await self.queue.claim_next_due(session, now=now)
            if mail is None:
                return False
            mail.attempts += 1
            try:
                content = await self.queue.compose(session, mail)
            except (SQLAlchemyError, OSError):
                raise  # the database is away: the row stays as it was, tried again later
            except Exception as exc:
                # A mail that cannot be composed (its invoice cannot be rendered, say) will not
                # compose on the next try either: give it up rather than retry for ever.
                mail.status = MailStatus.FAILED
                mail.last_error = f"{type(exc).__name__}: {exc}"[:_ERROR_MAX]
                log.exception("mail could not be composed; given up", mail_id=mail.id)
                return True
            try:
                message = build_message(
                    content,
                    recipient=mail.recipient,
                    mail_from=self.mail_from,
                    now=now,
                    id_string=f"{self.id_prefix}{mail.id}",
                )
                await self._send(message)
            except (aiosmtplib.SMTPException, OSError) as exc:
                mail.last_error = f"{type(exc).__name__}: {exc}"[:_ERROR_MAX]
                if is_permanent(exc):
                    mail.status = MailStatus.FAILED
                    log.error("mail refused by the SMTP server", mail_id=mail.id, error=str(exc))
                else:
                    delay = retry_delay(mail.attempts)
                    mail.next_attempt_at = now + delay
                    log.warning(
                        "mail delivery failed; will retry",
                        mail_id=mail.id,
                        attempts=mail.attempts,
                        retry_in_s=delay.total_seconds(),
                        error=str(exc),
                    )
                return True
            mail.status = MailStatus.SENT
            mail.sent_at = now
            mail.last_error = None
            self.queue.delivered(mail)
            log.info("mail delivered", mail_id=mail.id, attempts=mail.attempts)
            return True

    async def _send(self, message: EmailMessage) -> None:
        await aiosmtplib.send(
            message,
            hostname=self.smtp_host,
            port=self.smtp_port,
            timeout=self.timeout,
        )
