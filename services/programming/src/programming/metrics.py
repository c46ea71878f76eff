"""Programming's own metrics: agents online, sessions by state, flash outcomes.

Agents online and sessions by state are facts of the database (an agent's WebSocket may be held
by any replica), re-read with the outbox's gauges every ``AOS_METRICS_REFRESH_SECONDS`` in every
process (servicekit.messaging_metrics), not at each scrape. Flash outcomes are counted where a
job's result is recorded. Refused key requests are counted by
``aos_programming_security_key_refused_total{reason}`` (services/security_keys.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client import Counter, Gauge

from programming.config import Settings
from programming.db.gauges import agents_seen_since, sessions_by_state
from programming.domain.sessions import SessionState
from servicekit.db import Database
from servicekit.messaging_metrics import MetricsRefresh

__all__ = ["AGENTS_ONLINE", "FLASH_OUTCOMES", "SESSIONS", "SESSION_STATES", "programming_metrics"]

# Every state a session can be in (the sessions table's check constraint): a state with no
# session reads 0 rather than vanishing from the scrape.
SESSION_STATES = tuple(state.value for state in SessionState)
# An agent silent for this many heartbeats is taken as gone (as the agent link does).
SILENT_HEARTBEATS = 3

AGENTS_ONLINE = Gauge(
    "aos_programming_agents_online",
    "Paired agents heard from within three heartbeat intervals, over all replicas",
    multiprocess_mode="livemostrecent",
)
SESSIONS = Gauge(
    "aos_programming_sessions",
    "Programming sessions by state",
    ["state"],
    multiprocess_mode="livemostrecent",
)
FLASH_OUTCOMES = Counter(
    "aos_programming_flash_outcomes_total",
    "Flash jobs whose result was recorded, by the state it left them in",
    ["state"],
)


def programming_metrics(settings: Settings) -> MetricsRefresh:
    """The refresh of the gauges above, for ``ServiceSpec.metrics_refresh``."""
    silence = timedelta(seconds=settings.heartbeat_interval_seconds * SILENT_HEARTBEATS)

    async def refresh(database: Database) -> None:
        async with database.transaction() as session:
            counts = await sessions_by_state(session)
            online = await agents_seen_since(session, datetime.now(UTC) - silence)
        for state in {*SESSION_STATES, *counts}:
            SESSIONS.labels(state=state).set(counts.get(state, 0))
        AGENTS_ONLINE.set(online)

    return refresh
