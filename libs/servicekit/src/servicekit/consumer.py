"""Idempotent event consumer: inbox deduplication, retry with backoff, dead-letter topic.

For every record the handler's effect and the ``(consumer, event_id)`` inbox row commit in one
transaction, so a redelivered event changes nothing. Offsets are committed to Kafka only after
that transaction, so a crash between the two means a redelivery, never a lost event.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from google.protobuf.message import DecodeError, Message
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from aos.events.v1.envelope_pb2 import Envelope
from servicekit.db import Database
from servicekit.logging import get_logger
from servicekit.outbox import inbox_table
from servicekit.relay import (
    HEADER_AGGREGATE,
    HEADER_ID,
    HEADER_SOURCE,
    HEADER_TIME,
    HEADER_TYPE,
    new_producer,
)

log = get_logger(__name__)

M = TypeVar("M", bound=Message)


@dataclass(frozen=True)
class IncomingEvent(Generic[M]):
    event_id: uuid.UUID
    event_type: str
    source: str
    occurred_at: datetime
    aggregate_id: str
    message: M


Handler = Callable[[AsyncSession, IncomingEvent[Any]], Awaitable[None]]


class PoisonMessage(Exception):
    """A record that can never be processed: missing headers or an undecodable payload."""


@dataclass(frozen=True)
class Subscription:
    message_type: type[Message]
    handler: Handler


def _headers(record: ConsumerRecord[bytes, bytes]) -> dict[str, str]:
    return {name: value.decode(errors="replace") for name, value in (record.headers or ())}


def decode(
    record: ConsumerRecord[bytes, bytes], subscriptions: dict[str, Subscription]
) -> IncomingEvent[Any] | None:
    """The typed event of a record, None for a type nobody here handles.

    Raises PoisonMessage when the record breaks the envelope conventions.
    """
    headers = _headers(record)
    event_type = headers.get(HEADER_TYPE)
    if event_type is None:
        raise PoisonMessage(f"record has no {HEADER_TYPE} header")
    subscription = subscriptions.get(event_type)
    if subscription is None:
        return None
    try:
        event_id = uuid.UUID(headers[HEADER_ID])
        occurred_at = datetime.fromisoformat(headers[HEADER_TIME])
        message = subscription.message_type.FromString(record.value or b"")
    except (KeyError, ValueError, DecodeError) as exc:
        raise PoisonMessage(f"cannot decode {event_type}: {exc!r}") from exc
    return IncomingEvent(
        event_id=event_id,
        event_type=event_type,
        source=headers.get(HEADER_SOURCE, ""),
        occurred_at=occurred_at,
        aggregate_id=headers.get(HEADER_AGGREGATE, (record.key or b"").decode(errors="replace")),
        message=message,
    )


class EventConsumer:
    """Consumes topics as one consumer group and applies handlers exactly once per event id."""

    def __init__(
        self,
        database: Database,
        *,
        name: str,
        topics: list[str],
        bootstrap_servers: str,
        subscriptions: dict[str, Subscription],
        max_attempts: int = 5,
        backoff_seconds: float = 0.2,
        dead_letter_suffix: str = ".dlq",
    ) -> None:
        self.database = database
        self.name = name
        self.topics = topics
        self.bootstrap_servers = bootstrap_servers
        self.subscriptions = subscriptions
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.dead_letter_suffix = dead_letter_suffix

    async def run(self) -> None:
        """Consume until cancelled; reconnects with backoff when the broker is away."""
        delay = 0.5
        while True:
            try:
                await self._consume()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning(
                    "consumer lost the broker; reconnecting",
                    consumer=self.name,
                    error=str(exc),
                    retry_in_s=delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _consume(self) -> None:
        consumer = AIOKafkaConsumer(
            *self.topics,
            bootstrap_servers=self.bootstrap_servers,
            group_id=self.name,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            metadata_max_age_ms=5_000,
        )
        producer = new_producer(self.bootstrap_servers)
        await consumer.start()
        try:
            await producer.start()
            while True:
                batches = await consumer.getmany(timeout_ms=1_000, max_records=100)
                for partition, records in batches.items():
                    for record in records:
                        await self.process(record, producer)
                        await consumer.commit({partition: record.offset + 1})
        finally:
            with contextlib.suppress(Exception):
                await producer.stop()
            with contextlib.suppress(Exception):
                await consumer.stop()

    async def process(self, record: ConsumerRecord[bytes, bytes], producer: Any) -> bool:
        """Apply one record; returns True when a handler ran (False: duplicate, skipped, DLQ)."""
        try:
            event = decode(record, self.subscriptions)
        except PoisonMessage as exc:
            await self._dead_letter(record, producer, failure=str(exc), attempts=0)
            return False
        if event is None:
            return False
        handler = self.subscriptions[event.event_type].handler
        for attempt in range(1, self.max_attempts + 1):
            try:
                return await self._apply(event, handler)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if attempt == self.max_attempts:
                    log.error(
                        "event failed; dead-lettered",
                        consumer=self.name,
                        event_id=str(event.event_id),
                        event_type=event.event_type,
                        attempts=attempt,
                        error=repr(exc),
                    )
                    await self._dead_letter(record, producer, failure=repr(exc), attempts=attempt)
                    return False
                log.warning(
                    "event failed; retrying",
                    consumer=self.name,
                    event_id=str(event.event_id),
                    attempt=attempt,
                    error=repr(exc),
                )
                await asyncio.sleep(self.backoff_seconds * 2 ** (attempt - 1))
        return False

    async def _apply(self, event: IncomingEvent[Any], handler: Handler) -> bool:
        async with self.database.transaction() as session:
            inserted = await session.execute(
                insert(inbox_table)
                .values(
                    consumer=self.name,
                    event_id=event.event_id,
                    event_type=event.event_type,
                    processed_at=datetime.now(UTC),
                )
                .on_conflict_do_nothing()
                .returning(inbox_table.c.event_id)
            )
            if inserted.first() is None:
                return False
            await handler(session, event)
            return True

    async def _dead_letter(
        self, record: ConsumerRecord[bytes, bytes], producer: Any, *, failure: str, attempts: int
    ) -> None:
        headers = _headers(record)
        occurred = Timestamp()
        with contextlib.suppress(KeyError, ValueError):
            occurred.FromDatetime(datetime.fromisoformat(headers[HEADER_TIME]))
        envelope = Envelope(
            event_id=headers.get(HEADER_ID, ""),
            event_type=headers.get(HEADER_TYPE, ""),
            source=headers.get(HEADER_SOURCE, ""),
            occurred_at=occurred,
            aggregate_id=headers.get(HEADER_AGGREGATE, ""),
            payload=record.value or b"",
            failure=failure[:2000],
            attempts=attempts,
            consumer=self.name,
        )
        await producer.send_and_wait(
            record.topic + self.dead_letter_suffix,
            value=envelope.SerializeToString(),
            key=record.key,
            headers=list(record.headers or ()),
        )


def subscribe(
    message_type: type[M], handler: Callable[[AsyncSession, IncomingEvent[M]], Awaitable[None]]
) -> tuple[str, Subscription]:
    """A ``(type name, Subscription)`` pair for the ``subscriptions`` mapping."""
    return message_type.DESCRIPTOR.full_name, Subscription(message_type, handler)


__all__ = [
    "EventConsumer",
    "IncomingEvent",
    "PoisonMessage",
    "Subscription",
    "decode",
    "subscribe",
]
