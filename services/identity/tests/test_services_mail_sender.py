"""The mail sender: delivery after commit, retries while SMTP is away, nothing lost."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import text

from identity.db.mail import OutgoingMailRepository
from identity.mailsink import MailSink
from identity.services.mail_sender import MailSender, retry_delay
from servicekit.db import Database


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url, pool_size=2)
    yield db
    await db.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def queue_mail(database: Database, recipient: str = "queued@workshop.example") -> None:
    async with database.transaction() as session:
        OutgoingMailRepository(session).enqueue(
            recipient=recipient, subject="Hello", body="A body with a token-abc."
        )


async def mail_row(database: Database) -> object:
    async with database.transaction() as session:
        return (
            await session.execute(
                text(
                    "SELECT status, attempts, body, last_error, sent_at,"
                    " next_attempt_at > now() AS deferred FROM outgoing_mail"
                )
            )
        ).one()


def sender_for(database: Database, port: int) -> MailSender:
    return MailSender(
        database,
        smtp_host="127.0.0.1",
        smtp_port=port,
        mail_from="AOS <no-reply@aos.example>",
        timeout=2.0,
    )


def test_retry_delay_doubles_from_five_seconds_up_to_fifteen_minutes() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert retry_delay(50) == timedelta(minutes=15)


async def test_queued_mail_is_delivered_and_marked_sent(database: Database) -> None:
    async with MailSink(port=0) as sink:
        await queue_mail(database)
        assert await sender_for(database, sink.port).deliver_next() is True
        assert len(sink.messages) == 1
    mail = sink.messages[0]
    assert mail.recipients == ("queued@workshop.example",)
    assert mail.subject == "Hello"
    assert mail.message["Message-ID"].endswith("@aos.example>")
    row = await mail_row(database)
    assert row.status == "sent"  # type: ignore[attr-defined]
    assert row.body is None  # type: ignore[attr-defined]


async def test_no_due_mail_means_nothing_to_do(database: Database) -> None:
    assert await sender_for(database, free_port()).deliver_next() is False


async def test_mail_stays_queued_while_smtp_is_away_and_goes_out_later(
    database: Database,
) -> None:
    port = free_port()
    await queue_mail(database)
    sender = sender_for(database, port)
    assert await sender.deliver_next() is True  # tried, failed
    row = await mail_row(database)
    assert row.status == "pending"  # type: ignore[attr-defined]
    assert row.attempts == 1  # type: ignore[attr-defined]
    assert row.deferred is True  # type: ignore[attr-defined]
    assert row.last_error  # type: ignore[attr-defined]
    assert row.body == "A body with a token-abc."  # type: ignore[attr-defined]
    # Not due yet: the sender leaves it alone until its retry time.
    assert await sender.deliver_next() is False
    async with database.transaction() as session:
        await session.execute(text("UPDATE outgoing_mail SET next_attempt_at = now()"))
    async with MailSink(port=port) as sink:
        assert await sender.deliver_next() is True
    assert len(sink.messages) == 1
    row = await mail_row(database)
    assert row.status == "sent"  # type: ignore[attr-defined]
    assert row.attempts == 2  # type: ignore[attr-defined]


async def test_uncommitted_mail_is_never_sent(database: Database) -> None:
    async with MailSink(port=0) as sink:
        with pytest.raises(RuntimeError):
            async with database.transaction() as session:
                OutgoingMailRepository(session).enqueue(
                    recipient="rolled-back@workshop.example", subject="No", body="No."
                )
                raise RuntimeError("the request failed")
        assert await sender_for(database, sink.port).deliver_next() is False
    assert sink.messages == []


async def test_running_sender_delivers_when_woken(database: Database) -> None:
    import asyncio

    async with MailSink(port=0) as sink:
        sender = sender_for(database, sink.port)
        sender.poll_interval = 60.0  # only the wake-up can make it look
        task = asyncio.create_task(sender.run())
        try:
            await asyncio.sleep(0.1)
            await queue_mail(database)
            sender.wake()
            await sink.wait_for(recipient="queued@workshop.example", seconds=5)
        finally:
            sender.stop()
            await asyncio.wait_for(task, 5)
