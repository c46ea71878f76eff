"""Transactional outbox and inbox tables, and recording an event in the current transaction.

The tables are SQLAlchemy Core objects on a MetaData of their own: every service database has
them (created by :func:`servicekit.migrations.create_messaging_tables` in the service's first
migration), while the services' own models stay in their own metadata.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from google.protobuf.message import Message
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.db import OUTBOX_WRITTEN, new_metadata
from servicekit.relay_lock import OUTBOX_CHANNEL
from servicekit.tracing import current_carrier

messaging_metadata = new_metadata()

outbox_table = Table(
    "outbox",
    messaging_metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("topic", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("aggregate_id", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("published_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text),
    # The W3C trace context (traceparent, tracestate) of the transaction that recorded the
    # event; the relay's publish span continues it (servicekit.tracing).
    Column("trace_context", JSONB(none_as_null=True)),
    Index("ix_outbox_unpublished", "id", postgresql_where=text("published_at IS NULL")),
)

inbox_table = Table(
    "inbox",
    messaging_metadata,
    Column("consumer", Text, nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
)


@dataclass(frozen=True)
class OutboxWriter:
    """The one writer of a service's outgoing events, bound to its topic and source.

    A service defines it once (``OUTBOX = OutboxWriter(topic="billing.v1", source="billing")``)
    and its ``record_*`` functions write through it, so no route or service passes a topic
    down. The topic is the logical name; the relay adds the deployment's namespace.
    """

    topic: str
    source: str

    async def record(
        self,
        session: AsyncSession,
        message: Message,
        *,
        aggregate_id: str,
        occurred_at: datetime | None = None,
    ) -> RecordedEvent:
        """Write ``message`` to the outbox in the caller's transaction (see record_event)."""
        return await record_event(
            session,
            message,
            topic=self.topic,
            aggregate_id=aggregate_id,
            source=self.source,
            occurred_at=occurred_at,
        )


@dataclass(frozen=True)
class RecordedEvent:
    event_id: uuid.UUID
    event_type: str
    occurred_at: datetime


async def record_event(
    session: AsyncSession,
    message: Message,
    *,
    topic: str,
    aggregate_id: str,
    source: str,
    occurred_at: datetime | None = None,
) -> RecordedEvent:
    """Write ``message`` to the outbox in the caller's transaction; it is published after commit.

    ``topic`` is the logical name (``billing.v1``): the relay adds the deployment's namespace
    when it publishes. ``aggregate_id`` becomes the Kafka key, so events of one aggregate keep
    their order. The current span's trace context is stored with the event, so that its
    publication and consumption join the trace of the change that recorded it. Services
    write through an :class:`OutboxWriter` rather than call this.
    """
    event = RecordedEvent(
        event_id=uuid.uuid4(),
        event_type=message.DESCRIPTOR.full_name,
        occurred_at=occurred_at or datetime.now(UTC),
    )
    await session.execute(
        outbox_table.insert().values(
            event_id=event.event_id,
            topic=topic,
            event_type=event.event_type,
            aggregate_id=aggregate_id,
            source=source,
            occurred_at=event.occurred_at,
            payload=message.SerializeToString(),
            trace_context=current_carrier(),
        )
    )
    # Delivered at commit (never for a rollback) to the active relay, on whichever replica.
    await session.execute(select(func.pg_notify(OUTBOX_CHANNEL, "")))
    session.info[OUTBOX_WRITTEN] = True
    return event
