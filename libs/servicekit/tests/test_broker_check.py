"""The idle relay's and consumer's broker check does not grow with the cluster.

Both ask the broker for a sign of life every ``broker_check_seconds``. Asking for the metadata
of every topic of the cluster, as they did, cost 100+ ms of decoding in the service's event loop
on a broker with a couple of thousand topics, and the garbage it left stalled the whole process
(every request, every event) for hundreds of ms at its next full collection: the ~1 s tail of
the event latency bench. The check asks for the brokers alone now.

What the clients ask is seen on aiokafka's connections, the wire boundary: every metadata
answer they receive may name only topics the client itself works with.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiokafka.conn
import pytest
from aiokafka.protocol.metadata import MetadataRequest
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncSession

from aos.events.v1.billing_pb2 import EntitlementGranted
from servicekit.consumer import EventConsumer, IncomingEvent, subscribe
from servicekit.db import Database
from servicekit.dlq import DEAD_LETTER_SUFFIX
from servicekit.relay import OutboxRelay, broker_answers, close_producer, new_producer

MIGRATIONS = Path(__file__).parent / "kit_migrations"
CHECKS_WATCHED = 3


@pytest.fixture
async def database(database_factory: Any) -> AsyncIterator[Database]:
    db = Database(await database_factory.create(MIGRATIONS), pool_size=2)
    yield db
    await db.dispose()


class MetadataAnswers:
    """The topics named in every metadata answer a client received, in order."""

    def __init__(self) -> None:
        self.topics: list[set[str]] = []

    def spy(self, send: Callable[..., Any]) -> Callable[..., Any]:
        answers = self

        def spying(connection: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            sent = send(connection, request, *args, **kwargs)
            if not isinstance(request, MetadataRequest):
                return sent

            async def answered() -> Any:
                response = await sent
                answers.topics.append({topic[1] for topic in response.topics})
                return response

            return answered()

        return spying


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> MetadataAnswers:
    spy = MetadataAnswers()
    connection = aiokafka.conn.AIOKafkaConnection
    monkeypatch.setattr(connection, "send", spy.spy(connection.send))
    return spy


async def another_topic(bootstrap: str, topic: str) -> None:
    """Make sure the cluster holds a topic that the clients under test have nothing to do with."""
    producer = new_producer(bootstrap)
    await producer.start()
    try:
        await (await producer.send(topic, b"x"))
    finally:
        await close_producer(producer)


def connected(service: str, role: str) -> float | None:
    for metric in REGISTRY.collect():
        if metric.name != "aos_kafka_connected":
            continue
        for sample in metric.samples:
            if sample.labels.get("service") == service and sample.labels.get("role") == role:
                return sample.value
    return None


async def ignore(_session: AsyncSession, _event: IncomingEvent[EntitlementGranted]) -> None:
    return None


async def test_broker_answers_from_the_brokers_alone(
    kafka_bootstrap_servers: str, topic_namespace: str, answers: MetadataAnswers
) -> None:
    other = topic_namespace + "elsewhere"
    await another_topic(kafka_bootstrap_servers, other)
    producer = new_producer(kafka_bootstrap_servers)
    await producer.start()
    try:
        everything = await producer.client.fetch_all_metadata()
        assert other in everything.topics()  # the cluster does hold it
        answers.topics.clear()
        await broker_answers(producer.client, within=10.0)
    finally:
        await close_producer(producer)
    assert answers.topics == [set()]


async def test_idle_relay_and_consumer_check_the_broker_without_the_clusters_topics(
    database: Database,
    kafka_bootstrap_servers: str,
    topic_namespace: str,
    answers: MetadataAnswers,
) -> None:
    other = topic_namespace + "elsewhere"
    await another_topic(kafka_bootstrap_servers, other)
    own = topic_namespace + "billing.v1"
    await another_topic(kafka_bootstrap_servers, own)
    answers.topics.clear()  # what setting the topics up asked
    service = topic_namespace + "kit"
    relay = OutboxRelay(
        database,
        bootstrap_servers=kafka_bootstrap_servers,
        service=service,
        poll_interval=0.05,
        broker_check_seconds=0.05,
    )
    consumer = EventConsumer(
        database,
        name=topic_namespace + "idle",
        topics=[own],
        bootstrap_servers=kafka_bootstrap_servers,
        subscriptions=dict([subscribe(EntitlementGranted, ignore)]),
        service=service,
        broker_check_seconds=0.05,
    )
    tasks = [asyncio.create_task(relay.run()), asyncio.create_task(consumer.run())]
    try:
        async with asyncio.timeout(60):
            # Both connected, then enough answers for several checks of each client (and their
            # few start-up requests).
            while not (
                connected(service, "relay") == 1
                and connected(service, "consumer") == 1
                and len(answers.topics) >= 4 * CHECKS_WATCHED
            ):
                await asyncio.sleep(0.05)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    named = set().union(*answers.topics)
    assert other not in named
    assert named <= {own, own + DEAD_LETTER_SUFFIX}
    assert sum(not topics for topics in answers.topics) >= 2 * CHECKS_WATCHED
