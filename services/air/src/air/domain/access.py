"""Who may read AIR content: an organisation with an AIR pass valid now.

Entitlements are time windows ``[valid_from, valid_until)`` granted by billing; AIR keeps a local
projection of them. This module only decides and words the answer; it reads nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

AIR_SCOPE = "AIR"

# Billing's product codes of AIR passes (1 hour, 1 day, 1 week, 1 month, 1 year).
AIR_PASS_PRODUCTS = ("AIR_1H", "AIR_1D", "AIR_1W", "AIR_1M", "AIR_1Y")
BUY_ENDPOINT = "POST /api/billing/orders"


@dataclass(frozen=True)
class Entitlement:
    """One granted window, as billing announced it."""

    entitlement_id: uuid.UUID
    organization_id: uuid.UUID
    scope: str
    valid_from: datetime
    valid_until: datetime
    order_id: uuid.UUID | None = None


@dataclass(frozen=True)
class PassSummary:
    """What the projection knows about one organisation's AIR passes at one instant."""

    active_until: datetime | None
    last_expired_at: datetime | None
    next_starts_at: datetime | None


@dataclass(frozen=True)
class AccessDecision:
    allowed: bool
    detail: str
    expired_at: datetime | None = None
    starts_at: datetime | None = None


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def decide_access(summary: PassSummary) -> AccessDecision:
    """Allow while a pass is active; otherwise say why not and what to buy."""
    if summary.active_until is not None:
        return AccessDecision(
            allowed=True, detail=f"AIR pass valid until {_utc(summary.active_until)}."
        )
    buy = f"Buy one of the passes {', '.join(AIR_PASS_PRODUCTS)} with {BUY_ENDPOINT}, then retry."
    if summary.next_starts_at is not None:
        return AccessDecision(
            allowed=False,
            detail=(
                f"Your organisation's next AIR pass starts at {_utc(summary.next_starts_at)}; "
                f"wait until then or {buy[0].lower()}{buy[1:]}"
            ),
            expired_at=summary.last_expired_at,
            starts_at=summary.next_starts_at,
        )
    if summary.last_expired_at is not None:
        return AccessDecision(
            allowed=False,
            detail=(
                f"Your organisation's AIR pass expired at {_utc(summary.last_expired_at)}. {buy}"
            ),
            expired_at=summary.last_expired_at,
        )
    return AccessDecision(allowed=False, detail=f"Your organisation has no AIR pass. {buy}")


__all__ = [
    "AIR_PASS_PRODUCTS",
    "AIR_SCOPE",
    "BUY_ENDPOINT",
    "AccessDecision",
    "Entitlement",
    "PassSummary",
    "decide_access",
]
