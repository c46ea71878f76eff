"""The SMTP server of the sink, on aiosmtpd, running in the caller's event loop."""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType

from aiosmtpd.smtp import SMTP, Envelope, Session

from identity.mailsink.messages import parse_message

__all__ = ["MailSink", "ReceivedMail"]

_MAX_MESSAGE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    recipients: tuple[str, ...]
    raw: bytes
    received_at: datetime
    message: EmailMessage = field(repr=False)

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", ""))


class _Handler:
    def __init__(self, sink: MailSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        raw = envelope.original_content or b""
        mail = ReceivedMail(
            mail_from=envelope.mail_from or "",
            recipients=tuple(envelope.rcpt_tos),
            raw=raw,
            received_at=datetime.now(UTC),
            message=parse_message(raw),
        )
        await self.sink._store(mail)
        return "250 Message accepted for delivery"


class MailSink:
    """An SMTP server that keeps every mail in memory and, optionally, as ``.eml`` files."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        maildir: Path | None = None,
        on_mail: Callable[[ReceivedMail], None] | None = None,
    ) -> None:
        self.host = host
        self.on_mail = on_mail
        self._requested_port = port
        self.maildir = maildir
        self.messages: list[ReceivedMail] = []
        self._server: asyncio.Server | None = None
        self._arrived = asyncio.Condition()
        self._sequence = itertools.count(1)

    @property
    def port(self) -> int:
        """The port actually listened on (useful with ``port=0``)."""
        if self._server is None:
            raise RuntimeError("the mail sink is not running")
        sockname = self._server.sockets[0].getsockname()
        return int(sockname[1])

    async def start(self) -> None:
        if self.maildir is not None:
            self.maildir.mkdir(parents=True, exist_ok=True)
        loop = asyncio.get_running_loop()
        handler = _Handler(self)
        self._server = await loop.create_server(
            lambda: SMTP(
                handler,
                hostname="aos-mailsink",
                data_size_limit=_MAX_MESSAGE_BYTES,
                enable_SMTPUTF8=True,
                loop=loop,
            ),
            host=self.host,
            port=self._requested_port,
        )

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            await server.wait_closed()

    async def __aenter__(self) -> MailSink:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def messages_to(self, recipient: str) -> list[ReceivedMail]:
        wanted = recipient.lower()
        return [m for m in self.messages if wanted in (r.lower() for r in m.recipients)]

    async def wait_for(
        self, *, recipient: str | None = None, count: int = 1, seconds: float = 10.0
    ) -> ReceivedMail:
        """The ``count``-th mail (to ``recipient`` if given), waiting up to ``seconds``.

        Raises TimeoutError when it does not arrive in time.
        """

        def matching() -> list[ReceivedMail]:
            return self.messages if recipient is None else self.messages_to(recipient)

        async with asyncio.timeout(seconds), self._arrived:
            await self._arrived.wait_for(lambda: len(matching()) >= count)
            return matching()[count - 1]

    async def _store(self, mail: ReceivedMail) -> None:
        if self.maildir is not None:
            await asyncio.to_thread(self._write_eml, mail, next(self._sequence))
        async with self._arrived:
            self.messages.append(mail)
            self._arrived.notify_all()
        if self.on_mail is not None:
            self.on_mail(mail)

    def _write_eml(self, mail: ReceivedMail, sequence: int) -> None:
        assert self.maildir is not None
        name = f"{mail.received_at:%Y%m%dT%H%M%S%f}-{os.getpid()}-{sequence:05d}.eml"
        final = self.maildir / name
        partial = self.maildir / f".{name}.part"
        # Write aside, then rename: a reader polling the folder never sees half a mail.
        partial.write_bytes(mail.raw)
        partial.replace(final)
