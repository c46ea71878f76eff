"""The token deny list: access tokens issued before their member's access changed are refused.

Access tokens live minutes and are checked without asking identity, so deactivating a member,
changing a role or closing an organisation would otherwise leave tokens with the old access
working until they expire. Identity announces each such change on ``identity.v1``
(``MemberDeactivated``, ``MemberRoleChanged``, ``OrganizationClosed``); every service consumes
them into the ``token_revocations`` table of its own database (one row per user or organisation:
tokens issued at or before ``not_before`` are refused), and every process of the service keeps
an in-memory copy:

- the consumer (one per service, whichever replica holds the partition) writes the row and puts
  it into its own process's copy at once;
- every process reads the rows changed lately every ``refresh_seconds`` (an indexed query on
  ``changed_at``), so the other replicas refuse the token within about that;
- a request costs two dict lookups (:meth:`TokenRevocations.check`), no database round trip.

A row is useless once every token it can refuse has expired: after the longest token lifetime
accepted (``jwt_max_lifetime_seconds``), rows and copies forget it.

``iat`` has whole seconds: a token issued in the same second as the change cannot be told from
one issued just before it, so it is refused too (the member's next refresh, a second later,
gets one that works).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from fastapi import Request
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import (
    Column,
    DateTime,
    Index,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from aos.events.v1 import identity_pb2
from servicekit.auth import Principal
from servicekit.consumer import BadEvent, Handler, IncomingEvent, Subscription
from servicekit.db import Database, new_metadata
from servicekit.logging import describe_error, get_logger
from servicekit.metrics import TOKEN_DENY_LIST_READ, TOKENS_REVOKED_REFUSED
from servicekit.problems import ProblemError, UnauthorizedError

__all__ = [
    "IDENTITY_TOPIC",
    "REVOKED_DETAIL",
    "RevocationsNotLoadedError",
    "Subject",
    "TokenRevocations",
    "TokenRevokedError",
    "revocation_subscriptions",
    "revocations_consumer_name",
    "revocations_metadata",
    "revoked_since",
    "token_revocations_table",
]

IDENTITY_TOPIC = "identity.v1"
# Each refresh reads the rows changed since this long before the previous read: ``changed_at``
# is a transaction's start (``now()``), so a transaction running across a read commits a row
# older than that read. Reading back this far catches it; the rows are few.
REREAD_SECONDS = 30.0
# Kept a little past the longest token lifetime: expiry is checked with a few seconds' leeway.
FORGET_MARGIN_SECONDS = 60.0
PURGE_EVERY_SECONDS = 60.0
INITIAL_LOAD_TIMEOUT_SECONDS = 10.0

REVOKED_DETAIL = (
    "Your access was changed (your role or membership, or your workshop's account) after this "
    "token was issued; log in again."
)

log = get_logger(__name__)

revocations_metadata = new_metadata()

token_revocations_table = Table(
    "token_revocations",
    revocations_metadata,
    Column("subject", Text, nullable=False),  # "user" or "organization"
    Column("subject_id", Uuid, nullable=False),
    # Access tokens of the subject issued (iat) at or before this are refused.
    Column("not_before", DateTime(timezone=True), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("subject", "subject_id", name="pk_token_revocations"),
    Index("ix_token_revocations_changed_at", "changed_at"),
)


def revocations_consumer_name(service_name: str) -> str:
    """The consumer (group) of ``service_name`` that fills its deny list."""
    return f"{service_name}.token-revocations"


class Subject(StrEnum):
    USER = "user"
    ORGANIZATION = "organization"


class TokenRevokedError(UnauthorizedError):
    slug = "token-revoked"
    title = "Access changed"


class RevocationsNotLoadedError(ProblemError):
    """Before the deny list was ever read, nobody can tell whether a token was revoked."""

    status = 503
    slug = "service-unavailable"
    title = "Service unavailable"


class TokenRevocations:
    """One process's copy of the deny list (thread-unsafe: used from the event loop only)."""

    def __init__(
        self,
        *,
        max_token_lifetime_seconds: int,
        refresh_seconds: float = 1.0,
        service: str = "service",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.max_token_lifetime_seconds = max_token_lifetime_seconds
        self._read_gauge = TOKEN_DENY_LIST_READ.labels(service=service)
        self._refused = TOKENS_REVOKED_REFUSED.labels(service=service)
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self._not_before: dict[tuple[Subject, uuid.UUID], float] = {}
        self._reread_from: datetime | None = None  # None: never loaded
        self._last_purge = float("-inf")

    @property
    def loaded(self) -> bool:
        return self._reread_from is not None

    def __len__(self) -> int:
        return len(self._not_before)

    def check(self, principal: Principal) -> None:
        """Raises TokenRevokedError when the principal's token was issued at or before a change
        of its user's or organisation's access, RevocationsNotLoadedError before the first
        load."""
        if not self.loaded:
            raise RevocationsNotLoadedError(
                "The service cannot check revoked access tokens yet (its database has not "
                "answered since it started); retry in a few seconds.",
                headers={"Retry-After": "5"},
            )
        if self.revokes(principal):
            self._refused.inc()
            raise TokenRevokedError(REVOKED_DETAIL)

    def revokes(self, principal: Principal) -> bool:
        """Whether the principal's token was issued at or before a change of its access."""
        user = (Subject.USER, principal.user_id)
        organization = (Subject.ORGANIZATION, principal.organization_id)
        for key in (user, organization):
            not_before = self._not_before.get(key)
            if not_before is not None and principal.issued_at <= not_before:
                return True
        return False

    def apply(self, subject: Subject, subject_id: uuid.UUID, not_before: datetime) -> None:
        """Refuse the subject's tokens issued at or before ``not_before`` in this process."""
        key = (subject, subject_id)
        moment = not_before.timestamp()
        if moment > self._not_before.get(key, float("-inf")):
            self._not_before[key] = moment

    async def refresh(self, database: Database) -> int:
        """Merge the rows changed since the last refresh (all of them the first time); forget
        what no live token can be affected by. Returns how many rows were read."""
        async with database.transaction() as session:
            read_at, rows = await read_changed(session, since=self._reread_from)
        for subject, subject_id, not_before in rows:
            self.apply(Subject(subject), subject_id, not_before)
        # The database's clock, not ours: ``changed_at`` is written by it.
        self._reread_from = read_at - timedelta(seconds=REREAD_SECONDS)
        self._read_gauge.set(self._clock())
        self._forget_expired()
        return len(rows)

    def _forget_expired(self) -> None:
        horizon = self._clock() - self.max_token_lifetime_seconds - FORGET_MARGIN_SECONDS
        for key in [key for key, moment in self._not_before.items() if moment < horizon]:
            del self._not_before[key]

    async def run(self, database: Database) -> None:
        """Refresh every ``refresh_seconds`` until cancelled; delete expired rows now and then.
        A failed refresh (the database away) is logged once per outage and retried."""
        failing = False
        while True:
            try:
                await self.refresh(database)
                if self._clock() - self._last_purge >= PURGE_EVERY_SECONDS:
                    await self.purge(database)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not failing:
                    log.warning(
                        "cannot refresh the token deny list; retrying", error=describe_error(exc)
                    )
                failing = True
            else:
                if failing:
                    log.info("token deny list refreshed again")
                failing = False
            await asyncio.sleep(self.refresh_seconds)

    async def load(self, database: Database) -> None:
        """The first load, at start: bounded, and only logged when it fails (``run`` retries)."""
        try:
            async with asyncio.timeout(INITIAL_LOAD_TIMEOUT_SECONDS):
                await self.refresh(database)
        except Exception as exc:
            log.warning(
                "cannot load the token deny list at start; tokens are refused with 503 until it "
                "loads",
                error=describe_error(exc),
            )

    async def purge(self, database: Database) -> int:
        """Delete the rows no live token can be refused by any more; returns how many."""
        self._last_purge = self._clock()
        horizon = datetime.fromtimestamp(
            self._clock() - self.max_token_lifetime_seconds - FORGET_MARGIN_SECONDS, UTC
        )
        async with database.transaction() as session:
            result = await session.execute(
                token_revocations_table.delete().where(
                    token_revocations_table.c.not_before < horizon
                )
            )
        return int(getattr(result, "rowcount", 0) or 0)


def revoked_since(request: Request, principal: Principal) -> bool:
    """For an answer that outlives its request's check (an event stream): whether the token it
    was opened with has been revoked since. False in an app without a deny list."""
    revocations: TokenRevocations | None = getattr(request.app.state, "token_revocations", None)
    return revocations is not None and revocations.revokes(principal)


async def read_changed(
    session: AsyncSession, *, since: datetime | None
) -> tuple[datetime, list[tuple[str, uuid.UUID, datetime]]]:
    """The database's time and the rows (subject, id, not_before) changed after ``since``
    (every row when None)."""
    table = token_revocations_table
    read_at = (await session.execute(select(func.now()))).scalar_one()
    query = select(table.c.subject, table.c.subject_id, table.c.not_before)
    if since is not None:
        query = query.where(table.c.changed_at > since)
    rows = (await session.execute(query)).all()
    return read_at, [(row[0], row[1], row[2]) for row in rows]


async def record_revocation(
    session: AsyncSession, subject: Subject, subject_id: uuid.UUID, *, not_before: datetime
) -> None:
    """Upsert the subject's row, keeping the later ``not_before`` (events may come twice or
    out of order across keys)."""
    table = token_revocations_table
    statement = insert(table).values(
        subject=subject.value, subject_id=subject_id, not_before=not_before, changed_at=func.now()
    )
    await session.execute(
        statement.on_conflict_do_update(
            constraint="pk_token_revocations",
            set_={"not_before": statement.excluded.not_before, "changed_at": func.now()},
            where=table.c.not_before < statement.excluded.not_before,
        )
    )


def _moment(field: str, event: IncomingEvent[Message]) -> datetime:
    """The change's own time (``field`` of the message), or the event's when it lacks it."""
    if not event.message.HasField(field):
        return event.occurred_at
    stamp: Timestamp = getattr(event.message, field)
    return stamp.ToDatetime(tzinfo=UTC)


def _uuid(value: str, what: str, event: IncomingEvent[Message]) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise BadEvent(f"{event.event_type} {event.event_id}: {what} {value!r} is no UUID") from exc


def revocation_subscriptions(revocations: TokenRevocations) -> dict[str, Subscription]:
    """The handlers of ``identity.v1`` that fill the deny list (and this process's copy)."""

    def handler(subject: Subject, id_field: str, time_field: str) -> Handler:
        async def handle(session: AsyncSession, event: IncomingEvent[Any]) -> None:
            message = event.message
            subject_id = _uuid(getattr(message, id_field), id_field, event)
            not_before = _moment(time_field, event)
            await record_revocation(session, subject, subject_id, not_before=not_before)
            # Before the commit: the change happened whether or not this transaction commits
            # (a failed one is retried), and refusing a token early is the safe side.
            revocations.apply(subject, subject_id, not_before)
            log.info(
                "access tokens revoked",
                subject=subject.value,
                subject_id=str(subject_id),
                not_before=not_before.isoformat(),
                event_type=event.event_type,
            )

        return handle

    changes: list[tuple[type[Message], Subject, str, str]] = [
        (identity_pb2.MemberDeactivated, Subject.USER, "user_id", "deactivated_at"),
        (identity_pb2.MemberRoleChanged, Subject.USER, "user_id", "changed_at"),
        (identity_pb2.OrganizationClosed, Subject.ORGANIZATION, "organization_id", "closed_at"),
    ]
    return {
        message_type.DESCRIPTOR.full_name: Subscription(
            message_type, handler(subject, id_field, time_field)
        )
        for message_type, subject, id_field, time_field in changes
    }
