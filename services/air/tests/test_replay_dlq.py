"""``python -m air replay-dlq``: a pass dead-lettered during an outage reaches the projection.

The dead letter is written as the consumer used to write it when the database was away (before
such failures were retried); the command sends it back to billing's topic and the running
consumer applies it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import text

from air.__main__ import main
from air.config import Settings
from air.consumers.entitlements import CONSUMER_NAME
from air.main import create_app
from aos.events.v1 import billing_pb2
from aos.events.v1.envelope_pb2 import Envelope
from servicekit.db import Database
from servicekit.relay import new_producer
from servicekit.testing import TestTokenIssuer, running_app, topic_size


def test_help_documents_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["replay-dlq", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "--consumer NAME" in out and "--dry-run" in out
    assert "original key, headers and event id" in out


async def test_replay_dlq_sends_a_dead_lettered_pass_back_and_the_consumer_applies_it(
    settings: Settings,
    database_url: str,
    kafka_bootstrap_servers: str,
    token_issuer: TestTokenIssuer,
    make_entitlement: Callable[..., billing_pb2.EntitlementGranted],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    restore_logging: None,
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap_servers)
    monkeypatch.setenv("AOS_TOPIC_NAMESPACE", settings.topic_namespace)
    monkeypatch.setenv("AOS_ENVIRONMENT", "test")
    monkeypatch.setenv("AIR_DATABASE_URL", database_url)
    topic = settings.topic("billing.v1")
    organization_id = uuid.uuid4()
    now = datetime.now(UTC)
    message = make_entitlement(
        organization_id, valid_from=now, valid_until=now + timedelta(hours=10)
    )
    event_id = uuid.uuid4()
    await write_dead_letter(kafka_bootstrap_servers, topic, message, event_id, settings)

    # Two consumers of its own (entitlements, workshops): the command asks which one.
    assert await asyncio.to_thread(main, ["replay-dlq", "--dry-run"]) == 2
    assert "choose a consumer with --consumer: air.entitlements, air.workshops" in (
        capsys.readouterr().out
    )
    replay = ["replay-dlq", "--consumer", "air.entitlements"]
    assert await asyncio.to_thread(main, [*replay, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"would replay {topic}.dlq[" in out and str(event_id) in out
    assert "would replay 1 of 1 dead letter(s)" in out
    assert await topic_size(kafka_bootstrap_servers, topic) == 0

    assert await asyncio.to_thread(main, ["replay-dlq", "--consumer", "air.nothing"]) == 2
    assert "no consumer 'air.nothing'; it has: air.entitlements, air.workshops" in (
        capsys.readouterr().out
    )

    assert await asyncio.to_thread(main, replay) == 0
    assert "replayed 1 of 1 dead letter(s)" in capsys.readouterr().out
    assert await topic_size(kafka_bootstrap_servers, topic) == 1

    live = settings.model_copy(update={"run_background_workers": True})
    async with token_issuer.http_client() as jwks_http:
        app = create_app(live, jwks_http=jwks_http)
        async with running_app(app):
            async with asyncio.timeout(30):
                while not (applied := await inbox_event_ids(app.state.database)):
                    await asyncio.sleep(0.25)
            async with app.state.database.transaction() as session:
                projected = (
                    await session.execute(
                        text("SELECT entitlement_id FROM entitlements WHERE organization_id = :o"),
                        {"o": organization_id},
                    )
                ).scalars()
                assert list(projected) == [uuid.UUID(message.entitlement_id)]
    assert applied == [event_id]


async def inbox_event_ids(database: Database) -> list[uuid.UUID]:
    async with database.transaction() as session:
        return list((await session.execute(text("SELECT event_id FROM inbox"))).scalars())


async def write_dead_letter(
    bootstrap: str,
    topic: str,
    message: billing_pb2.EntitlementGranted,
    event_id: uuid.UUID,
    settings: Settings,
) -> None:
    """The dead letter the consumer wrote when it gave up during a database outage."""
    occurred = Timestamp()
    occurred.GetCurrentTime()
    aggregate = message.organization_id
    envelope = Envelope(
        event_id=str(event_id),
        event_type=message.DESCRIPTOR.full_name,
        source="billing",
        occurred_at=occurred,
        aggregate_id=aggregate,
        payload=message.SerializeToString(),
        failure="OperationalError: connection refused",
        attempts=5,
        consumer=settings.topic(CONSUMER_NAME),
    )
    producer = new_producer(bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic + ".dlq",
            envelope.SerializeToString(),
            key=aggregate.encode(),
            headers=[
                ("ce_id", str(event_id).encode()),
                ("ce_type", message.DESCRIPTOR.full_name.encode()),
                ("ce_source", b"billing"),
                ("ce_time", occurred.ToDatetime(tzinfo=UTC).isoformat().encode()),
                ("ce_aggregateid", aggregate.encode()),
            ],
        )
    finally:
        await producer.stop()
