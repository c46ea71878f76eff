"""The replicas' message bus on real PostgreSQL: addressed and broadcast messages, payloads
larger than one NOTIFY, and delivery only when the sending transaction commits."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import pytest

from programming.services.replica_bus import (
    BROADCAST_CHANNEL,
    MAX_NOTIFY_BYTES,
    Message,
    ReplicaBus,
    asyncpg_dsn,
    replica_channel,
)
from servicekit.db import Database


class Inbox:
    def __init__(self) -> None:
        self.messages: asyncio.Queue[Message] = asyncio.Queue()

    async def __call__(self, message: Message) -> None:
        await self.messages.put(message)

    async def next(self) -> Message:
        return await asyncio.wait_for(self.messages.get(), 10)


@pytest.fixture
async def buses(database_url: str) -> AsyncIterator[tuple[Database, ReplicaBus, ReplicaBus, Inbox]]:
    database = Database(database_url)
    # The replica rows are not needed by the bus; ids only name the channels.
    sender = ReplicaBus(
        database, dsn=asyncpg_dsn(database_url), replica_id=uuid.uuid4(), handler=Inbox()
    )
    inbox = Inbox()
    receiver = ReplicaBus(
        database, dsn=asyncpg_dsn(database_url), replica_id=uuid.uuid4(), handler=inbox
    )
    await sender.start()
    await receiver.start()
    try:
        yield database, sender, receiver, inbox
    finally:
        await sender.close()
        await receiver.close()
        await database.dispose()


async def test_an_addressed_message_reaches_its_replica_with_the_senders_id(
    buses: tuple[Database, ReplicaBus, ReplicaBus, Inbox],
) -> None:
    _, sender, receiver, inbox = buses
    await sender.send(replica_channel(receiver.replica_id), {"kind": "command", "n": 1})
    assert await inbox.next() == {"kind": "command", "n": 1, "from": sender.replica_id.hex}


async def test_a_payload_larger_than_a_notify_arrives_whole(
    buses: tuple[Database, ReplicaBus, ReplicaBus, Inbox],
) -> None:
    _, sender, _, inbox = buses
    big = "x" * (3 * MAX_NOTIFY_BYTES)
    await sender.send(BROADCAST_CHANNEL, {"kind": "result", "result": big})
    received = await inbox.next()
    assert received["result"] == big and received["from"] == sender.replica_id.hex


async def test_a_message_sent_in_a_transaction_that_rolls_back_is_never_delivered(
    buses: tuple[Database, ReplicaBus, ReplicaBus, Inbox],
) -> None:
    database, sender, _, inbox = buses
    with contextlib.suppress(RuntimeError):
        async with database.transaction() as session:
            await sender.send(BROADCAST_CHANNEL, {"kind": "event", "n": 1}, session=session)
            raise RuntimeError("the state change failed")
    async with database.transaction() as session:
        await sender.send(BROADCAST_CHANNEL, {"kind": "event", "n": 2}, session=session)
    # Delivered in commit order: the first message to arrive is the committed one.
    assert (await inbox.next())["n"] == 2


async def test_a_replica_does_not_handle_its_own_broadcasts(
    buses: tuple[Database, ReplicaBus, ReplicaBus, Inbox],
) -> None:
    _, sender, receiver, inbox = buses
    await receiver.send(BROADCAST_CHANNEL, {"kind": "event", "n": "own"})
    await sender.send(BROADCAST_CHANNEL, {"kind": "event", "n": "other"})
    assert (await inbox.next())["n"] == "other"
