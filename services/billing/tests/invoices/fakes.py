"""Fakes of the outside boundaries: VIES (answers set per VAT id, the questions it was asked)
and an SMTP server."""

from __future__ import annotations

import asyncio
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.smtp import SMTP, Envelope, Session

from billing.providers.vies import RegistryAnswer, RegistryResult


class FakeRegistry:
    def __init__(self, default: RegistryResult = RegistryResult.VALID) -> None:
        self.default = default
        self.answers: dict[str, RegistryAnswer] = {}
        self.asked: list[str] = []

    def answer(self, vat_id: str, result: RegistryResult, **fields: str) -> None:
        self.answers[vat_id] = RegistryAnswer(result=result, **fields)

    async def check(self, *, country_prefix: str, number: str) -> RegistryAnswer:
        vat_id = country_prefix + number
        self.asked.append(vat_id)
        return self.answers.get(vat_id, RegistryAnswer(result=self.default))


class SmtpSink:
    """A local SMTP server (the mail boundary) keeping what it receives, in this event loop."""

    def __init__(self, *, port: int = 0) -> None:
        self.requested_port = port
        self.messages: list[EmailMessage] = []
        self.recipients: list[tuple[str, ...]] = []
        self._server: asyncio.Server | None = None
        self._arrived = asyncio.Condition()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content or b"")
        async with self._arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.recipients.append(tuple(envelope.rcpt_tos))
            self._arrived.notify_all()
        return "250 accepted"

    async def wait_for(self, count: int = 1, *, seconds: float = 15.0) -> EmailMessage:
        async with asyncio.timeout(seconds), self._arrived:
            await self._arrived.wait_for(lambda: len(self.messages) >= count)
            return self.messages[count - 1]

    async def __aenter__(self) -> SmtpSink:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(self, hostname="billing-test-sink", loop=loop),
            host="127.0.0.1",
            port=self.requested_port,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
