"""Granting and reading entitlements."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.entitlements import EntitlementRepository
from billing.db.models import Entitlement, Order
from billing.domain.catalog import Scope
from billing.domain.entitlements import Window, chain_end, next_window, seconds_until

__all__ = [
    "ScopeCoverage",
    "grant_for_order",
    "list_entitlements",
    "summarize",
    "window_of",
]


def window_of(entitlement: Entitlement) -> Window:
    return Window(entitlement.valid_from, entitlement.valid_until)


async def grant_for_order(session: AsyncSession, order: Order, *, now: datetime) -> Entitlement:
    """The entitlement an order pays for, chained after the organisation's latest window of
    the same scope so that windows neither overlap nor leave a gap."""
    repository = EntitlementRepository(session)
    await repository.lock_chain(order.organization_id, order.scope)
    latest = await repository.latest_valid_until(order.organization_id, order.scope)
    window = next_window(
        now=now, latest_valid_until=latest, duration_seconds=order.duration_seconds
    )
    return await repository.add(
        Entitlement(
            id=uuid.uuid4(),
            organization_id=order.organization_id,
            scope=order.scope,
            order_id=order.id,
            valid_from=window.valid_from,
            valid_until=window.valid_until,
        )
    )


async def list_entitlements(
    session: AsyncSession,
    organization_id: uuid.UUID,
    *,
    now: datetime,
    active: bool | None = None,
    limit: int = 100,
) -> Sequence[Entitlement]:
    return await EntitlementRepository(session).list_for_organization(
        organization_id, now=now, active=active, limit=limit
    )


@dataclass(frozen=True)
class ScopeCoverage:
    """How long a scope stays usable without interruption from ``now``, and the windows that
    make it up: the running one first, then those queued behind it (time bought on top)."""

    scope: Scope
    valid_until: datetime | None
    seconds_left: int
    windows: tuple[Window, ...] = ()

    @property
    def active(self) -> bool:
        return self.valid_until is not None


async def summarize(
    session: AsyncSession, organization_id: uuid.UUID, *, now: datetime
) -> list[ScopeCoverage]:
    """One entry per scope, in scope order, whether the organisation has a pass or not."""
    windows: dict[str, list[Window]] = defaultdict(list)
    for entitlement in await EntitlementRepository(session).list_not_ended(
        organization_id, now=now
    ):
        windows[entitlement.scope].append(window_of(entitlement))
    coverage: list[ScopeCoverage] = []
    for scope in Scope:
        end = chain_end(windows[scope.value], now=now)
        coverage.append(
            ScopeCoverage(
                scope=scope,
                valid_until=end,
                seconds_left=0 if end is None else seconds_until(end, now=now),
                windows=tuple(sorted(windows[scope.value], key=lambda w: w.valid_from)),
            )
        )
    return coverage
