"""With the real outbox relay running, registration reaches Kafka (real broker)."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer
from sqlalchemy import func, select

from aos.events.v1 import identity_pb2
from identity.config import Settings
from identity.mailsink import MailSink
from identity.main import create_app
from servicekit.outbox import outbox_table
from servicekit.testing import running_app


async def test_organization_registered_is_published_on_the_identity_topic(
    database_url: str,
    mail_sink: MailSink,
    tmp_path: Path,
    topic_namespace: str,
    kafka_bootstrap_servers: str,
) -> None:
    settings = Settings(
        environment="test",
        database_url=database_url,
        smtp_port=mail_sink.port,
        jwt_private_key_file=tmp_path / "key.pem",
        secret_keys_file=tmp_path / "secret-keys",
        topic_namespace=topic_namespace,
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        run_background_workers=True,
        migrate_on_start=False,
        log_level="WARNING",
    )
    app = create_app(settings)
    async with running_app(app) as client:
        response = await client.post(
            "/organizations",
            json={
                "company_name": "Kafka Werkstatt",
                "country": "NL",
                "vat_id": "NL123456708B01",
                "owner_name": "Kees Kafka",
                "email": f"kafka-{uuid.uuid4().hex[:8]}@workshop.example",
                "password": "correct horse battery staple",
            },
        )
        assert response.status_code == 201, response.text
        organization_id = response.json()["organization_id"]
        # The relay marks rows published once the broker acknowledged them.
        async with asyncio.timeout(30):
            while True:
                async with app.state.database.transaction() as session:
                    pending = (
                        await session.execute(
                            select(func.count())
                            .select_from(outbox_table)
                            .where(outbox_table.c.published_at.is_(None))
                        )
                    ).scalar_one()
                if pending == 0:
                    break
                await asyncio.sleep(0.1)

    consumer = AIOKafkaConsumer(
        f"{topic_namespace}identity.v1",
        bootstrap_servers=kafka_bootstrap_servers,
        group_id=f"{topic_namespace}test-reader",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        received: dict[str, tuple[bytes, bytes]] = {}
        async with asyncio.timeout(30):
            while "aos.events.v1.OrganizationRegistered" not in received:
                batches = await consumer.getmany(timeout_ms=500)
                for records in batches.values():
                    for record in records:
                        headers = dict(record.headers)
                        received[headers["ce_type"].decode()] = (record.key, record.value)
    finally:
        await consumer.stop()
    key, payload = received["aos.events.v1.OrganizationRegistered"]
    event = identity_pb2.OrganizationRegistered.FromString(payload)
    assert key == organization_id.encode()
    assert event.organization_id == organization_id
    assert event.name == "Kafka Werkstatt"
    assert event.country == "NL"
    assert event.vat_id == "NL123456708B01"
