"""Publishes committed outbox rows to Kafka with an idempotent producer.

Every replica of a service runs a relay, and one of them publishes: the holder of the service's
advisory lock (:mod:`servicekit.relay_lock`); the others try again every ``lock_retry_seconds``
and one takes over when the holder's connection ends. So rows go out in id order, and events of
one key keep their order, whatever the number of replicas. Rows are claimed with ``FOR UPDATE``
(not ``SKIP LOCKED``): during a takeover the new holder waits for a batch the old one still has
in flight rather than overtake it. A row is marked published only after the broker acknowledged
it; if the broker is away the rows stay and are sent when it is back (at-least-once; consumers
deduplicate).

The active relay wakes as soon as an event is committed: in its own process through
``Database.outbox_signal``, from any replica through a PostgreSQL notification
(:data:`servicekit.relay_lock.OUTBOX_CHANNEL`); it polls every ``poll_interval`` too, in case a
notification was lost (a reconnect).

While idle the relay asks the broker for metadata every ``broker_check_seconds``, so
``aos_kafka_connected{role="relay"}`` tells the truth even when nothing is being published.

Each row is published in a PRODUCER span whose parent is the trace context stored on the row
(the transaction that recorded the event); the span's own context goes into the record's
``traceparent`` header, where the consumer continues it (servicekit.tracing).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.client import AIOKafkaClient
from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError
from aiokafka.protocol.metadata import MetadataRequest
from opentelemetry.trace import Span, Status, StatusCode
from sqlalchemy import Row, func, select, update

from servicekit.db import Database
from servicekit.failures import is_infrastructure_error
from servicekit.logging import describe_error, get_logger
from servicekit.messaging_metrics import OUTBOX_PUBLISHED, RELAY_ACTIVE
from servicekit.metrics import BrokerConnection
from servicekit.outbox import outbox_table
from servicekit.relay_lock import LeadershipLost, RelayLock, begin_batch_sql
from servicekit.tracing import start_producer_span

HEADER_ID = "ce_id"
HEADER_TYPE = "ce_type"
HEADER_SOURCE = "ce_source"
HEADER_TIME = "ce_time"
HEADER_AGGREGATE = "ce_aggregateid"

BROKER_CHECK_TIMEOUT_SECONDS = 10.0
# How long a publish may wait for the broker's acknowledgement before the relay counts the
# broker as away and tries again; a little more than the producer's request timeout.
PUBLISH_TIMEOUT_SECONDS = 15.0
# How long closing a producer waits for what it still holds before giving it up.
CLOSE_TIMEOUT_SECONDS = 5.0


def new_producer(bootstrap_servers: str, **overrides: Any) -> AIOKafkaProducer:
    """An idempotent producer: acks from all replicas, no duplicates from its own retries."""
    options: dict[str, Any] = {
        "bootstrap_servers": bootstrap_servers,
        "enable_idempotence": True,
        "acks": "all",
        "linger_ms": 2,
        "request_timeout_ms": 10_000,
        **overrides,
    }
    return AIOKafkaProducer(**options)


async def broker_answers(client: AIOKafkaClient, *, within: float) -> None:
    """One round trip to a broker of the cluster; raises a KafkaError when none answers.

    It asks for the metadata of no topic: the brokers alone. Asking for every topic (what
    ``fetch_all_metadata`` and ``AIOKafkaConsumer.topics()`` do) costs as much as the cluster
    is large: with a couple of thousand topics, 100+ ms of decoding in the event loop and
    thousands of objects whose collection then stalls the whole process for hundreds of ms.
    A check that runs every few seconds in every client must not grow with the cluster.
    """
    node = client.get_random_node()
    if node is None:
        raise KafkaConnectionError("no broker of the cluster is known")
    try:
        async with asyncio.timeout(within):
            await client.send(node, MetadataRequest([]))
    except TimeoutError as exc:
        raise KafkaTimeoutError("the broker did not answer a metadata request") from exc


async def acknowledged(futures: list[asyncio.Future[Any]], *, within: float) -> None:
    """Wait for the broker to acknowledge every send in ``futures``, at most ``within`` s.

    An idempotent aiokafka producer never expires a batch: while the broker is away, awaiting a
    send waits for as long as the outage lasts. Raises KafkaTimeoutError instead, so the
    caller reports the broker lost and retries (what was sent stays in its outbox or record).
    """
    if not futures:
        return
    # asyncio.wait, not a timeout around gather: the futures are aiokafka's, left uncancelled.
    _, pending = await asyncio.wait(futures, timeout=within)
    if pending:
        raise KafkaTimeoutError(
            f"the broker did not acknowledge {len(pending)} message(s) within {within:g} s"
        )
    for future in futures:
        future.result()  # the first send the broker refused raises here


async def close_producer(
    producer: AIOKafkaProducer, *, grace: float = CLOSE_TIMEOUT_SECONDS
) -> None:
    """Stop ``producer``; what it cannot deliver within ``grace`` s is given up.

    ``AIOKafkaProducer.stop()`` first flushes, and an idempotent producer's batches never expire,
    so during a broker outage it waits until the broker is back (aio-libs/aiokafka#1101): a
    service could not shut down, nor a relay start a fresh producer. aiokafka has no public way
    to give up pending batches, so after ``grace`` we fail them through its accumulator's
    ``fail_all``, the call its own error path uses. Nothing is lost by that: every message we
    send is still in an outbox row or a consumer's uncommitted record and is sent again.
    """
    try:
        async with asyncio.timeout(grace):
            await producer.flush()
    except TimeoutError:
        producer._message_accumulator.fail_all(
            KafkaTimeoutError(f"given up after {grace:g} s: the producer is closing")
        )
    with contextlib.suppress(Exception):
        await producer.stop()


def _envelope_headers(row: Row[Any]) -> list[tuple[str, bytes]]:
    return [
        (HEADER_ID, str(row.event_id).encode()),
        (HEADER_TYPE, row.event_type.encode()),
        (HEADER_SOURCE, row.source.encode()),
        (HEADER_TIME, row.occurred_at.astimezone(UTC).isoformat().encode()),
        (HEADER_AGGREGATE, row.aggregate_id.encode()),
    ]


def _publish_span(topic: str, row: Row[Any]) -> tuple[Span, list[tuple[str, bytes]]]:
    """The PRODUCER span of one row, child of the trace that recorded the event, and the
    ``traceparent`` (and ``tracestate``) headers that carry it to the consumers."""
    return start_producer_span(
        topic,
        stored=row.trace_context,
        attributes={
            "messaging.message.id": str(row.event_id),
            "messaging.kafka.message.key": row.aggregate_id,
            "aos.event_type": row.event_type,
        },
    )


class OutboxRelay:
    """Moves outbox rows to Kafka until cancelled."""

    def __init__(
        self,
        database: Database,
        *,
        bootstrap_servers: str,
        service: str = "service",
        batch_size: int = 200,
        poll_interval: float = 1.0,
        max_backoff: float = 5.0,
        broker_check_seconds: float = 5.0,
        publish_timeout: float = PUBLISH_TIMEOUT_SECONDS,
        topic_namespace: str = "",
        lock_retry_seconds: float = 1.0,
    ) -> None:
        self.database = database
        # Outbox rows hold logical topic names; this deployment's prefix is added on publish.
        self.topic_namespace = topic_namespace
        self.bootstrap_servers = bootstrap_servers
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.max_backoff = max_backoff
        self.broker_check_seconds = broker_check_seconds
        self.publish_timeout = publish_timeout
        self.lock_retry_seconds = lock_retry_seconds
        self._producer: AIOKafkaProducer | None = None
        self._lock = RelayLock(database.dsn, service=service, on_notify=database.outbox_signal.set)
        self._active = False
        # Bound here, not at import: the logger writes where logging was configured last.
        self._log = get_logger(__name__)
        self.broker = BrokerConnection(self._log, service=service, role="relay", client="outbox")
        self._active_gauge = RELAY_ACTIVE.labels(service=service)
        self._active_gauge.set(0)
        self._published_counter = OUTBOX_PUBLISHED.labels(service=service)
        self._database_down = False
        # Said once per wait, not at every try of the lock.
        self._announced_waiting = False
        self._retry_lock_at = 0.0
        # Rows this relay published (acknowledged and marked), over its lifetime.
        self.published = 0

    async def run(self) -> None:
        """Publish forever while this relay holds the lock; wait for it otherwise.

        The active relay wakes on a commit (in this process or any replica) or every
        ``poll_interval``; a waiting one tries the lock every ``lock_retry_seconds``.
        """
        backoff = 0.2
        loop = asyncio.get_running_loop()
        next_check = loop.time()
        try:
            while True:
                wait = self.poll_interval
                try:
                    if await self._lead():
                        # Cleared before looking, so a commit seen meanwhile wakes the next wait.
                        self.database.outbox_signal.clear()
                        published = await self.publish_batch()
                        while published == self.batch_size:
                            published = await self.publish_batch()
                        if published:
                            self.broker.up()
                            next_check = loop.time() + self.broker_check_seconds
                        elif loop.time() >= next_check:
                            await self._lock.check()
                            await self._check_broker()
                            next_check = loop.time() + self.broker_check_seconds
                    else:
                        wait = self.lock_retry_seconds
                        # A waiting relay has nothing to send, but its aos_kafka_connected
                        # still tells whether this replica reaches the broker.
                        if loop.time() >= next_check:
                            await self._check_broker()
                            next_check = loop.time() + self.broker_check_seconds
                    backoff = 0.2
                    if self._database_down:
                        self._database_down = False
                        self._log.info("outbox relay reaches its database again")
                except asyncio.CancelledError:
                    raise
                except LeadershipLost as exc:
                    # Not one more batch from here: another replica may be publishing already.
                    self._lock.abandon()
                    self._step_down(str(exc))
                    continue
                except Exception as exc:
                    self._failed(exc, retry_in_s=backoff)
                    await self._drop_producer()
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, self.max_backoff)
                    next_check = loop.time()
                    continue
                signal = self.database.outbox_signal
                # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation
                # that arrives just as the awaited event completes.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait):
                        if self._active:
                            await signal.wait()
                        else:
                            await asyncio.sleep(wait)
        finally:
            await self.close()

    async def close(self) -> None:
        """Stop publishing: the producer is closed and the lock let go."""
        try:
            await self._drop_producer()
        finally:
            self._lock.abandon()
            self._active = False
            self._active_gauge.set(0)

    async def _lead(self) -> bool:
        """True while this relay holds the lock (taking it when it is free)."""
        if self._lock.held:
            return True
        if self._active:
            # The connection closed under us (asyncpg told us): the lock went with it.
            self._step_down("the lock connection closed")
        if asyncio.get_running_loop().time() < self._retry_lock_at:
            return False
        if not await self._lock.try_acquire():
            if not self._announced_waiting:
                self._log.info("outbox relay waiting: another replica's relay publishes")
                self._announced_waiting = True
            return False
        self._active = True
        self._active_gauge.set(1)
        self._announced_waiting = False
        self._log.info("outbox relay active: this replica publishes the outbox")
        return True

    def _step_down(self, reason: str) -> None:
        if self._active:
            self._log.warning("outbox relay lost its lock; it stops publishing", reason=reason)
        self._active = False
        self._active_gauge.set(0)
        # A replica whose lock connection was ended is likely the one in trouble: it leaves
        # the lock to the others for a while rather than race them for it.
        self._retry_lock_at = asyncio.get_running_loop().time() + self.lock_retry_seconds

    def _failed(self, error: Exception, *, retry_in_s: float) -> None:
        if isinstance(error, KafkaError):
            self.broker.down(error)  # logs once per outage, not once per retry
        elif is_infrastructure_error(error):
            # Once per outage, like the broker: the retries in between say nothing new.
            level = "debug" if self._database_down else "warning"
            self._database_down = True
            getattr(self._log, level)(
                "outbox relay cannot reach its database; will retry",
                error=describe_error(error),
                retry_in_s=retry_in_s,
            )
        else:
            self._log.error(
                "outbox relay failed; will retry", exc_info=error, retry_in_s=retry_in_s
            )

    async def _check_broker(self) -> None:
        """Ask the broker for metadata; raises when it does not answer."""
        producer = await self._ensure_producer()
        await broker_answers(producer.client, within=BROKER_CHECK_TIMEOUT_SECONDS)
        self.broker.up()

    async def publish_batch(self) -> int:
        """Publish up to ``batch_size`` unpublished rows in id order; returns how many.

        Publishes nothing (0) while another replica's relay holds the lock. Raises
        LeadershipLost when the lock went away without this relay noticing before.
        """
        if not await self._lead():
            return 0
        pid = self._lock.backend_pid
        class_key, service_key = self._lock.key
        async with self.database.transaction() as session:
            fence = {"pid": pid, "class_key": class_key, "service_key": service_key}
            if not (await session.execute(begin_batch_sql(), fence)).scalar_one():
                raise LeadershipLost("the relay's lock is no longer held by its connection")
            # Claimed and marked in one statement: the mark commits only with the transaction,
            # after the broker acknowledged every row (a failure rolls it back), and the batch
            # saves a round trip to the database after the acknowledgement.
            claimable = (
                select(outbox_table.c.id)
                .where(outbox_table.c.published_at.is_(None))
                .order_by(outbox_table.c.id)
                .limit(self.batch_size)
                .with_for_update()
            )
            claimed = await session.execute(
                update(outbox_table)
                .where(outbox_table.c.id.in_(claimable.scalar_subquery()))
                .values(published_at=func.now())
                .returning(*outbox_table.c)
            )
            # RETURNING keeps no order: the rows go out in id order.
            rows = sorted(claimed.all(), key=lambda row: int(row.id))
            if not rows:
                return 0
            producer = await self._ensure_producer()
            spans: list[Span] = []
            try:
                futures = []
                for row in rows:
                    topic = self.topic_namespace + row.topic
                    span, trace_headers = _publish_span(topic, row)
                    spans.append(span)
                    futures.append(
                        await producer.send(
                            topic,
                            value=row.payload,
                            key=row.aggregate_id.encode(),
                            headers=[*_envelope_headers(row), *trace_headers],
                        )
                    )
                await acknowledged(futures, within=self.publish_timeout)
            except BaseException as exc:
                for span in spans:
                    span.record_exception(exc)
                    span.set_status(Status(StatusCode.ERROR, describe_error(exc)))
                raise
            finally:
                for span in spans:
                    span.end()
        self.published += len(rows)
        self._published_counter.inc(len(rows))
        return len(rows)

    async def _ensure_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = new_producer(self.bootstrap_servers)
            try:
                await producer.start()
            except BaseException:
                await close_producer(producer)
                raise
            self._producer = producer
        return self._producer

    async def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await close_producer(producer)
