"""SQL of the usage read model and the members projection. Reads always filter by the
caller's organisation."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Text, and_, case, cast, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from billing.db.models import Entitlement, Member, UsageFact
from billing.domain.usage import AIR_SLOT_SECONDS, GroupBy, UsageRow

__all__ = ["FactKind", "MemberRepository", "PassUsage", "UsageRepository"]


class FactKind:
    AIR_SEARCH = "air_search"
    AIR_DOCUMENT = "air_document"
    PROGRAMMING_SESSION = "programming_session"
    PROGRAMMING_JOB = "programming_job"


@dataclass(frozen=True)
class PassUsage:
    """A pass and what was measured in its window: the quarter hours with AIR use (AIR) or
    the seconds of programming sessions (PROGRAMMING); 0 for the other measure."""

    entitlement: Entitlement
    air_slots: int
    session_seconds: int


class UsageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_fact(
        self,
        *,
        kind: str,
        fact_id: uuid.UUID,
        organization_id: uuid.UUID,
        user_id: uuid.UUID | None,
        vin: str,
        occurred_at: datetime,
        day: date,
        event_id: uuid.UUID,
        entitlement_id: uuid.UUID | None = None,
        session_id: uuid.UUID | None = None,
    ) -> bool:
        """Insert a search, read or job; False when the fact was known already."""
        statement = (
            insert(UsageFact)
            .values(
                kind=kind,
                id=fact_id,
                organization_id=organization_id,
                user_id=user_id,
                vin=vin,
                occurred_at=occurred_at,
                day=day,
                event_id=event_id,
                entitlement_id=entitlement_id,
                session_id=session_id,
            )
            .on_conflict_do_nothing(index_elements=[UsageFact.kind, UsageFact.id])
            .returning(UsageFact.id)
        )
        return (await self.session.execute(statement)).first() is not None

    async def session_started(
        self,
        *,
        session_id: uuid.UUID,
        organization_id: uuid.UUID,
        user_id: uuid.UUID | None,
        vin: str,
        started_at: datetime,
        day: date,
        event_id: uuid.UUID,
    ) -> None:
        """Record a session's start. Its start is authoritative: it replaces what a
        SessionEnded that arrived first had to assume."""
        statement = insert(UsageFact).values(
            kind=FactKind.PROGRAMMING_SESSION,
            id=session_id,
            organization_id=organization_id,
            user_id=user_id,
            vin=vin,
            occurred_at=started_at,
            day=day,
            event_id=event_id,
        )
        existing = UsageFact.__table__.c
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[UsageFact.kind, UsageFact.id],
                set_={
                    "occurred_at": statement.excluded.occurred_at,
                    "day": statement.excluded.day,
                    "user_id": func.coalesce(statement.excluded.user_id, existing.user_id),
                    "vin": func.coalesce(func.nullif(statement.excluded.vin, ""), existing.vin),
                    # An end recorded before this start stays, unless it lies before the start.
                    "ended_at": case(
                        (existing.ended_at < statement.excluded.occurred_at, None),
                        else_=existing.ended_at,
                    ),
                },
            )
        )

    async def session_ended(
        self,
        *,
        session_id: uuid.UUID,
        organization_id: uuid.UUID,
        user_id: uuid.UUID | None,
        vin: str,
        started_at: datetime | None,
        ended_at: datetime,
        event_id: uuid.UUID,
    ) -> None:
        """Record a session's end; fills what its start did not tell. When the start is not
        known at all (no SessionStarted yet, and an older SessionEnded without started_at),
        the session is assumed to have started when it ended, until SessionStarted arrives."""
        start = started_at if started_at is not None and started_at <= ended_at else ended_at
        statement = insert(UsageFact).values(
            kind=FactKind.PROGRAMMING_SESSION,
            id=session_id,
            organization_id=organization_id,
            user_id=user_id,
            vin=vin,
            occurred_at=start,
            day=start.astimezone(UTC).date(),
            ended_at=ended_at,
            event_id=event_id,
        )
        existing = UsageFact.__table__.c
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[UsageFact.kind, UsageFact.id],
                set_={
                    "ended_at": func.greatest(statement.excluded.ended_at, existing.occurred_at),
                    "user_id": func.coalesce(existing.user_id, statement.excluded.user_id),
                    "vin": func.coalesce(func.nullif(existing.vin, ""), statement.excluded.vin),
                },
            )
        )

    async def counts(
        self,
        organization_id: uuid.UUID,
        *,
        first: date,
        last: date,
        group_by: GroupBy,
    ) -> list[UsageRow]:
        """Per group, the facts of days ``first``..``last`` (UTC, both included). A job takes
        its VIN and member from its own event, else from its session."""
        fact = aliased(UsageFact, name="fact")
        parent = aliased(UsageFact, name="parent")
        vin = func.coalesce(func.nullif(fact.vin, ""), parent.vin, "")
        user_id = func.coalesce(fact.user_id, parent.user_id)
        key = {
            GroupBy.DAY: func.to_char(fact.day, "YYYY-MM-DD"),
            GroupBy.MEMBER: func.coalesce(cast(user_id, Text), ""),
            GroupBy.VIN: vin,
        }[group_by]
        counted = {
            kind: func.count().filter(fact.kind == kind)
            for kind in (
                FactKind.AIR_SEARCH,
                FactKind.AIR_DOCUMENT,
                FactKind.PROGRAMMING_SESSION,
                FactKind.PROGRAMMING_JOB,
            )
        }
        statement = (
            select(key.label("key"), *(value.label(kind) for kind, value in counted.items()))
            .select_from(fact)
            .outerjoin(
                parent,
                and_(
                    fact.kind == FactKind.PROGRAMMING_JOB,
                    parent.kind == FactKind.PROGRAMMING_SESSION,
                    parent.id == fact.session_id,
                    parent.organization_id == fact.organization_id,
                ),
            )
            .where(
                fact.organization_id == organization_id,
                fact.day >= first,
                fact.day <= last,
            )
            .group_by(key)
            .order_by(key)
        )
        rows = (await self.session.execute(statement)).all()
        return [
            UsageRow(
                key=row.key,
                air_searches=row.air_search,
                air_documents=row.air_document,
                programming_sessions=row.programming_session,
                programming_jobs=row.programming_job,
            )
            for row in rows
        ]

    async def pass_usage(
        self,
        organization_id: uuid.UUID,
        *,
        now: datetime,
        limit: int,
        offset: int,
    ) -> list[PassUsage]:
        """The organisation's passes, latest first, each with what was measured in its window
        (billing.domain.usage.used_seconds turns it into time used)."""
        passes = (
            await self.session.scalars(
                select(Entitlement)
                .where(Entitlement.organization_id == organization_id)
                .order_by(Entitlement.valid_from.desc(), Entitlement.id)
                .limit(limit)
                .offset(offset)
            )
        ).all()
        if not passes:
            return []
        ids = [entitlement.id for entitlement in passes]
        slots = await self._air_slots(ids)
        seconds = await self._session_seconds(ids, now=now)
        return [
            PassUsage(
                entitlement=entitlement,
                air_slots=slots.get(entitlement.id, 0),
                session_seconds=seconds.get(entitlement.id, 0),
            )
            for entitlement in passes
        ]

    async def _air_slots(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        slot = func.floor(func.extract("epoch", UsageFact.occurred_at) / AIR_SLOT_SECONDS)
        statement = (
            select(Entitlement.id, func.count(func.distinct(slot)))
            .join(
                UsageFact,
                # Air names the pass that allowed each search or read, so a VIN pass and a
                # time pass running side by side each count only what they paid for; a fact
                # without that name counts for the window it fell in (of its vehicle's pass).
                and_(
                    UsageFact.organization_id == Entitlement.organization_id,
                    UsageFact.kind.in_([FactKind.AIR_SEARCH, FactKind.AIR_DOCUMENT]),
                    or_(
                        UsageFact.entitlement_id == Entitlement.id,
                        and_(
                            UsageFact.entitlement_id.is_(None),
                            UsageFact.occurred_at >= Entitlement.valid_from,
                            UsageFact.occurred_at < Entitlement.valid_until,
                            or_(Entitlement.vin.is_(None), UsageFact.vin == Entitlement.vin),
                        ),
                    ),
                ),
            )
            .where(Entitlement.id.in_(ids), Entitlement.scope == "AIR")
            .group_by(Entitlement.id)
        )
        return {row[0]: int(row[1]) for row in (await self.session.execute(statement)).all()}

    async def _session_seconds(
        self, ids: Sequence[uuid.UUID], *, now: datetime
    ) -> dict[uuid.UUID, int]:
        session_end = func.coalesce(UsageFact.ended_at, func.greatest(now, UsageFact.occurred_at))
        overlap = func.least(session_end, Entitlement.valid_until) - func.greatest(
            UsageFact.occurred_at, Entitlement.valid_from
        )
        statement = (
            select(Entitlement.id, func.sum(func.extract("epoch", overlap)))
            .join(
                UsageFact,
                and_(
                    UsageFact.organization_id == Entitlement.organization_id,
                    UsageFact.kind == FactKind.PROGRAMMING_SESSION,
                    UsageFact.occurred_at < Entitlement.valid_until,
                    session_end > Entitlement.valid_from,
                    # A VIN pass pays for sessions on its own vehicle only.
                    or_(Entitlement.vin.is_(None), UsageFact.vin == Entitlement.vin),
                ),
            )
            .where(Entitlement.id.in_(ids), Entitlement.scope == "PROGRAMMING")
            .group_by(Entitlement.id)
        )
        return {row[0]: int(row[1] or 0) for row in (await self.session.execute(statement)).all()}


class MemberRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert(
        self,
        *,
        user_id: uuid.UUID,
        organization_id: uuid.UUID,
        email: str,
        name: str,
        source_updated_at: datetime,
    ) -> None:
        """Remember a member; an event older than what is stored changes nothing, and a name
        or e-mail the event leaves empty keeps the stored one."""
        statement = insert(Member).values(
            user_id=user_id,
            organization_id=organization_id,
            email=email,
            name=name,
            source_updated_at=source_updated_at,
        )
        existing = Member.__table__.c
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[Member.user_id],
                set_={
                    "organization_id": statement.excluded.organization_id,
                    "email": func.coalesce(
                        func.nullif(statement.excluded.email, ""), existing.email
                    ),
                    "name": func.coalesce(func.nullif(statement.excluded.name, ""), existing.name),
                    "source_updated_at": statement.excluded.source_updated_at,
                },
                where=existing.source_updated_at <= statement.excluded.source_updated_at,
            )
        )

    async def erase(self, user_id: uuid.UUID, *, organization_id: uuid.UUID, at: datetime) -> None:
        """Forget a removed member's personal data; the id stays for the usage it made."""
        statement = insert(Member).values(
            user_id=user_id, organization_id=organization_id, source_updated_at=at
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[Member.user_id],
                set_={
                    "email": "",
                    "name": "",
                    "source_updated_at": statement.excluded.source_updated_at,
                },
            )
        )

    async def of_organization(self, organization_id: uuid.UUID) -> dict[str, Member]:
        """The organisation's known members by user id (as text)."""
        members = await self.session.scalars(
            select(Member).where(Member.organization_id == organization_id)
        )
        return {str(member.user_id): member for member in members}
