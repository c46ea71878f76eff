"""The one owner of session and job state: the states and every transition between them.

Runner, services and routes change a session's or a job's state only through these functions;
each checks the current state and raises ``TransitionError`` when the move is not allowed.
They work on any object with the named attributes (the ORM rows), so this stays plain Python.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Protocol

__all__ = [
    "AWAITING_RESULT",
    "RESULT_STATES",
    "TERMINAL_SESSION_STATES",
    "JobRecord",
    "JobState",
    "SessionRecord",
    "SessionState",
    "TransitionError",
    "claim",
    "end",
    "fail",
    "plan",
    "record_result",
    "request_abort",
    "start",
]


class SessionState(StrEnum):
    PLANNED = "PLANNED"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    EXPIRED = "EXPIRED"
    ABORTED = "ABORTED"
    FAILED = "FAILED"


class JobState(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    REFUSED = "REFUSED"
    SKIPPED = "SKIPPED"
    # No result came in time (the session failed); a late result still moves the job to its
    # real outcome, since the ECU may well have been flashed.
    TIMED_OUT = "TIMED_OUT"


TERMINAL_SESSION_STATES = frozenset(
    {SessionState.COMPLETED, SessionState.EXPIRED, SessionState.ABORTED, SessionState.FAILED}
)
# The outcomes an agent can report for a job.
RESULT_STATES = frozenset({JobState.SUCCEEDED, JobState.FAILED, JobState.REFUSED})
# A job whose result is still taken: the one in flight, and one given up on too early.
AWAITING_RESULT = frozenset({JobState.RUNNING, JobState.TIMED_OUT})


class TransitionError(Exception):
    """A state change the session's or job's current state does not allow."""

    def __init__(self, what: str, current: str, wanted: str) -> None:
        super().__init__(f"{what} is {current}; it cannot become {wanted}")
        self.current = current
        self.wanted = wanted


class SessionRecord(Protocol):
    state: str
    abort_requested: bool
    started_by: uuid.UUID | None
    started_at: datetime | None
    ended_at: datetime | None
    end_detail: str | None


class JobRecord(Protocol):
    state: str
    started_at: datetime | None
    finished_at: datetime | None
    detail: str | None


def _require(what: str, current: str, allowed: Iterable[str], wanted: str) -> None:
    if current not in allowed:
        raise TransitionError(what, current, wanted)


def plan(session: SessionRecord, jobs: Iterable[JobRecord]) -> None:
    """A new session is PLANNED and each of its jobs PENDING."""
    session.state = SessionState.PLANNED
    session.abort_requested = False
    for job in jobs:
        job.state = JobState.PENDING


def start(session: SessionRecord, *, by: uuid.UUID, at: datetime) -> None:
    """PLANNED → RUNNING."""
    _require("the session", session.state, {SessionState.PLANNED}, SessionState.RUNNING)
    session.state = SessionState.RUNNING
    session.started_by = by
    session.started_at = at


def request_abort(session: SessionRecord) -> None:
    """Mark a session that has not ended to be aborted (a running one after its job)."""
    _require(
        "the session",
        session.state,
        {SessionState.PLANNED, SessionState.RUNNING},
        SessionState.ABORTED,
    )
    session.abort_requested = True


def claim(job: JobRecord, *, at: datetime) -> None:
    """PENDING → RUNNING: the job is sent to the agent now."""
    _require("the job", job.state, {JobState.PENDING}, JobState.RUNNING)
    job.state = JobState.RUNNING
    job.started_at = at


def record_result(job: JobRecord, outcome: JobState, *, detail: str | None, at: datetime) -> None:
    """RUNNING or TIMED_OUT → the reported outcome (SUCCEEDED, FAILED or REFUSED)."""
    if outcome not in RESULT_STATES:
        raise TransitionError("a job result", outcome, "a job's outcome")
    _require("the job", job.state, AWAITING_RESULT, outcome)
    job.state = outcome
    job.detail = detail
    job.finished_at = at


def fail(job: JobRecord, state: JobState, *, reason: str, at: datetime) -> None:
    """RUNNING → FAILED (the job never reached the agent) or TIMED_OUT (its result is
    missing: not finished, a late result is still taken)."""
    if state not in (JobState.FAILED, JobState.TIMED_OUT):
        raise TransitionError("a failed job", state, "FAILED or TIMED_OUT")
    _require("the job", job.state, {JobState.RUNNING}, state)
    job.state = state
    job.detail = reason
    if state == JobState.FAILED:
        job.finished_at = at


def end(
    session: SessionRecord,
    jobs: Iterable[JobRecord],
    state: SessionState,
    *,
    detail: str,
    at: datetime,
) -> None:
    """RUNNING → COMPLETED, EXPIRED, ABORTED or FAILED; PLANNED → ABORTED. Jobs that never
    started are SKIPPED."""
    if state not in TERMINAL_SESSION_STATES:
        raise TransitionError("an ended session", state, "a final state")
    allowed = {SessionState.RUNNING}
    if state == SessionState.ABORTED:
        allowed.add(SessionState.PLANNED)
    _require("the session", session.state, allowed, state)
    for job in jobs:
        if job.state == JobState.PENDING:
            job.state = JobState.SKIPPED
    session.state = state
    session.ended_at = at
    session.end_detail = detail
