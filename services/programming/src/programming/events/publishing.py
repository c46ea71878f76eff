"""Events this service writes to its outbox, on topic ``programming.v1``."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.ext.asyncio import AsyncSession

from aos.events.v1 import programming_pb2
from programming.db.models import FlashJob, ProgrammingSession
from programming.domain.sessions import JobState, SessionState
from servicekit.outbox import OutboxWriter

__all__ = [
    "OUTBOX",
    "TOPIC",
    "record_job_finished",
    "record_session_ended",
    "record_session_started",
]

TOPIC = "programming.v1"
SOURCE = "programming"
# Every programming event goes through this writer; the relay adds the namespace.
OUTBOX = OutboxWriter(topic=TOPIC, source=SOURCE)

SESSION_END_REASONS = {
    SessionState.COMPLETED: programming_pb2.SESSION_END_REASON_COMPLETED,
    SessionState.EXPIRED: programming_pb2.SESSION_END_REASON_EXPIRED,
    SessionState.ABORTED: programming_pb2.SESSION_END_REASON_ABORTED,
    SessionState.FAILED: programming_pb2.SESSION_END_REASON_FAILED,
}
FLASH_OUTCOMES = {
    JobState.SUCCEEDED: programming_pb2.FLASH_OUTCOME_SUCCEEDED,
    JobState.FAILED: programming_pb2.FLASH_OUTCOME_FAILED,
    JobState.REFUSED: programming_pb2.FLASH_OUTCOME_FAILED,
}


def _stamp(moment: datetime | None) -> Timestamp | None:
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def _starter(programming_session: ProgrammingSession) -> str:
    """Who started the session; its creator when it ended before it started (an abort)."""
    return str(programming_session.started_by or programming_session.created_by)


async def record_session_started(
    session: AsyncSession, programming_session: ProgrammingSession
) -> None:
    message = programming_pb2.SessionStarted(
        session_id=str(programming_session.id),
        organization_id=str(programming_session.organization_id),
        vin=programming_session.vin,
        agent_id=str(programming_session.agent_id),
        started_by=_starter(programming_session),
        started_at=_stamp(programming_session.started_at),
    )
    await OUTBOX.record(session, message, aggregate_id=str(programming_session.id))


async def record_session_ended(
    session: AsyncSession,
    programming_session: ProgrammingSession,
    *,
    state: SessionState,
    ended_at: datetime,
    detail: str,
) -> None:
    """SessionEnded with the vehicle, the starter and the start (unset when it never started),
    so a usage report needs no other event."""
    message = programming_pb2.SessionEnded(
        session_id=str(programming_session.id),
        organization_id=str(programming_session.organization_id),
        reason=SESSION_END_REASONS[state],
        ended_at=_stamp(ended_at),
        detail=detail,
        vin=programming_session.vin,
        started_by=_starter(programming_session),
        started_at=_stamp(programming_session.started_at),
    )
    await OUTBOX.record(session, message, aggregate_id=str(programming_session.id))


async def record_job_finished(
    session: AsyncSession, job: FlashJob, *, programming_session: ProgrammingSession
) -> None:
    """FlashJobFinished, with the session's organisation, vehicle and starter."""
    message = programming_pb2.FlashJobFinished(
        job_id=str(job.id),
        session_id=str(job.session_id),
        organization_id=str(programming_session.organization_id),
        ecu_logical_address=job.ecu_logical_address,
        ecu_type=job.ecu_type,
        version_before=job.version_before,
        version_after=job.version_after or "",
        outcome=FLASH_OUTCOMES.get(JobState(job.state), programming_pb2.FLASH_OUTCOME_ABORTED),
        started_at=_stamp(job.started_at),
        finished_at=_stamp(job.finished_at),
        bytes_transferred=job.bytes_transferred,
        detail=job.detail or "",
        vin=programming_session.vin,
        started_by=_starter(programming_session),
    )
    await OUTBOX.record(session, message, aggregate_id=str(job.session_id))
