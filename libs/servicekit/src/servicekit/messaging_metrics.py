"""Metrics of the outbox and the consumers beyond request rates: what waits, and for how long.

- ``aos_outbox_backlog{service}``: outbox rows not yet published, and
  ``aos_outbox_oldest_unpublished_age_seconds{service}``: how long the oldest of them has waited
  (from the event's ``occurred_at``; 0 when none waits). Both are facts of the database, read
  by every process every ``AOS_METRICS_REFRESH_SECONDS`` (one indexed query), not at each scrape:
  scrapes may come often and from several collectors.
- ``aos_outbox_relay_active{service}``: 1 in the process whose relay holds the lock (one per
  service), and ``aos_outbox_published_total{service}``.
- ``aos_consumer_lag{service,consumer,topic,partition}``: events in a partition that its
  consumer has not applied yet (the partition's high watermark minus the consumer's position),
  updated after every batch it fetches.

With several worker processes (prometheus_client's multiprocess mode, see
:mod:`servicekit.multiprocess_metrics`) every gauge says how to merge the processes' values.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from prometheus_client import Counter, Gauge
from sqlalchemy import func, select

from servicekit.db import Database
from servicekit.failures import is_infrastructure_error
from servicekit.logging import describe_error, get_logger
from servicekit.outbox import outbox_table

__all__ = [
    "CONSUMER_LAG",
    "OUTBOX_BACKLOG",
    "OUTBOX_OLDEST_AGE",
    "OUTBOX_PUBLISHED",
    "RELAY_ACTIVE",
    "MetricsRefresh",
    "refresh_metrics_forever",
    "refresh_outbox_metrics",
]

OUTBOX_BACKLOG = Gauge(
    "aos_outbox_backlog",
    "Outbox rows committed but not yet published to Kafka",
    ["service"],
    multiprocess_mode="livemostrecent",
)
OUTBOX_OLDEST_AGE = Gauge(
    "aos_outbox_oldest_unpublished_age_seconds",
    "Seconds since the oldest unpublished outbox row's event occurred (0: none waits)",
    ["service"],
    multiprocess_mode="livemostrecent",
)
RELAY_ACTIVE = Gauge(
    "aos_outbox_relay_active",
    "1 while this process's outbox relay holds the service's relay lock and publishes",
    ["service"],
    multiprocess_mode="livemax",
)
OUTBOX_PUBLISHED = Counter(
    "aos_outbox_published_total",
    "Outbox rows published to Kafka (acknowledged by the broker)",
    ["service"],
)
CONSUMER_LAG = Gauge(
    "aos_consumer_lag",
    "Events in a partition its consumer has not applied yet (high watermark - position)",
    ["service", "consumer", "topic", "partition"],
    multiprocess_mode="livemax",
)

# A service's own gauges refreshed with the outbox's (programming: sessions by state).
MetricsRefresh = Callable[[Database], Awaitable[None]]


async def refresh_outbox_metrics(database: Database, *, service: str) -> None:
    """Read the backlog and the oldest unpublished row's age into the gauges (one query on the
    partial index of unpublished rows)."""
    async with database.transaction() as session:
        backlog, age = (
            await session.execute(
                select(
                    func.count(),
                    func.coalesce(
                        func.extract("epoch", func.now() - func.min(outbox_table.c.occurred_at)),
                        0,
                    ),
                ).where(outbox_table.c.published_at.is_(None))
            )
        ).one()
    OUTBOX_BACKLOG.labels(service=service).set(backlog)
    OUTBOX_OLDEST_AGE.labels(service=service).set(max(float(age), 0.0))


async def refresh_metrics_forever(
    database: Database,
    *,
    service: str,
    interval: float,
    extra: MetricsRefresh | None = None,
) -> None:
    """Refresh the database-backed gauges every ``interval`` s until cancelled; a database that
    is away leaves the last values and is said once, not at every try."""
    log = get_logger(__name__)
    failing = False
    while True:
        started = time.monotonic()
        try:
            await refresh_outbox_metrics(database, service=service)
            if extra is not None:
                await extra(database)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if not failing:
                level = "warning" if is_infrastructure_error(exc) else "error"
                getattr(log, level)("metrics not refreshed", error=describe_error(exc))
            failing = True
        else:
            failing = False
        await asyncio.sleep(max(interval - (time.monotonic() - started), 0.0))
