"""Programming's own metrics: agents online, sessions by state, flash outcomes.

Agents online and the open sessions (PLANNED, RUNNING) by state are facts of the database (an
agent's WebSocket may be held by any replica), re-read with the outbox's gauges every
``AOS_METRICS_REFRESH_SECONDS`` in every process (servicekit.messaging_metrics), not at each
scrape; the open sessions are counted from a partial index that holds only them (migration
programming_0009), so the refresh costs the same with a million ended sessions as with none.
Ended sessions are not counted live (that would read every session ever run): each end is
counted once, when it commits, in ``aos_programming_sessions_ended_total{state}`` (use its
rate, or its increase over a window). Flash outcomes are counted where a job's result is
recorded. Refused key requests are counted by
``aos_programming_security_key_refused_total{reason}`` (services/security_keys.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client import Counter, Gauge

from programming.config import Settings
from programming.db.gauges import agents_seen_since, open_sessions_by_state
from programming.domain.sessions import TERMINAL_SESSION_STATES, SessionState
from servicekit.db import Database
from servicekit.messaging_metrics import MetricsRefresh

__all__ = [
    "AGENTS_ONLINE",
    "ENDED_STATES",
    "FLASH_OUTCOMES",
    "OPEN_STATES",
    "SESSIONS",
    "SESSIONS_ENDED",
    "programming_metrics",
]

# The states of a session not ended yet (gauged) and its final states (counted): a state with no
# session reads 0 rather than vanishing from the scrape.
OPEN_STATES = tuple(state.value for state in SessionState if state not in TERMINAL_SESSION_STATES)
ENDED_STATES = tuple(state.value for state in SessionState if state in TERMINAL_SESSION_STATES)
# An agent silent for this many heartbeats is taken as gone (as the agent link does).
SILENT_HEARTBEATS = 3

AGENTS_ONLINE = Gauge(
    "aos_programming_agents_online",
    "Paired agents heard from within three heartbeat intervals, over all replicas",
    multiprocess_mode="livemostrecent",
)
SESSIONS = Gauge(
    "aos_programming_sessions",
    "Programming sessions not ended yet (PLANNED, RUNNING), by state, over all replicas",
    ["state"],
    multiprocess_mode="livemostrecent",
)
SESSIONS_ENDED = Counter(
    "aos_programming_sessions_ended_total",
    "Programming sessions that ended, by final state, counted when the end commits",
    ["state"],
)
for _state in ENDED_STATES:
    SESSIONS_ENDED.labels(state=_state)
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
            counts = await open_sessions_by_state(session, OPEN_STATES)
            online = await agents_seen_since(session, datetime.now(UTC) - silence)
        for state in OPEN_STATES:
            SESSIONS.labels(state=state).set(counts.get(state, 0))
        AGENTS_ONLINE.set(online)

    return refresh
