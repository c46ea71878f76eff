"""What agents send about a running job: traces, progress and results (keys:
services/security_keys.py)."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from aos.agent.v1 import agent_pb2
from programming.db.models import FlashJob
from programming.db.sessions import SessionRepository
from programming.domain import sessions as states
from programming.domain.sessions import AWAITING_RESULT, JobState
from programming.events.publishing import record_job_finished
from programming.metrics import FLASH_OUTCOMES

__all__ = ["add_trace", "agent_job", "outcome_state", "record_job_result"]

_OUTCOME_STATES = {
    agent_pb2.JOB_OUTCOME_SUCCEEDED: JobState.SUCCEEDED,
    agent_pb2.JOB_OUTCOME_FAILED: JobState.FAILED,
    agent_pb2.JOB_OUTCOME_REFUSED: JobState.REFUSED,
}


def outcome_state(result: agent_pb2.JobResult) -> JobState:
    """The job state a result reports (an outcome this service does not know is a failure)."""
    return _OUTCOME_STATES.get(result.outcome, JobState.FAILED)


async def agent_job(
    session: AsyncSession, job_id: str, *, agent_id: uuid.UUID, lock: bool = False
) -> FlashJob | None:
    """The job ``job_id`` if it belongs to a session run on ``agent_id``; else None."""
    try:
        parsed = uuid.UUID(job_id)
    except ValueError:
        return None
    repository = SessionRepository(session)
    job = await repository.job(parsed, lock=lock)
    if job is None:
        return None
    owner = await repository.get(job.session_id, organization_id=None)
    return job if owner is not None and owner.agent_id == agent_id else None


async def add_trace(
    session: AsyncSession, trace: agent_pb2.UdsTrace, *, agent_id: uuid.UUID
) -> bool:
    """Add a batch of trace records to the job's counts per (service, NRC)."""
    job = await agent_job(session, trace.job_id, agent_id=agent_id)
    # Once the result is in, its trace summary is the job's whole trace: a batch that arrives
    # after it must not count twice.
    if job is None or job.state not in AWAITING_RESULT:
        return False
    counts: dict[tuple[int, int], tuple[int, int]] = {}
    for record in trace.records:
        key = (record.service_id, 0 if record.positive else record.nrc)
        count, retried = counts.get(key, (0, 0))
        counts[key] = (count + 1, retried + int(record.retried))
    await SessionRepository(session).add_trace_counts(job.id, counts)
    return True


async def record_job_result(
    session: AsyncSession,
    result: agent_pb2.JobResult,
    *,
    agent_id: uuid.UUID,
    now: datetime,
) -> FlashJob | None:
    """Record a job's result once (also when it arrives after a reconnect, or after the session
    gave up waiting) and write FlashJobFinished to the outbox.

    Returns the job, or None when it is not this agent's. A repeated result changes nothing.
    """
    job = await agent_job(session, result.job_id, agent_id=agent_id, lock=True)
    if job is None:
        return None
    if job.state not in AWAITING_RESULT:
        return job
    states.record_result(
        job,
        outcome_state(result),
        detail=result.detail or None,
        at=result.finished_at.ToDatetime(tzinfo=UTC) if result.HasField("finished_at") else now,
    )
    job.version_after = result.version_after or None
    job.bytes_transferred = result.bytes_transferred
    job.retried_blocks = result.retried_blocks
    job.resumed_times = result.resumed_times
    job.left_in_bootloader = job.state == JobState.FAILED and result.ecu_in_bootloader
    if result.has_battery_volts:
        job.battery_volts_at_start = _volts(result.battery_volts_at_start)
        job.battery_volts_min = _volts(result.battery_volts_min)
        job.battery_volts_max = _volts(result.battery_volts_max)
    job.download_token_hash = None  # the image link dies with the job
    repository = SessionRepository(session)
    if result.has_trace_summary:
        # The agent journals the whole trace with the result: it replaces the live batches,
        # some of which may have been lost with the link.
        await repository.replace_trace_counts(
            job.id,
            {
                (count.service_id, count.nrc): (count.count, count.retried)
                for count in result.trace_summary
            },
        )
    owner = await repository.get(job.session_id, organization_id=None)
    assert owner is not None  # agent_job found it
    await session.flush()
    await record_job_finished(session, job, programming_session=owner)
    FLASH_OUTCOMES.labels(state=job.state).inc()
    return job


# Readings beyond this are not a vehicle battery (12 V and 24 V systems): not stored.
_MAX_PLAUSIBLE_VOLTS = 60.0


def _volts(value: float) -> float | None:
    """A battery reading as stored: rounded to 10 mV (the proto's float32 carries noise such
    as 12.600000381), None when it is not a plausible reading."""
    if not math.isfinite(value) or not 0.0 <= value <= _MAX_PLAUSIBLE_VOLTS:
        return None
    return round(value, 2)
