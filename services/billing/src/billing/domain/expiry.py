"""Expiry warnings: when a pass's end is worth an e-mail, and what the e-mail says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = [
    "DEFAULT_HOURS_BEFORE",
    "MAX_HOURS_BEFORE",
    "MIN_HOURS_BEFORE",
    "ExpiryMail",
    "compose_expiry_mail",
    "warning_due",
]

# The setting's range and its value before an organisation chose one (a day's notice).
MIN_HOURS_BEFORE = 1
MAX_HOURS_BEFORE = 168
DEFAULT_HOURS_BEFORE = 24

_SCOPE_NAMES = {"AIR": "repair information (AIR)", "PROGRAMMING": "remote programming"}


def warning_due(coverage_end: datetime | None, *, now: datetime, hours_before: int) -> bool:
    """True when access that runs without interruption until ``coverage_end`` (None: no access
    now) ends within ``hours_before`` hours from ``now``. The end of continuous coverage, not
    of one window: a pass queued behind the running one means nothing ends soon."""
    if coverage_end is None or coverage_end <= now:
        return False
    return coverage_end - now <= timedelta(hours=hours_before)


@dataclass(frozen=True)
class ExpiryMail:
    subject: str
    body: str


def compose_expiry_mail(*, scope: str, ends_at: datetime, organization_name: str) -> ExpiryMail:
    """The warning that ``scope`` access of ``organization_name`` ends at ``ends_at`` (UTC)."""
    what = _SCOPE_NAMES.get(scope, scope)
    when = ends_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return ExpiryMail(
        subject=f"Your AOS access to {what} ends on {when}",
        body=(
            f"Hello,\n\n"
            f"the access of {organization_name} to {what} ends on {when}, and no further pass "
            f"is queued after it.\n\n"
            f"To keep working without interruption, buy a pass in the AOS portal (Passes); it "
            f"starts where the current one ends, so no time is lost.\n\n"
            f"You receive this e-mail because an owner or admin of {organization_name} turned on "
            f"expiry warnings. They can turn them off in the portal.\n\n"
            f"AOS\n"
        ),
    )
