"""The token deny list: which tokens it refuses, how a process's copy follows the table, and what
it forgets. (tests/api/test_token_revocations.py runs it end to end through Kafka in every
service and a second replica.)"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from aos.events.v1 import identity_pb2
from servicekit.auth import Principal
from servicekit.consumer import BadEvent
from servicekit.db import Database
from servicekit.revocations import (
    RevocationsNotLoadedError,
    Subject,
    TokenRevocations,
    TokenRevokedError,
    record_revocation,
    revocation_subscriptions,
    token_revocations_table,
)
from servicekit.testing import incoming_event, timestamp

MIGRATIONS = Path(__file__).parent / "kit_migrations"
LIFETIME = 3600


def principal(
    *, user: uuid.UUID | None = None, organization: uuid.UUID | None = None, issued_at: float
) -> Principal:
    return Principal(
        user_id=user or uuid.uuid4(),
        organization_id=organization or uuid.uuid4(),
        roles=("owner",),
        token_id=uuid.uuid4().hex,
        expires_at=int(issued_at) + 600,
        issued_at=issued_at,
    )


@pytest.fixture
async def database(database_factory: Any) -> AsyncIterator[Database]:
    database = Database(await database_factory.create(MIGRATIONS))
    yield database
    await database.dispose()


@pytest.fixture
async def loaded(database: Database) -> TokenRevocations:
    revocations = TokenRevocations(max_token_lifetime_seconds=LIFETIME)
    await revocations.refresh(database)
    return revocations


async def test_tokens_issued_up_to_the_second_of_the_change_are_refused_later_ones_not(
    loaded: TokenRevocations,
) -> None:
    user, organization = uuid.uuid4(), uuid.uuid4()
    changed_at = datetime(2026, 12, 3, 10, 0, 0, 400_000, tzinfo=UTC)
    second = int(changed_at.timestamp())
    loaded.apply(Subject.USER, user, changed_at)
    # A whole-second iat of the change's second is ambiguous and refused; identity issues
    # milliseconds, so a token refreshed a moment after the change, same second, gets through.
    for issued_at in (second - 100, second, second + 0.3, second + 0.4):
        with pytest.raises(TokenRevokedError):
            loaded.check(principal(user=user, organization=organization, issued_at=issued_at))
    loaded.check(principal(user=user, organization=organization, issued_at=second + 0.401))
    loaded.check(principal(user=user, organization=organization, issued_at=second + 1))
    loaded.check(principal(organization=organization, issued_at=second - 100))  # a colleague


async def test_an_organisation_entry_refuses_every_member(loaded: TokenRevocations) -> None:
    organization = uuid.uuid4()
    closed_at = datetime.now(UTC)
    loaded.apply(Subject.ORGANIZATION, organization, closed_at)
    for _ in range(3):
        with pytest.raises(TokenRevokedError):
            loaded.check(principal(organization=organization, issued_at=int(closed_at.timestamp())))
    loaded.check(principal(issued_at=int(closed_at.timestamp())))


async def test_a_later_change_moves_the_line_and_an_older_one_does_not(
    loaded: TokenRevocations,
) -> None:
    user = uuid.uuid4()
    first = datetime.now(UTC) - timedelta(minutes=5)
    loaded.apply(Subject.USER, user, first)
    loaded.apply(Subject.USER, user, first - timedelta(minutes=1))  # redelivered, out of order
    loaded.check(principal(user=user, issued_at=int(first.timestamp()) + 1))
    loaded.apply(Subject.USER, user, first + timedelta(minutes=1))
    with pytest.raises(TokenRevokedError):
        loaded.check(principal(user=user, issued_at=int(first.timestamp()) + 1))


def test_before_the_first_load_every_token_gets_a_503_to_retry() -> None:
    revocations = TokenRevocations(max_token_lifetime_seconds=LIFETIME)
    with pytest.raises(RevocationsNotLoadedError) as raised:
        revocations.check(principal(issued_at=0))
    assert raised.value.status == 503
    assert raised.value.headers == {"Retry-After": "5"}


async def test_a_refresh_reads_rows_committed_late_with_an_older_change_time(
    database: Database, loaded: TokenRevocations
) -> None:
    early, late = uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    async with database.transaction() as session:
        await record_revocation(session, Subject.USER, early, not_before=now)
    await loaded.refresh(database)
    # A transaction that started before the one above (its now() is older) commits only now.
    async with database.transaction() as session:
        await session.execute(
            token_revocations_table.insert().values(
                subject="user",
                subject_id=late,
                not_before=now,
                changed_at=func.now() - timedelta(seconds=10),
            )
        )
    await loaded.refresh(database)
    for user in (early, late):
        with pytest.raises(TokenRevokedError):
            loaded.check(principal(user=user, issued_at=int(now.timestamp())))


async def test_what_no_live_token_can_meet_is_forgotten_and_purged(database: Database) -> None:
    now = datetime.now(UTC)
    old, recent = uuid.uuid4(), uuid.uuid4()
    async with database.transaction() as session:
        await record_revocation(
            session, Subject.USER, old, not_before=now - timedelta(seconds=LIFETIME + 120)
        )
        await record_revocation(session, Subject.USER, recent, not_before=now)
    revocations = TokenRevocations(max_token_lifetime_seconds=LIFETIME)
    await revocations.refresh(database)
    assert len(revocations) == 1
    assert await revocations.purge(database) == 1
    async with database.transaction() as session:
        left = (await session.execute(select(token_revocations_table.c.subject_id))).scalars()
        assert list(left) == [recent]


async def test_an_event_whose_member_id_is_no_uuid_is_a_bad_event(
    database: Database, loaded: TokenRevocations
) -> None:
    subscription = revocation_subscriptions(loaded)["aos.events.v1.MemberDeactivated"]
    event = incoming_event(
        identity_pb2.MemberDeactivated(
            user_id="not-a-uuid",
            organization_id=str(uuid.uuid4()),
            deactivated_at=timestamp(datetime.now(UTC)),
        ),
        source="identity",
        aggregate_id="x",
    )
    with pytest.raises(BadEvent, match="user_id"):
        async with database.transaction() as session:
            await subscription.handler(session, event)


async def test_an_event_without_its_own_time_counts_from_when_it_occurred(
    database: Database, loaded: TokenRevocations
) -> None:
    user = uuid.uuid4()
    subscription = revocation_subscriptions(loaded)["aos.events.v1.MemberRoleChanged"]
    event = incoming_event(
        identity_pb2.MemberRoleChanged(user_id=str(user), organization_id=str(uuid.uuid4())),
        source="identity",
        aggregate_id="x",
    )
    async with database.transaction() as session:
        await subscription.handler(session, event)
    with pytest.raises(TokenRevokedError):
        loaded.check(principal(user=user, issued_at=int(event.occurred_at.timestamp())))
    loaded.check(principal(user=user, issued_at=int(event.occurred_at.timestamp()) + 1))


async def test_a_refresh_reads_only_what_changed_lately_not_the_whole_table_again(
    database: Database,
) -> None:
    async with database.transaction() as session:
        await session.execute(
            token_revocations_table.insert().values(
                subject="user",
                subject_id=uuid.uuid4(),
                not_before=datetime.now(UTC),
                changed_at=func.now() - timedelta(seconds=100),
            )
        )
    revocations = TokenRevocations(max_token_lifetime_seconds=LIFETIME)
    assert await revocations.refresh(database) == 1  # the first load reads everything
    assert [await revocations.refresh(database) for _ in range(3)] == [0, 0, 0]
    assert len(revocations) == 1


async def test_metrics_show_when_the_list_was_read_and_how_many_tokens_it_refused(
    database: Database,
) -> None:
    service = f"kit-{uuid.uuid4().hex[:6]}"
    revocations = TokenRevocations(max_token_lifetime_seconds=LIFETIME, service=service)
    labels = {"service": service}
    assert REGISTRY.get_sample_value("aos_token_deny_list_read_timestamp_seconds", labels) == 0
    await revocations.refresh(database)
    read_at = REGISTRY.get_sample_value("aos_token_deny_list_read_timestamp_seconds", labels)
    assert read_at is not None and read_at > 0
    user = uuid.uuid4()
    revocations.apply(Subject.USER, user, datetime.now(UTC))
    with pytest.raises(TokenRevokedError):
        revocations.check(principal(user=user, issued_at=0))
    assert REGISTRY.get_sample_value("aos_tokens_revoked_refused_total", labels) == 1
