"""Dead letters: how a consumer writes them, and how they go back to their original topic.

A dead letter is an :class:`Envelope` on ``<topic>.dlq``: the original payload, the event's
metadata, the failure, and the consumer that gave up; its Kafka key and headers are the
original record's.

Each service exposes this as ``python -m <service> replay-dlq``. A dead letter is republished
with its original key (so the same partition and order per aggregate), headers and event id;
the consumers deduplicate by event id through their inbox, so an event that was applied after
all, or that another consumer of the topic already has, changes nothing there.

What was replayed is remembered as the offsets of the consumer group ``<consumer>.dlq-replay``,
so running the command again sends only dead letters that arrived since. The command reads up
to the end the dead-letter topics had when it started and then stops.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from google.protobuf.message import DecodeError
from google.protobuf.timestamp_pb2 import Timestamp

from aos.events.v1.envelope_pb2 import Envelope
from servicekit.relay import (
    HEADER_AGGREGATE,
    HEADER_ID,
    HEADER_SOURCE,
    HEADER_TIME,
    HEADER_TYPE,
    PUBLISH_TIMEOUT_SECONDS,
    acknowledged,
    close_producer,
    new_producer,
)

__all__ = [
    "DEAD_LETTER_SUFFIX",
    "ReplayReport",
    "dead_letter_envelope",
    "record_headers",
    "replay_dead_letters",
    "replay_group",
    "topic_partitions",
]

DEAD_LETTER_SUFFIX = ".dlq"
FAILURE_MAX_CHARS = 2000


def record_headers(record: ConsumerRecord[bytes, bytes]) -> dict[str, str]:
    return {name: value.decode(errors="replace") for name, value in (record.headers or ())}


def dead_letter_envelope(
    record: ConsumerRecord[bytes, bytes], *, consumer: str, failure: str, attempts: int
) -> Envelope:
    """The dead letter of ``record``, which ``consumer`` gave up on after ``attempts``."""
    headers = record_headers(record)
    occurred = Timestamp()
    with contextlib.suppress(KeyError, ValueError):
        occurred.FromDatetime(datetime.fromisoformat(headers[HEADER_TIME]))
    return Envelope(
        event_id=headers.get(HEADER_ID, ""),
        event_type=headers.get(HEADER_TYPE, ""),
        source=headers.get(HEADER_SOURCE, ""),
        occurred_at=occurred,
        aggregate_id=headers.get(HEADER_AGGREGATE, ""),
        payload=record.value or b"",
        failure=failure[:FAILURE_MAX_CHARS],
        attempts=attempts,
        consumer=consumer,
    )


Progress = Callable[[str], None]


@dataclass
class ReplayReport:
    """What one run found: dead letters of this consumer, and how many went back."""

    consumer: str
    found: int = 0
    replayed: int = 0
    other_consumers: int = 0
    unreadable: int = 0


async def topic_partitions(bootstrap_servers: str, topics: Sequence[str]) -> list[TopicPartition]:
    """The partitions of those of ``topics`` that exist (asking creates none)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        # Only topics that exist are described: a metadata request naming a missing topic
        # makes a broker with auto.create.topics.enable create it (aiokafka asks so).
        existing = set(await admin.list_topics())
        present = [topic for topic in topics if topic in existing]
        described = await admin.describe_topics(present) if present else []
    finally:
        await admin.close()
    return [
        TopicPartition(topic["topic"], partition["partition"])
        for topic in described
        if topic["error_code"] == 0
        for partition in sorted(topic["partitions"], key=lambda p: int(p["partition"]))
    ]


def replay_group(consumer: str) -> str:
    """The consumer group whose offsets remember what was replayed for ``consumer``."""
    return f"{consumer}.dlq-replay"


async def replay_dead_letters(
    *,
    bootstrap_servers: str,
    consumer: str,
    topics: Sequence[str],
    dry_run: bool = False,
    dead_letter_suffix: str = DEAD_LETTER_SUFFIX,
    progress: Progress = print,
) -> ReplayReport:
    """Republish the dead letters of ``consumer`` (its full group name) from the dead-letter
    topics of ``topics``; with ``dry_run`` only list them and remember nothing.

    Raises aiokafka's KafkaError when the broker cannot be reached.
    """
    report = ReplayReport(consumer=consumer)
    reader = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=replay_group(consumer),
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = None if dry_run else new_producer(bootstrap_servers)
    try:
        partitions = await topic_partitions(
            bootstrap_servers, [name + dead_letter_suffix for name in topics]
        )
        await reader.start()
        if not partitions:
            progress(f"{consumer}: no dead-letter topic exists, nothing to replay")
            return report
        if producer is not None:
            await producer.start()
        reader.assign(partitions)
        ends: dict[TopicPartition, int] = await reader.end_offsets(partitions)
        for partition in partitions:
            await _replay_partition(
                reader,
                producer,
                partition,
                end=ends[partition],
                report=report,
                suffix=dead_letter_suffix,
                progress=progress,
            )
    finally:
        if producer is not None:
            await close_producer(producer)
        await reader.stop()
    verb = "would replay" if dry_run else "replayed"
    progress(
        f"{consumer}: {verb} {report.replayed} of {report.found} dead letter(s)"
        f"; {report.other_consumers} belong to other consumers"
        + (f"; {report.unreadable} unreadable" if report.unreadable else "")
        + ("; nothing was sent (--dry-run)" if dry_run else "")
    )
    return report


async def _replay_partition(
    reader: AIOKafkaConsumer,
    producer: AIOKafkaProducer | None,
    partition: TopicPartition,
    *,
    end: int,
    report: ReplayReport,
    suffix: str,
    progress: Progress,
) -> None:
    original_topic = partition.topic.removesuffix(suffix)
    while await reader.position(partition) < end:
        batch = await reader.getmany(partition, timeout_ms=1_000)
        for record in batch.get(partition, []):
            if record.offset >= end:
                return  # arrived after we started: left for the next run
            await _replay_record(record, producer, original_topic, report, progress)
            if producer is not None:
                # After the send was acknowledged: a crash before this line replays it again,
                # which the consumers' inbox absorbs.
                await reader.commit({partition: record.offset + 1})


async def _replay_record(
    record: ConsumerRecord[bytes, bytes],
    producer: AIOKafkaProducer | None,
    original_topic: str,
    report: ReplayReport,
    progress: Progress,
) -> None:
    place = f"{record.topic}[{record.partition}]@{record.offset}"
    try:
        envelope = Envelope.FromString(record.value or b"")
    except DecodeError:
        report.unreadable += 1
        progress(f"  skipped {place}: not a dead-letter envelope")
        return
    if envelope.consumer != report.consumer:
        report.other_consumers += 1
        return
    report.found += 1
    event_id = envelope.event_id or "(no event id)"
    progress(
        f"  {'replaying' if producer is not None else 'would replay'} {place}: "
        f"{envelope.event_type or '?'} {event_id} -> {original_topic} "
        f"(failed after {envelope.attempts} attempt(s): {envelope.failure[:200]})"
    )
    if producer is not None:
        sent = await producer.send(
            original_topic,
            value=envelope.payload,
            key=record.key,
            headers=list(record.headers or ()),
        )
        await acknowledged([sent], within=PUBLISH_TIMEOUT_SECONDS)
    report.replayed += 1
