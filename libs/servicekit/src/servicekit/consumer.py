"""Idempotent event consumer: inbox deduplication, patient retries, dead-letter topic.

For every record the handler's effect and the ``(consumer, event_id)`` inbox row commit in one
transaction, so a redelivered event changes nothing. Offsets are committed to Kafka only after
that transaction, so a crash between the two means a redelivery, never a lost event.

Only an event that fails because of its own content goes to the dead-letter topic: a record
that cannot be decoded, or a handler raising :class:`BadEvent` (or the database refusing a value,
``DataError``). Any other failure, above all a database or network that is away, is retried
without limit: the partition is paused and sought back to the failed record, and resumed after
a capped exponential backoff, so nothing is lost and events of one key keep their order. The
consumer keeps polling meanwhile, so it stays in its group however long the outage lasts.

An error that is neither (a bug in a handler) is retried the same way, with one ERROR and its
traceback: the partition waits for the fix instead of letting later events overtake the one
that failed. ``aos_consumer_retries_total{reason="unexpected"}`` and
``aos_consumer_paused_partitions`` show it.

Order is kept per key (an aggregate), not per partition: the fetched partitions are handled side
by side, and within one the records of different keys too (at most ``concurrency`` events at
once), so that an event does not wait for the handlers of every key ahead of it in its
partition. A key stops at its first record to retry; the partition is sought back to the
earliest such record, and the records after it that other keys applied meanwhile come again
and are dropped by the inbox.

Each event handled here runs in a CONSUMER span whose parent is the ``traceparent`` header the
relay wrote, so the trace of the change that recorded the event goes on into this service; a
dead letter keeps the header, and a replay continues the same trace.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError
from google.protobuf.message import DecodeError, Message
from opentelemetry.trace import Span, Status, StatusCode
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DataError
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.db import Database
from servicekit.dlq import DEAD_LETTER_SUFFIX, dead_letter_envelope, record_headers
from servicekit.failures import is_infrastructure_error
from servicekit.logging import describe_error, get_logger
from servicekit.messaging_metrics import CONSUMER_LAG
from servicekit.metrics import (
    CONSUMER_DEAD_LETTERS,
    CONSUMER_PAUSED_PARTITIONS,
    CONSUMER_RETRIES,
    BrokerConnection,
)
from servicekit.outbox import inbox_table
from servicekit.relay import (
    HEADER_AGGREGATE,
    HEADER_ID,
    HEADER_SOURCE,
    HEADER_TIME,
    HEADER_TYPE,
    PUBLISH_TIMEOUT_SECONDS,
    acknowledged,
    broker_answers,
    close_producer,
    new_producer,
)
from servicekit.tracing import consumer_span, within_trace_of

BROKER_CHECK_TIMEOUT_SECONDS = 10.0
# How long a stopping consumer waits for its last offset commit.
COMMIT_GRACE_SECONDS = 2.0

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


class BadEvent(ValueError):
    """Raised by a handler for an event that breaks a rule of its contract (a window that ends
    before it starts, an id that is no UUID): retrying cannot help, so it is dead-lettered."""


@dataclass
class _Retry:
    """The record a paused partition waits to retry."""

    offset: int
    attempts: int = 0
    due: float = 0.0
    paused: bool = False


@dataclass(frozen=True)
class Subscription:
    message_type: type[Message]
    handler: Handler


def decode(
    record: ConsumerRecord[bytes, bytes], subscriptions: dict[str, Subscription]
) -> IncomingEvent[Any] | None:
    """The typed event of a record, None for a type nobody here handles.

    Raises PoisonMessage when the record breaks the envelope conventions.
    """
    headers = record_headers(record)
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
        service: str | None = None,
        backoff_seconds: float = 0.2,
        max_backoff_seconds: float = 10.0,
        broker_check_seconds: float = 5.0,
        dead_letter_suffix: str = DEAD_LETTER_SUFFIX,
        concurrency: int = 4,
    ) -> None:
        self.database = database
        self.name = name
        self.topics = topics
        self.bootstrap_servers = bootstrap_servers
        self.subscriptions = subscriptions
        self.service = service or name
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.broker_check_seconds = broker_check_seconds
        self.dead_letter_suffix = dead_letter_suffix
        # Bound here, not at import: the logger writes where logging was configured last.
        self._log = get_logger(__name__).bind(consumer=name)
        self.broker = BrokerConnection(
            self._log, service=self.service, role="consumer", client=name
        )
        self._paused_gauge = CONSUMER_PAUSED_PARTITIONS.labels(service=self.service, consumer=name)
        self._retrying: dict[TopicPartition, _Retry] = {}
        # Events applied at once, over all partitions: each holds a pooled database connection
        # for its transaction, and the pool also serves the service's requests.
        self._slots = asyncio.Semaphore(concurrency)
        self._lag_partitions: set[TopicPartition] = set()

    async def run(self) -> None:
        """Consume until cancelled; reconnects with backoff when the broker is away."""
        delay = 0.5
        while True:
            try:
                await self._consume()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self.broker.connected:
                    delay = 0.5  # it was working a moment ago: try again promptly
                if isinstance(exc, KafkaError) or is_infrastructure_error(exc):
                    self.broker.down(exc)
                else:
                    self._log.error("consumer loop failed; restarting it", exc_info=exc)
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
        self._retrying.clear()
        committing: asyncio.Task[None] | None = None
        try:
            await consumer.start()
            await producer.start()
            self.broker.up()
            loop = asyncio.get_running_loop()
            next_check = loop.time() + self.broker_check_seconds
            while True:
                if committing is not None and committing.done():
                    committing.result()  # a failed commit restarts the consumer, as ever
                    committing = None
                self._resume_due(consumer, loop.time())
                batches = await consumer.getmany(
                    timeout_ms=self._poll_timeout_ms(loop.time()), max_records=100
                )
                # Partitions side by side, each in its own order: the order that matters is per
                # key, and a key lives in one partition.
                handled = await asyncio.gather(
                    *(
                        self._handle_partition(consumer, producer, partition, records)
                        for partition, records in batches.items()
                    )
                )
                # One commit for the whole batch, only after the effects committed: a crash
                # before it means redeliveries, which the inbox turns into no-ops.
                offsets = {
                    tp: offset
                    for tp, offset in zip(batches, handled, strict=True)
                    if offset is not None
                }
                if offsets:
                    # In the background: the next batch is fetched and applied meanwhile
                    # instead of waiting for the coordinator's answer. One commit at a time,
                    # so that a partition's committed offset only goes forward.
                    if committing is not None:
                        await committing
                    committing = asyncio.create_task(consumer.commit(offsets))
                await self._record_lag(consumer)
                if batches:
                    # Records just came: the broker answers. The metadata check is for a
                    # consumer with nothing to read, and would hold up one with events waiting.
                    self.broker.up()
                    next_check = loop.time() + self.broker_check_seconds
                elif loop.time() >= next_check:
                    await self._check_broker(producer)
                    next_check = loop.time() + self.broker_check_seconds
        finally:
            if committing is not None:
                await self._finish_commit(committing)
            self._retrying.clear()
            self._paused_gauge.set(0)
            await close_producer(producer)
            with contextlib.suppress(Exception):
                await consumer.stop()

    async def _finish_commit(self, committing: asyncio.Task[None]) -> None:
        """Give the last offset commit a moment to land when the consumer stops. Given up, it
        only means redeliveries, which the inbox turns into no-ops."""
        await asyncio.wait([committing], timeout=COMMIT_GRACE_SECONDS)
        if not committing.done():
            committing.cancel()
            await asyncio.wait([committing])
        error = None if committing.cancelled() else committing.exception()
        if error is not None:
            self._log.debug("last offset commit failed", error=describe_error(error))

    async def _handle_partition(
        self,
        consumer: AIOKafkaConsumer,
        producer: Any,
        partition: TopicPartition,
        records: list[ConsumerRecord[bytes, bytes]],
    ) -> int | None:
        """Process ``records`` of one partition: keys side by side, each key's records in order.

        The order that matters is per key (an aggregate), and the records of many keys share a
        partition: one at a time, every event of a partition would wait for the handlers of all
        the keys before it, which under load is most of an event's latency. A key stops at its
        first record that must be retried, and its later records wait for it; other keys go on.

        Returns the offset to commit, None when nothing may be: just after the last record when
        all were applied, else the first record that failed, where the partition is sought back
        to. Records after it that were applied are delivered again then, and the inbox makes
        those deliveries no-ops.
        """
        chains: dict[bytes | None, list[ConsumerRecord[bytes, bytes]]] = {}
        for record in records:
            chains.setdefault(record.key, []).append(record)
        failures: list[tuple[ConsumerRecord[bytes, bytes], Exception]] = []

        async def apply_in_order(chain: list[ConsumerRecord[bytes, bytes]]) -> None:
            for record in chain:
                try:
                    async with self._slots:
                        await self.process(record, producer)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    failures.append((record, exc))
                    return
                self._retried(partition, record)

        await asyncio.gather(*(apply_in_order(chain) for chain in chains.values()))
        if not failures:
            return int(records[-1].offset) + 1
        record, error = min(failures, key=lambda failure: int(failure[0].offset))
        self._schedule_retry(consumer, partition, record, error)
        return int(record.offset) if record.offset > records[0].offset else None

    def _retried(self, partition: TopicPartition, record: ConsumerRecord[bytes, bytes]) -> None:
        """``record`` was applied: if the partition was waiting to retry it, that is over."""
        retry = self._retrying.get(partition)
        if retry is None or retry.offset != record.offset:
            return
        del self._retrying[partition]
        self._log.info(
            "event applied after retries",
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            failed_attempts=retry.attempts,
        )

    async def _record_lag(self, consumer: AIOKafkaConsumer) -> None:
        """Set ``aos_consumer_lag`` of every partition assigned here; a partition that went to
        another consumer reads 0 here (its new owner reports it)."""
        assigned = consumer.assignment()
        for partition in self._lag_partitions - assigned:
            self._lag_gauge(partition).set(0)
        self._lag_partitions = set(assigned)
        for partition in assigned:
            high = consumer.highwater(partition)
            if high is None:  # nothing fetched from it yet
                continue
            # A fetched partition has a position: this returns at once (the timeout is a guard).
            with contextlib.suppress(KafkaError, TimeoutError):
                async with asyncio.timeout(1.0):
                    position = await consumer.position(partition)
                self._lag_gauge(partition).set(max(high - position, 0))

    def _lag_gauge(self, partition: TopicPartition) -> Any:
        return CONSUMER_LAG.labels(
            service=self.service,
            consumer=self.name,
            topic=partition.topic,
            partition=str(partition.partition),
        )

    def _schedule_retry(
        self,
        consumer: AIOKafkaConsumer,
        partition: TopicPartition,
        record: ConsumerRecord[bytes, bytes],
        error: Exception,
    ) -> None:
        """Pause the partition at ``record`` and resume it after a capped, growing delay."""
        retry = self._retrying.get(partition)
        if retry is None or retry.offset != record.offset:
            retry = self._retrying[partition] = _Retry(offset=record.offset)
        retry.attempts += 1
        delay = min(self.backoff_seconds * 2 ** (retry.attempts - 1), self.max_backoff_seconds)
        retry.due = asyncio.get_running_loop().time() + delay
        retry.paused = True
        infrastructure = is_infrastructure_error(error)
        CONSUMER_RETRIES.labels(
            service=self.service,
            consumer=self.name,
            reason="infrastructure" if infrastructure else "unexpected",
        ).inc()
        context = {
            "topic": record.topic,
            "partition": record.partition,
            "offset": record.offset,
            "attempt": retry.attempts,
            "retry_in_s": round(delay, 2),
            "error": describe_error(error),
        }
        # In the event's trace, so that the failure is found from the trace and vice versa.
        with within_trace_of(record.headers):
            if retry.attempts > 1:
                self._log.debug("event failed again; partition stays paused", **context)
            elif infrastructure:
                self._log.warning(
                    "event failed, infrastructure away; pausing the partition", **context
                )
            else:
                self._log.error(
                    "event failed unexpectedly; pausing the partition", exc_info=error, **context
                )
        # A partition revoked meanwhile needs nothing: its next owner starts at this record.
        if partition in consumer.assignment():
            consumer.seek(partition, record.offset)
            consumer.pause(partition)
        self._paused_gauge.set(sum(retry.paused for retry in self._retrying.values()))

    def _resume_due(self, consumer: AIOKafkaConsumer, now: float) -> None:
        assigned = consumer.assignment()
        paused = consumer.paused()
        for partition, retry in list(self._retrying.items()):
            if partition not in assigned:
                # Revoked in a rebalance: its next owner starts at the uncommitted record.
                del self._retrying[partition]
            elif retry.paused and (retry.due <= now or partition not in paused):
                retry.paused = False
                if partition in paused:
                    consumer.resume(partition)
        self._paused_gauge.set(sum(retry.paused for retry in self._retrying.values()))

    def _poll_timeout_ms(self, now: float) -> int:
        """Poll at most a second, and no longer than until the next paused partition is due."""
        waits = [retry.due - now for retry in self._retrying.values() if retry.paused]
        return max(int(min([1.0, *waits]) * 1000), 0)

    async def _check_broker(self, producer: AIOKafkaProducer) -> None:
        """Ask the broker for a sign of life: an idle consumer otherwise cannot tell it is away.

        Through the dead-letter producer, which reaches the same cluster: the consumer has no
        public client to send a request of our choosing (see relay.broker_answers).
        """
        try:
            await broker_answers(producer.client, within=BROKER_CHECK_TIMEOUT_SECONDS)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.broker.down(exc)
        else:
            self.broker.up()

    async def process(self, record: ConsumerRecord[bytes, bytes], producer: Any) -> bool:
        """Apply one record; True when a handler ran (False: duplicate, not ours, dead-lettered).

        An event that fails on its own content is dead-lettered here; any other failure is
        raised for the caller to retry, and nothing of the attempt is kept.
        """
        try:
            event = decode(record, self.subscriptions)
        except PoisonMessage as exc:
            with self._span(record) as span:
                span.set_status(Status(StatusCode.ERROR, str(exc)))
                await self._dead_letter(record, producer, failure=str(exc), attempts=0)
            return False
        if event is None:
            return False  # no span: every consumer of a topic sees the types it ignores
        handler = self.subscriptions[event.event_type].handler
        with self._span(record, event=event) as span:
            try:
                return await self._apply(event, handler)
            except (BadEvent, DataError) as exc:
                span.record_exception(exc)
                span.set_status(Status(StatusCode.ERROR, describe_error(exc)))
                await self._dead_letter(record, producer, failure=describe_error(exc), attempts=1)
                return False

    def _span(
        self, record: ConsumerRecord[bytes, bytes], *, event: IncomingEvent[Any] | None = None
    ) -> AbstractContextManager[Span]:
        """The CONSUMER span of one record, continuing the trace its headers carry: the
        handler's database work and the events it records belong to the producer's trace."""
        attributes: dict[str, Any] = {
            "messaging.destination.partition.id": str(record.partition),
            "messaging.kafka.offset": record.offset,
        }
        if event is not None:
            attributes["messaging.message.id"] = str(event.event_id)
            attributes["aos.event_type"] = event.event_type
        return consumer_span(
            record.topic, headers=record.headers, group=self.name, attributes=attributes
        )

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
        envelope = dead_letter_envelope(
            record, consumer=self.name, failure=failure, attempts=attempts
        )
        sent = await producer.send(
            record.topic + self.dead_letter_suffix,
            value=envelope.SerializeToString(),
            key=record.key,
            headers=list(record.headers or ()),
        )
        await acknowledged([sent], within=PUBLISH_TIMEOUT_SECONDS)
        CONSUMER_DEAD_LETTERS.labels(service=self.service, consumer=self.name).inc()
        self._log.error(
            "event dead-lettered: its content cannot be processed",
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            event_id=envelope.event_id,
            event_type=envelope.event_type,
            failure=envelope.failure,
        )


def subscribe(
    message_type: type[M], handler: Callable[[AsyncSession, IncomingEvent[M]], Awaitable[None]]
) -> tuple[str, Subscription]:
    """A ``(type name, Subscription)`` pair for the ``subscriptions`` mapping."""
    return message_type.DESCRIPTOR.full_name, Subscription(message_type, handler)


__all__ = [
    "BadEvent",
    "EventConsumer",
    "IncomingEvent",
    "PoisonMessage",
    "Subscription",
    "decode",
    "subscribe",
]
