"""Who may read AIR content: an organisation with an AIR pass valid now.

Entitlements are time windows ``[valid_from, valid_until)`` granted by billing; AIR keeps a local
projection of them. A time pass covers every vehicle; a per-VIN pass (AIR_VIN_24H) covers one
vehicle only: searches restricted to its VIN and documents opened for it. A revoked window ends
at its revocation. This module only decides and words the answer; it reads nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

AIR_SCOPE = "AIR"

# Billing's product codes of AIR passes (1 hour, 1 day, 1 week, 1 month, 1 year).
AIR_PASS_PRODUCTS = ("AIR_1H", "AIR_1D", "AIR_1W", "AIR_1M", "AIR_1Y")
# 24 hours for one vehicle.
AIR_VIN_PASS_PRODUCT = "AIR_VIN_24H"
BUY_ENDPOINT = "POST /api/billing/checkout"


@dataclass(frozen=True)
class Grant:
    """The window that allows a request: its entitlement (named in the usage events), where it
    ends (its revocation when earlier) and, for a per-VIN pass, its vehicle."""

    entitlement_id: uuid.UUID
    valid_until: datetime
    vin: str | None


@dataclass(frozen=True)
class PassSummary:
    """What the projection knows about one organisation's AIR passes at one instant, counting
    time passes and the per-VIN passes of the vehicle asked about."""

    active_until: datetime | None
    last_expired_at: datetime | None
    next_starts_at: datetime | None
    # VINs of per-VIN passes active now that do not cover the request.
    other_vins: tuple[str, ...] = ()


@dataclass(frozen=True)
class AccessDecision:
    allowed: bool
    detail: str
    expired_at: datetime | None = None
    starts_at: datetime | None = None


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def products_to_buy(vin: str | None) -> list[str]:
    """The passes that would open the request: the time passes, and the VIN pass for a VIN."""
    return [*AIR_PASS_PRODUCTS, *([AIR_VIN_PASS_PRODUCT] if vin is not None else [])]


def time_pass_hint() -> str:
    """What to buy when only a time pass would do (a document for another vehicle)."""
    return f"Buy one of the passes {', '.join(AIR_PASS_PRODUCTS)} with {BUY_ENDPOINT}, then retry."


def _buy(vin: str | None) -> str:
    passes = ", ".join(AIR_PASS_PRODUCTS)
    just_this_car = f", or {AIR_VIN_PASS_PRODUCT} for VIN {vin} alone," if vin else ""
    return f"Buy one of the passes {passes}{just_this_car} with {BUY_ENDPOINT}, then retry."


def decide_access(summary: PassSummary, *, vin: str | None = None) -> AccessDecision:
    """Allow while a pass covering the request is active; otherwise say why not and what to
    buy. ``vin`` is the vehicle the request is for (None: an unscoped search)."""
    if summary.active_until is not None:
        return AccessDecision(
            allowed=True, detail=f"AIR pass valid until {_utc(summary.active_until)}."
        )
    buy = _buy(vin)
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
    if summary.other_vins:
        vins = ", ".join(summary.other_vins)
        where = f"not VIN {vin}" if vin else "not a search without a VIN"
        return AccessDecision(
            allowed=False,
            detail=(
                f"Your organisation's AIR passes cover only the vehicles {vins} ({where}): "
                f"search with vin=<that VIN> and open documents with it. {buy}"
            ),
            expired_at=summary.last_expired_at,
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
    "AIR_VIN_PASS_PRODUCT",
    "BUY_ENDPOINT",
    "AccessDecision",
    "Grant",
    "PassSummary",
    "decide_access",
    "products_to_buy",
    "time_pass_hint",
]
