"""Granting and reading entitlements."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.entitlements import EntitlementRepository
from billing.db.models import Entitlement, Order, OrderLine
from billing.domain.catalog import Scope
from billing.domain.entitlements import Window, chain_end, next_window, seconds_until

__all__ = [
    "ScopeCoverage",
    "VinCoverage",
    "chain_start",
    "grant_for_line",
    "list_entitlements",
    "summarize",
    "summarize_vin_passes",
    "window_of",
]


def window_of(entitlement: Entitlement) -> Window:
    return Window(entitlement.valid_from, entitlement.valid_until)


async def chain_start(
    session: AsyncSession,
    organization_id: uuid.UUID,
    *,
    scope: str,
    vin: str | None,
    lock: bool = False,
) -> datetime | None:
    """The end of the latest live window of a chain (organisation, scope, and VIN for a
    per-VIN pass), where a new pass would start; ``lock`` holds the chain until commit."""
    repository = EntitlementRepository(session)
    if lock:
        await repository.lock_chain(organization_id, scope, vin)
    return await repository.latest_valid_until(organization_id, scope, vin)


async def grant_for_line(
    session: AsyncSession, order: Order, line: OrderLine, *, now: datetime
) -> Entitlement:
    """The entitlement a paid pass line gives, chained after the latest live window of its
    chain so that windows neither overlap nor leave a gap. Time passes chain per organisation
    and scope; per-VIN passes per organisation, scope and VIN."""
    if line.scope is None or line.duration_seconds is None:
        raise ValueError(f"order line {line.id} is not a pass")
    latest = await chain_start(
        session, order.organization_id, scope=line.scope, vin=line.vin, lock=True
    )
    window = next_window(now=now, latest_valid_until=latest, duration_seconds=line.duration_seconds)
    return await EntitlementRepository(session).add(
        Entitlement(
            id=uuid.uuid4(),
            organization_id=order.organization_id,
            scope=line.scope,
            order_id=order.id,
            order_line_id=line.id,
            vin=line.vin,
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
        if entitlement.vin is None:
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


@dataclass(frozen=True)
class VinCoverage:
    """Until when one vehicle is covered by per-VIN passes of a scope, from ``now`` on."""

    scope: Scope
    vin: str
    valid_until: datetime


async def summarize_vin_passes(
    session: AsyncSession, organization_id: uuid.UUID, *, now: datetime
) -> list[VinCoverage]:
    """One entry per scope and VIN whose per-VIN pass covers ``now``, by scope then VIN."""
    chains: dict[tuple[str, str], list[Window]] = defaultdict(list)
    for entitlement in await EntitlementRepository(session).list_not_ended(
        organization_id, now=now
    ):
        if entitlement.vin is not None:
            chains[(entitlement.scope, entitlement.vin)].append(window_of(entitlement))
    found: list[VinCoverage] = []
    for (scope, vin), windows in sorted(chains.items()):
        end = chain_end(windows, now=now)
        if end is not None:
            found.append(VinCoverage(scope=Scope(scope), vin=vin, valid_until=end))
    return found
