"""Delivers the outgoing mail queue over SMTP, after commit, with retries.

Requests only write ``outgoing_mail`` rows in their transaction and wake the sender once the
response is on its way; the sender also polls, so a mail whose wake-up was lost (restart,
another replica) still goes out. One mail per transaction, claimed with SKIP LOCKED: a crash
between the SMTP hand-over and the commit means the mail is sent again (at-least-once),
never that it is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid

import aiosmtplib

from identity.db.mail import MailStatus, OutgoingMailRepository
from identity.db.models import OutgoingMail
from servicekit.db import Database
from servicekit.logging import get_logger

__all__ = ["MailSender", "build_message", "retry_delay"]

log = get_logger(__name__)

_FIRST_RETRY = timedelta(seconds=5)
_MAX_RETRY = timedelta(minutes=15)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: 5 s doubling, at most 15 min."""
    delay = _FIRST_RETRY * (1 << min(max(0, attempts - 1), 16))
    return min(delay, _MAX_RETRY)


def _sender_domain(mail_from: str) -> str:
    addresses = getaddresses([mail_from])
    address = addresses[0][1] if addresses else ""
    return address.rpartition("@")[2] or "localhost"


def build_message(mail: OutgoingMail, *, mail_from: str, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = Address(addr_spec=mail.recipient)
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(idstring=f"mail{mail.id}", domain=_sender_domain(mail_from))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body or "")
    return message


def _is_permanent(exc: Exception) -> bool:
    """A 5xx answer means the server will never take this mail; anything else may pass later."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return all(500 <= error.code < 600 for error in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return 500 <= exc.code < 600
    return False


class MailSender:
    """Runs until cancelled, delivering due mails; :meth:`wake` makes it look at once."""

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
        self.database = database
        self.smtp_host = smtp_host
        self.smtp_port = smtp_port
        self.mail_from = mail_from
        self.timeout = timeout
        self.poll_interval = poll_interval
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
            mail = await OutgoingMailRepository(session).claim_next_due(now=now)
            if mail is None:
                return False
            mail.attempts += 1
            try:
                await self._send(build_message(mail, mail_from=self.mail_from, now=now))
            except (aiosmtplib.SMTPException, OSError) as exc:
                mail.last_error = f"{type(exc).__name__}: {exc}"[:500]
                if _is_permanent(exc):
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
            # The body may hold a verification token; once delivered it has no use here.
            mail.body = None
            log.info("mail delivered", mail_id=mail.id, attempts=mail.attempts)
            return True

    async def _send(self, message: EmailMessage) -> None:
        await aiosmtplib.send(
            message,
            hostname=self.smtp_host,
            port=self.smtp_port,
            timeout=self.timeout,
        )
