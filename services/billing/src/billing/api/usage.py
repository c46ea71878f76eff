"""Usage reports: what the organisation's members did with AIR and programming, and how much of
each pass they used."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from billing.api.usage_schemas import PassUsageList, PassUsageRead, UsageReport, UsageRowRead
from billing.domain.usage import MAX_PERIOD_DAYS, GroupBy, PeriodError, UsageRow, render_csv
from billing.errors import UsagePeriodInvalidError
from billing.services import usage
from servicekit.auth import Principal
from servicekit.db import SessionDep
from servicekit.problems import UnauthorizedError, problem_responses
from servicekit.roles import Role, role_check

router = APIRouter(prefix="/usage", tags=["usage"])

# The office reads usage: owners and admins run the workshop, the accountant checks what a pass
# was worth. Technicians' own activity is in the report, not theirs to read.
UsageReader = Annotated[Principal, Depends(role_check(Role.OWNER, Role.ADMIN, Role.ACCOUNTANT))]

# Without dates: the last 30 days up to today (UTC).
DEFAULT_PERIOD_DAYS = 30


def _today() -> date:
    return datetime.now(UTC).date()


FromQuery = Annotated[
    date | None,
    Query(
        alias="from",
        description=(
            f"First UTC day, YYYY-MM-DD (default: {DEFAULT_PERIOD_DAYS - 1} days before 'to')"
        ),
    ),
]
ToQuery = Annotated[
    date | None,
    Query(
        description=(
            f"Last UTC day, included (default: today). At most {MAX_PERIOD_DAYS} days from 'from'."
        )
    ),
]
GroupByQuery = Annotated[GroupBy, Query(description="One row per day, member or VIN")]


async def _report(
    session: SessionDep,
    principal: Principal,
    first: date | None,
    last: date | None,
    group_by: GroupBy,
) -> tuple[date, date, list[UsageRow]]:
    last = last or _today()
    first = first or last - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    try:
        rows = await usage.usage_report(
            session, principal.organization_id, first=first, last=last, group_by=group_by
        )
    except PeriodError as exc:
        raise UsagePeriodInvalidError(
            f"Choose another period: {exc.message}.",
            errors=[
                {"field": exc.field, "code": exc.code, "message": exc.message, "params": exc.params}
            ],
        ) from exc
    return first, last, rows


@router.get(
    "",
    summary="Searches, documents read, sessions and jobs per day, member or VIN",
    response_model=UsageReport,
    responses=problem_responses(UnauthorizedError, UsagePeriodInvalidError),
)
async def usage_report(
    principal: UsageReader,
    session: SessionDep,
    first: FromQuery = None,
    to: ToQuery = None,
    group_by: GroupByQuery = GroupBy.DAY,
) -> UsageReport:
    first, last, rows = await _report(session, principal, first, to, group_by)
    with_member = group_by is GroupBy.MEMBER
    return UsageReport(
        items=[UsageRowRead.of(row, with_member=with_member) for row in rows],
        from_=first,
        to=last,
    )


@router.get(
    ".csv",
    summary="The usage report as CSV (a header row, then one row per group)",
    response_class=Response,
    responses={
        200: {
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "RFC 4180 CSV; cells a spreadsheet would run as formulas start with '",
        },
        **problem_responses(UnauthorizedError, UsagePeriodInvalidError),
    },
)
async def usage_report_csv(
    principal: UsageReader,
    session: SessionDep,
    first: FromQuery = None,
    to: ToQuery = None,
    group_by: GroupByQuery = GroupBy.DAY,
) -> Response:
    first, last, rows = await _report(session, principal, first, to, group_by)
    filename = f"usage-{group_by.value}-{first.isoformat()}-{last.isoformat()}.csv"
    return Response(
        content=render_csv(rows, group_by=group_by),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/passes",
    summary="Per pass bought: the seconds it bought and the seconds used",
    responses=problem_responses(UnauthorizedError),
)
async def pass_usage(
    principal: UsageReader,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> PassUsageList:
    reports = await usage.pass_report(
        session, principal.organization_id, now=datetime.now(UTC), limit=limit, offset=offset
    )
    return PassUsageList(items=[PassUsageRead.of(report) for report in reports])
