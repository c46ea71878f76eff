"""Usage reports: what a report period may be, what "used" means, and the CSV export.

"Used" time of a pass (shown against the time it bought):

- PROGRAMMING: the sum of the durations of the organisation's programming sessions within the
  pass's window (a session still running counts until now). Sessions run in parallel by two
  technicians each count, so a busy pass may show more used than bought.
- AIR: the number of distinct quarter hours (UTC, starting at :00, :15, :30, :45) within the
  window in which a member searched or opened a document, times 15 minutes. A search or a read is
  a moment, not a span: reading a repair instruction has no end that air could report. A quarter
  hour with at least one of them is a quarter hour the pass was put to use; twenty clicks in it
  count once, so the figure measures time in use rather than clicking. It never exceeds the time
  bought.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

__all__ = [
    "AIR_SLOT_SECONDS",
    "CSV_COLUMNS",
    "MAX_PERIOD_DAYS",
    "GroupBy",
    "PeriodError",
    "UsageRow",
    "check_period",
    "csv_cell",
    "fill_days",
    "render_csv",
    "used_seconds",
]

# The unit of AIR use: a quarter hour with at least one search or read.
AIR_SLOT_SECONDS = 15 * 60
# A report covers at most a (leap) year of days, both ends included.
MAX_PERIOD_DAYS = 366

# Cell openings a spreadsheet reads as a formula (or, for tab and carriage return, that can
# shift a formula into the next cell). Such a cell gets a leading apostrophe.
_FORMULA_OPENINGS = ("=", "+", "-", "@", "\t", "\r")


class GroupBy(StrEnum):
    DAY = "day"
    MEMBER = "member"
    VIN = "vin"


@dataclass(frozen=True)
class UsageRow:
    """Counts of one group: a day (YYYY-MM-DD), a member (user id) or a VIN. ``key`` is '' for
    facts without a member or a VIN (a keyword search with no VIN filter)."""

    key: str
    air_searches: int = 0
    air_documents: int = 0
    programming_sessions: int = 0
    programming_jobs: int = 0
    # For group_by=member, when billing knows the member from identity's events.
    member_name: str = ""
    member_email: str = ""


CSV_COLUMNS = (
    "key",
    "air_searches",
    "air_documents",
    "programming_sessions",
    "programming_jobs",
)
_MEMBER_COLUMNS = ("member_name", "member_email")


@dataclass(frozen=True)
class PeriodError(ValueError):
    """A report period that cannot be served; ``field`` and ``code`` name the rule."""

    field: str
    code: str
    message: str
    params: dict[str, int | str]

    def __str__(self) -> str:
        return self.message


def used_seconds(scope: str, *, bought_seconds: int, air_slots: int, session_seconds: int) -> int:
    """The time of a pass used, by the definitions above: AIR quarter hours times 15 minutes,
    at most the time bought; PROGRAMMING the session seconds as they are."""
    if scope == "AIR":
        return min(air_slots * AIR_SLOT_SECONDS, bought_seconds)
    return max(0, session_seconds)


def check_period(first: date, last: date) -> None:
    """Accept ``first``..``last`` (both included) or raise PeriodError: the first day after
    the last, or more than MAX_PERIOD_DAYS days."""
    if first > last:
        raise PeriodError(
            field="query.from",
            code="period-reversed",
            message=f"'from' ({first.isoformat()}) is after 'to' ({last.isoformat()})",
            params={"from": first.isoformat(), "to": last.isoformat()},
        )
    days = (last - first).days + 1
    if days > MAX_PERIOD_DAYS:
        raise PeriodError(
            field="query.to",
            code="period-too-long",
            message=f"the period spans {days} days; at most {MAX_PERIOD_DAYS} are allowed",
            params={"days": days, "max_days": MAX_PERIOD_DAYS},
        )


def fill_days(rows: Iterable[UsageRow], first: date, last: date) -> list[UsageRow]:
    """Every day of the period in order, a zero row for a day without use (a chart of the
    period has no holes)."""
    by_day = {row.key: row for row in rows}
    filled: list[UsageRow] = []
    day = first
    while day <= last:
        key = day.isoformat()
        filled.append(by_day.get(key, UsageRow(key=key)))
        day += timedelta(days=1)
    return filled


def csv_cell(value: str | int) -> str:
    """The text of one CSV cell; text a spreadsheet would run as a formula is defused with a
    leading apostrophe (member names come from users and may start with '=')."""
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_OPENINGS):
        return "'" + text
    return text


def render_csv(rows: Sequence[UsageRow], *, group_by: GroupBy) -> str:
    """The report as CSV (RFC 4180: CRLF line ends, fields quoted when needed), a header row
    first; a member report adds the member's name and e-mail."""
    columns = CSV_COLUMNS + (_MEMBER_COLUMNS if group_by is GroupBy.MEMBER else ())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(getattr(row, column)) for column in columns])
    return out.getvalue()
