"""Bodies of the usage reports and the expiry e-mail setting."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from billing.domain.catalog import Scope
from billing.domain.expiry import MAX_HOURS_BEFORE, MIN_HOURS_BEFORE
from billing.domain.usage import UsageRow
from billing.services.usage import PassReport

__all__ = [
    "ExpiryNotificationRead",
    "ExpiryNotificationUpdate",
    "PassUsageList",
    "PassUsageRead",
    "UsageReport",
    "UsageRowRead",
]


class UsageRowRead(BaseModel):
    key: str = Field(
        description=(
            "The group: a UTC day (YYYY-MM-DD), a member's user id or a VIN; '' for use "
            "without a member or a VIN (e.g. a keyword search with no VIN filter)"
        ),
        examples=["2026-12-03"],
    )
    air_searches: int
    air_documents: int = Field(description="AIR documents opened")
    programming_sessions: int = Field(description="Programming sessions started")
    programming_jobs: int = Field(description="Flash jobs finished, whatever their outcome")
    member_name: str | None = Field(
        default=None, description="group_by=member: the member's name when billing knows it"
    )
    member_email: str | None = Field(
        default=None, description="group_by=member: the member's e-mail when billing knows it"
    )

    @classmethod
    def of(cls, row: UsageRow, *, with_member: bool) -> UsageRowRead:
        return cls(
            key=row.key,
            air_searches=row.air_searches,
            air_documents=row.air_documents,
            programming_sessions=row.programming_sessions,
            programming_jobs=row.programming_jobs,
            member_name=(row.member_name or None) if with_member else None,
            member_email=(row.member_email or None) if with_member else None,
        )


class UsageReport(BaseModel):
    items: list[UsageRowRead]
    from_: date = Field(alias="from", serialization_alias="from")
    to: date

    model_config = ConfigDict(populate_by_name=True)


class PassUsageRead(BaseModel):
    entitlement_id: uuid.UUID
    scope: Scope
    vin: str | None = Field(description="The vehicle of a per-VIN pass; null for a time pass")
    valid_from: datetime
    valid_until: datetime
    bought_seconds: int = Field(description="Length of the pass's window")
    used_seconds: int = Field(
        description=(
            "PROGRAMMING: the sum of session durations within the window (parallel sessions "
            "each count); AIR: distinct quarter hours with a search or read, times 900, at most "
            "bought_seconds"
        )
    )

    @classmethod
    def of(cls, report: PassReport) -> PassUsageRead:
        entitlement = report.entitlement
        return cls(
            entitlement_id=entitlement.id,
            scope=Scope(entitlement.scope),
            vin=entitlement.vin,
            valid_from=entitlement.valid_from,
            valid_until=entitlement.valid_until,
            bought_seconds=report.bought_seconds,
            used_seconds=report.used_seconds,
        )


class PassUsageList(BaseModel):
    items: list[PassUsageRead]


class ExpiryNotificationRead(BaseModel):
    email: bool = Field(description="Mail the invoice address before a pass runs out")
    hours_before: int = Field(description="How many hours before the end, 1..168")


class ExpiryNotificationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: StrictBool = Field(description="Mail the organisation's invoice address")
    hours_before: StrictInt = Field(
        ge=MIN_HOURS_BEFORE,
        le=MAX_HOURS_BEFORE,
        description="Hours before the end of continuous access, 1..168",
    )
