"""Tests leave no Kafka topics behind: a test's topic namespace is deleted at its teardown.

Real broker. The fixture itself is proved by an inner pytest run (pytester, in a subprocess)
whose test produces into its namespace; once that run is over, the namespace has no topics.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import textwrap
import uuid

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from servicekit.dlq import topic_partitions
from servicekit.testing import (
    cleaned_topic_namespace,
    delete_namespace_topics,
    delete_namespace_topics_after,
    topic_size,
)

pytest_plugins = ["pytester"]


async def _topics(bootstrap_servers: str, prefix: str) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        return sorted(name for name in await admin.list_topics() if name.startswith(prefix))
    finally:
        await admin.close()


async def _topics_once_settled(bootstrap_servers: str, prefix: str, *, gone: bool) -> list[str]:
    """The topics named ``prefix``*, asked until they are all gone (``gone``) or some exist:
    the broker's metadata follows a deletion or creation a moment after it is acknowledged."""
    topics = await _topics(bootstrap_servers, prefix)
    for _ in range(30):
        if (not topics) == gone:
            break
        await asyncio.sleep(0.1)
        topics = await _topics(bootstrap_servers, prefix)
    return topics


async def _produce(bootstrap_servers: str, *topics: str) -> None:
    """Produce one record to each topic (the broker auto-creates them, as for the relay)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers)
    await producer.start()
    try:
        for topic in topics:
            await producer.send_and_wait(topic, b"x")
    finally:
        await producer.stop()


async def test_the_namespaces_topics_are_deleted_on_exit_and_no_other(
    kafka_bootstrap_servers: str,
) -> None:
    other = f"u{uuid.uuid4().hex[:10]}.kept"
    async with cleaned_topic_namespace(kafka_bootstrap_servers) as namespace:
        await _produce(
            kafka_bootstrap_servers, namespace + "billing.v1", namespace + "billing.v1.dlq", other
        )
        made = await _topics_once_settled(kafka_bootstrap_servers, namespace, gone=False)
        assert made == [namespace + "billing.v1", namespace + "billing.v1.dlq"]

    try:
        assert await _topics_once_settled(kafka_bootstrap_servers, namespace, gone=True) == []
        assert await _topics(kafka_bootstrap_servers, other) == [other]
    finally:
        await delete_namespace_topics(kafka_bootstrap_servers, other)


async def test_asking_for_a_missing_topics_partitions_or_size_creates_no_topic(
    kafka_bootstrap_servers: str, topic_namespace: str
) -> None:
    # The broker auto-creates topics, and a metadata request naming one creates it a moment
    # later: after its teardown had looked, a test's ".dlq" topic was left behind.
    missing = topic_namespace + "billing.v1.dlq"

    assert await topic_partitions(kafka_bootstrap_servers, [missing]) == []
    assert await topic_size(kafka_bootstrap_servers, missing) == 0

    # Given the time a creation takes, none appears.
    assert await _topics_once_settled(kafka_bootstrap_servers, topic_namespace, gone=False) == []


async def test_a_synchronous_fixture_deletes_the_namespace_its_processes_used(
    kafka_bootstrap_servers: str,
) -> None:
    namespace = f"e2e{uuid.uuid4().hex[:8]}."
    await _produce(kafka_bootstrap_servers, namespace + "identity.v1")
    assert await _topics_once_settled(kafka_bootstrap_servers, namespace, gone=False)

    # As a synchronous fixture's teardown calls it (here from a thread: this test is async).
    await asyncio.to_thread(delete_namespace_topics_after, kafka_bootstrap_servers, namespace)

    assert await _topics_once_settled(kafka_bootstrap_servers, namespace, gone=True) == []


async def test_a_namespace_without_topics_is_nothing_to_delete(
    kafka_bootstrap_servers: str,
) -> None:
    assert await delete_namespace_topics(kafka_bootstrap_servers, f"t{uuid.uuid4().hex}.") == []


async def test_an_empty_namespace_is_refused_it_would_name_every_topic(
    kafka_bootstrap_servers: str,
) -> None:
    with pytest.raises(ValueError, match="every topic"):
        await delete_namespace_topics(kafka_bootstrap_servers, "")


async def test_a_broker_that_cannot_be_reached_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as probe:  # a port nobody listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with caplog.at_level(logging.WARNING, logger="servicekit.testing"):
        async with cleaned_topic_namespace(f"127.0.0.1:{port}", wait_seconds=2) as namespace:
            pass

    warnings = [r.getMessage() for r in caplog.records if r.name == "servicekit.testing"]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"could not delete the test's Kafka topics {namespace}*: ")


_INNER_TEST = """
    import pathlib

    from aiokafka import AIOKafkaProducer


    async def test_produces_into_its_namespace(topic_namespace, kafka_bootstrap_servers):
        pathlib.Path("namespace.txt").write_text(topic_namespace)
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap_servers)
        await producer.start()
        try:
            await producer.send_and_wait(topic_namespace + "kit.v1", b"x")
        finally:
            await producer.stop()
"""


async def test_the_topic_namespace_fixture_deletes_its_topics_at_teardown(
    pytester: pytest.Pytester,
    stack_env: dict[str, str],
    kafka_bootstrap_servers: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in stack_env.items():  # the inner run starts in a folder of its own
        monkeypatch.setenv(key, value)
    pytester.makepyfile(test_inner=textwrap.dedent(_INNER_TEST))

    result = await asyncio.to_thread(
        pytester.runpytest_subprocess,
        *("-p", "servicekit.testing", "-p", "no:cacheprovider"),
        *("-o", "asyncio_mode=auto", "-o", "asyncio_default_fixture_loop_scope=session"),
        *("-o", "asyncio_default_test_loop_scope=session"),
    )

    result.assert_outcomes(passed=1)
    namespace = (pytester.path / "namespace.txt").read_text()
    assert namespace.startswith("t") and namespace.endswith(".")
    assert await _topics_once_settled(kafka_bootstrap_servers, namespace, gone=True) == []
