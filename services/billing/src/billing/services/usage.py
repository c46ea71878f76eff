"""The usage read model: recording what air and programming report, and the reports on it.

Billing keeps it because billing owns what was bought: "time used against time bought" is then
one query over local tables. Air and programming stay independent of billing and of each other:
they only publish events (air.v1, programming.v1), never call billing or read its data.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.models import Entitlement
from billing.db.usage import FactKind, MemberRepository, UsageRepository
from billing.domain.usage import GroupBy, UsageRow, check_period, fill_days, used_seconds

__all__ = [
    "AirFact",
    "JobFact",
    "PassReport",
    "SessionFact",
    "pass_report",
    "record_air_fact",
    "record_job",
    "record_session_ended",
    "record_session_started",
    "usage_report",
]


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


@dataclass(frozen=True)
class AirFact:
    """A search (``document=False``) or a document read."""

    fact_id: uuid.UUID
    organization_id: uuid.UUID
    user_id: uuid.UUID | None
    vin: str
    at: datetime
    entitlement_id: uuid.UUID | None
    document: bool


@dataclass(frozen=True)
class SessionFact:
    session_id: uuid.UUID
    organization_id: uuid.UUID
    user_id: uuid.UUID | None
    vin: str
    started_at: datetime | None
    ended_at: datetime | None = None


@dataclass(frozen=True)
class JobFact:
    job_id: uuid.UUID
    session_id: uuid.UUID | None
    organization_id: uuid.UUID
    user_id: uuid.UUID | None
    vin: str
    finished_at: datetime


async def record_air_fact(session: AsyncSession, fact: AirFact, *, event_id: uuid.UUID) -> bool:
    """Store an AIR search or read; False when it was known already (a replay)."""
    return await UsageRepository(session).add_fact(
        kind=FactKind.AIR_DOCUMENT if fact.document else FactKind.AIR_SEARCH,
        fact_id=fact.fact_id,
        organization_id=fact.organization_id,
        user_id=fact.user_id,
        vin=fact.vin,
        occurred_at=fact.at,
        day=utc_day(fact.at),
        event_id=event_id,
        entitlement_id=fact.entitlement_id,
    )


async def record_job(session: AsyncSession, fact: JobFact, *, event_id: uuid.UUID) -> bool:
    """Store a finished flash job (counted on the day it finished); False for a replay."""
    return await UsageRepository(session).add_fact(
        kind=FactKind.PROGRAMMING_JOB,
        fact_id=fact.job_id,
        organization_id=fact.organization_id,
        user_id=fact.user_id,
        vin=fact.vin,
        occurred_at=fact.finished_at,
        day=utc_day(fact.finished_at),
        event_id=event_id,
        session_id=fact.session_id,
    )


async def record_session_started(
    session: AsyncSession, fact: SessionFact, *, event_id: uuid.UUID
) -> None:
    """Store a session's start (counted on the day it started). Raises ValueError without
    ``started_at``."""
    if fact.started_at is None:
        raise ValueError("a started session needs its start time")
    await UsageRepository(session).session_started(
        session_id=fact.session_id,
        organization_id=fact.organization_id,
        user_id=fact.user_id,
        vin=fact.vin,
        started_at=fact.started_at,
        day=utc_day(fact.started_at),
        event_id=event_id,
    )


async def record_session_ended(
    session: AsyncSession, fact: SessionFact, *, event_id: uuid.UUID
) -> None:
    """Store a session's end, whether or not its start arrived first. Raises ValueError
    without ``ended_at``."""
    if fact.ended_at is None:
        raise ValueError("an ended session needs its end time")
    await UsageRepository(session).session_ended(
        session_id=fact.session_id,
        organization_id=fact.organization_id,
        user_id=fact.user_id,
        vin=fact.vin,
        started_at=fact.started_at,
        ended_at=fact.ended_at,
        event_id=event_id,
    )


async def usage_report(
    session: AsyncSession,
    organization_id: uuid.UUID,
    *,
    first: date,
    last: date,
    group_by: GroupBy,
) -> list[UsageRow]:
    """Counts per day, member or VIN over ``first``..``last`` (UTC days, both included).
    Raises billing.domain.usage.PeriodError for a reversed or too long period."""
    check_period(first, last)
    rows = await UsageRepository(session).counts(
        organization_id, first=first, last=last, group_by=group_by
    )
    if group_by is GroupBy.DAY:
        return fill_days(rows, first, last)
    if group_by is GroupBy.MEMBER:
        members = await MemberRepository(session).of_organization(organization_id)
        return [
            replace(row, member_name=member.name, member_email=member.email)
            if (member := members.get(row.key)) is not None
            else row
            for row in rows
        ]
    return rows


@dataclass(frozen=True)
class PassReport:
    entitlement: Entitlement
    bought_seconds: int
    used_seconds: int


async def pass_report(
    session: AsyncSession,
    organization_id: uuid.UUID,
    *,
    now: datetime,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[PassReport]:
    """Each pass bought (latest first): the seconds it bought and those used of them."""
    found = await UsageRepository(session).pass_usage(
        organization_id, now=now, limit=limit, offset=offset
    )
    reports: list[PassReport] = []
    for item in found:
        entitlement = item.entitlement
        bought = int((entitlement.valid_until - entitlement.valid_from).total_seconds())
        reports.append(
            PassReport(
                entitlement=entitlement,
                bought_seconds=bought,
                used_seconds=used_seconds(
                    entitlement.scope,
                    bought_seconds=bought,
                    air_slots=item.air_slots,
                    session_seconds=item.session_seconds,
                ),
            )
        )
    return reports
