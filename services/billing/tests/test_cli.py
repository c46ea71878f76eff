import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from billing.__main__ import main


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for command in ("migrate", "seed", "serve", "replay-dlq"):
        assert command in out


def test_seed_command_fills_the_catalog_once(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AOS_ENVIRONMENT", "development")
    monkeypatch.setenv("BILLING_DATABASE_URL", database_url)
    assert main(["seed"]) == 0
    assert "16 product(s) added" in capsys.readouterr().out
    assert main(["seed"]) == 0
    assert "0 product(s) added" in capsys.readouterr().out


def test_migrate_command_is_a_no_op_on_a_migrated_database(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AOS_ENVIRONMENT", "development")
    monkeypatch.setenv("BILLING_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0
    assert "migrations applied" in capsys.readouterr().out


async def test_migrations_create_the_billing_tables(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            tables = set(
                (
                    await connection.execute(
                        text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                    )
                ).scalars()
            )
    finally:
        await engine.dispose()
    assert {"products", "orders", "entitlements", "idempotency_keys", "outbox", "inbox"} <= tables


def test_replay_dlq_asks_which_of_billings_consumers_and_replays_the_one_named(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    kafka_bootstrap_servers: str,
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap_servers)
    monkeypatch.setenv("AOS_TOPIC_NAMESPACE", f"t{uuid.uuid4().hex[:10]}.")
    # Billing runs several consumers, so the operator must name one; the answer lists them.
    assert main(["replay-dlq", "--dry-run"]) == 2
    assert main(["replay-dlq", "--consumer", "billing.nothing", "--dry-run"]) == 2
    out = capsys.readouterr().out
    for name in (
        "billing.customers",
        "billing.usage",
        "billing.members",
        "billing.token-revocations",
    ):
        assert name in out
    assert main(["replay-dlq", "--consumer", "billing.customers", "--dry-run"]) == 0
    assert main(["replay-dlq", "--consumer", "billing.token-revocations", "--dry-run"]) == 0
