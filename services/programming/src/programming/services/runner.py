"""Runs a started session: its jobs one by one through the agent, guarded by paid time.

A job starts only when the PROGRAMMING pass has the job's estimate plus the margin left; a job
that started always runs to its result (the ECU must not be left half-flashed). When time is
short between jobs, the session ends EXPIRED.

A database that is away for a moment (the pool exhausted by a reconnect storm, a connection
lost, a restart) does not end a session: each step of the runner that reads or writes the
database is tried again, with a growing jittered pause, until it succeeds (``_retrying``). A
step that failed changed nothing (its transaction rolled back), so trying it again is safe, and
the paid-time check is made when the next job is actually claimed. A session that must fail
ends with a sentence for the technician, never a library's message.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal, TypeVar

from prometheus_client import Counter

from aos.agent.v1 import agent_pb2
from programming.db.catalog import CatalogRepository
from programming.db.models import EcuType
from programming.db.sessions import SessionRepository
from programming.domain import sessions as states
from programming.domain.credentials import digest, new_credential
from programming.domain.sessions import JobState, SessionState
from programming.domain.timeguard import EXPIRED_DETAIL, check_job_fits
from programming.errors import AgentOfflineError, AgentTimeoutError
from programming.services.agent_link import AgentConnection, AgentDisconnectedError, AgentLink
from programming.services.entitlements import paid_windows
from programming.services.jobs import outcome_state
from programming.services.runtime import Runtime
from programming.services.sessions import end_session
from programming.services.vehicle import catalog_can_ids, read_vehicle
from servicekit.failures import is_database_unavailable
from servicekit.logging import get_logger

__all__ = [
    "complete_reports",
    "keep_taking_over",
    "resume_sessions",
    "run_session",
    "start_runner",
    "take_over_sessions",
]

log = get_logger(__name__)

ENDED: Literal["ended"] = "ended"
# How often a runner waiting for a job's result also looks for it in the table.
RESULT_RECHECK_SECONDS = 5.0
# Pauses between tries of a step that met an unavailable database: the first, and the longest
# (each pause is drawn between half and all of the current one, which doubles each time).
RETRY_FIRST_SECONDS = 0.2
RETRY_MAX_SECONDS = 5.0
# What a technician reads when a session stopped on an error of this service.
INTERNAL_FAILURE = (
    "the programming service stopped this session after an unexpected error (reference {ref}); "
    "no further ECU was started. Plan a new session to continue, and give the reference to "
    "support if it happens again"
)

RUNNER_RETRIES = Counter(
    "aos_programming_session_runner_retries_total",
    "Steps of session runners tried again because the database was unavailable",
)

T = TypeVar("T")


def _transient(error: BaseException) -> bool:
    """The database is away for now (not the agent: that is a fact about the session)."""
    return not isinstance(error, AgentDisconnectedError) and is_database_unavailable(error)


async def _retrying(step: Callable[[], Awaitable[T]], *, session_id: uuid.UUID, what: str) -> T:
    """``step()``, tried again while it fails because the database is unavailable."""
    pause = RETRY_FIRST_SECONDS
    while True:
        try:
            return await step()
        except Exception as exc:
            if not _transient(exc):
                raise
            pause = await _pause_after(exc, pause, session_id=session_id, what=what)


async def _pause_after(
    error: BaseException, pause: float, *, session_id: uuid.UUID, what: str
) -> float:
    """Count and log a step that met an unavailable database, wait a jittered ``pause``;
    returns the next pause."""
    RUNNER_RETRIES.inc()
    log.warning(
        "session runner: database unavailable, trying again",
        session_id=str(session_id),
        step=what,
        error=type(error).__name__,
    )
    await asyncio.sleep(random.uniform(pause / 2, pause))
    return min(pause * 2, RETRY_MAX_SECONDS)


async def _publish(runtime: Runtime, session_id: uuid.UUID, event: dict[str, object]) -> None:
    """A live event for the SSE listeners: skipped, not retried, when the database is away
    (live events are transient; the session's state is in the tables)."""
    try:
        await runtime.cluster.publish_event(session_id, event)
    except Exception as exc:
        if not _transient(exc):
            raise
        log.warning("live session event not sent", session_id=str(session_id))


@dataclass(frozen=True)
class _Next:
    job_id: uuid.UUID
    agent_id: uuid.UUID
    frame: agent_pb2.AgentFrame | None  # None: the job is already in flight
    timeout: float
    # The agent's current connection the job was bound to when it was claimed.
    link: AgentLink | None = None


@dataclass(frozen=True)
class _Outcome:
    """How a job ended, as its result said (or as recorded before this runner started)."""

    state: JobState
    detail: str | None


async def run_session(runtime: Runtime, session_id: uuid.UUID) -> None:
    """Run the session to its end; any unexpected error ends it FAILED (never silently)."""
    try:
        await _run(runtime, session_id)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        reference = uuid.uuid4().hex[:12]
        log.error(
            "session runner failed", session_id=str(session_id), reference=reference, exc_info=exc
        )
        detail = INTERNAL_FAILURE.format(ref=reference)
        await _retrying(
            lambda: _end(runtime, session_id, state=SessionState.FAILED, detail=detail),
            session_id=session_id,
            what="end",
        )


async def _end(
    runtime: Runtime, session_id: uuid.UUID, *, state: SessionState, detail: str
) -> None:
    async with runtime.database.transaction() as session:
        found = await SessionRepository(session).get(session_id, organization_id=None, lock=True)
        if found is not None and found.state == SessionState.RUNNING:
            await end_session(session, runtime, found, state=state, detail=detail)


async def _prepare_next(runtime: Runtime, session_id: uuid.UUID) -> _Next | Literal["ended"] | None:
    """Claim the next job (RUNNING, with a fresh download token) and build its StartJob.

    Returns None when every job ran, or ENDED when the session ended here (expired, aborted,
    agent gone) or elsewhere.
    """
    settings = runtime.settings
    async with runtime.database.transaction() as session:
        repository = SessionRepository(session)
        found = await repository.get(session_id, organization_id=None, lock=True)
        if found is None or found.state != SessionState.RUNNING:
            return ENDED
        if found.abort_requested:
            await end_session(
                session, runtime, found, state=SessionState.ABORTED, detail="aborted by the user"
            )
            return ENDED
        jobs = await repository.jobs(session_id)
        job = next((j for j in jobs if j.state == JobState.PENDING), None)
        if job is None:
            return None
        now = runtime.now()
        check = check_job_fits(
            await paid_windows(session, found.organization_id, vin=found.vin, now=now),
            now=now,
            estimate_seconds=job.estimated_seconds,
            margin_seconds=settings.time_margin_seconds,
        )
        if not check.allowed:
            detail = (
                f"{EXPIRED_DETAIL} (the next job, {job.ecu_name} to {job.target_version}, needs "
                f"{check.seconds_needed:.0f} s including the safety margin; "
                f"{max(check.seconds_left, 0):.0f} s of paid time are left)"
            )
            await end_session(session, runtime, found, state=SessionState.EXPIRED, detail=detail)
            return ENDED
        link = await runtime.cluster.link(found.agent_id, session=session)
        if link is None:
            await end_session(
                session,
                runtime,
                found,
                state=SessionState.FAILED,
                detail="the agent is not connected",
            )
            return ENDED
        catalog = CatalogRepository(session)
        release = await catalog.release(job.release_id)
        ecu_type = await catalog.ecu_type(job.ecu_type)
        if release is None or ecu_type is None:
            raise RuntimeError(f"job {job.id} refers to a release or ECU type that is gone")
        token = new_credential()
        timeout = (
            job.estimated_seconds * settings.job_timeout_factor + settings.job_timeout_grace_seconds
        )
        states.claim(job, at=now)
        # The job runs on the agent's current connection: key requests on any other are
        # refused until that one is gone (services/security_keys.py).
        job.connection_id = link.connection_id
        job.download_token_hash = digest(token)
        job.download_token_expires_at = now + timedelta(seconds=timeout)
        frame = agent_pb2.AgentFrame(
            start_job=agent_pb2.StartJob(
                job_id=str(job.id),
                session_id=str(session_id),
                ecu_logical_address=job.ecu_logical_address,
                ecu_type=job.ecu_type,
                target_version=job.target_version,
                image_url=f"{settings.public_base_url.rstrip('/')}/releases/{release.id}/image",
                image_sha256=release.sha256,
                image_signature=release.signature,
                image_size=release.size,
                memory_address=release.memory_address,
                security_level=ecu_type.security_level,
                download_token=token,
                **_can_ids(ecu_type),
            )
        )
        return _Next(
            job_id=job.id, agent_id=found.agent_id, frame=frame, timeout=timeout, link=link
        )


async def _in_flight(runtime: Runtime, session_id: uuid.UUID) -> _Next | None:
    """A job an earlier process left RUNNING (it restarted mid-job): its result is awaited
    until the job's original deadline; nothing is sent again."""
    settings = runtime.settings
    async with runtime.database.transaction() as session:
        repository = SessionRepository(session)
        found = await repository.get(session_id, organization_id=None)
        jobs = await repository.jobs(session_id)
    job = next((j for j in jobs if j.state == JobState.RUNNING), None)
    if found is None or found.state != SessionState.RUNNING:
        return None  # ended meanwhile: the next step sees it
    if job is None or job.started_at is None:
        return None
    budget = (
        job.estimated_seconds * settings.job_timeout_factor + settings.job_timeout_grace_seconds
    )
    left = (job.started_at + timedelta(seconds=budget) - runtime.now()).total_seconds()
    return _Next(job_id=job.id, agent_id=found.agent_id, frame=None, timeout=max(left, 0.0))


async def _recorded_outcome(runtime: Runtime, job_id: uuid.UUID) -> _Outcome | None:
    """The job's outcome if its result was recorded already (before this runner took the
    session over); None while it is still RUNNING."""
    async with runtime.database.transaction() as session:
        job = await SessionRepository(session).job(job_id)
    if job is None or job.state == JobState.RUNNING:
        return None
    return _Outcome(state=JobState(job.state), detail=job.detail)


async def _run_job(runtime: Runtime, session_id: uuid.UUID, step: _Next) -> bool:
    """Send the job (unless it is already in flight) and wait for its result; False when the
    session ended."""
    registry = runtime.registry
    await _publish(
        runtime, session_id, {"type": "job", "job_id": str(step.job_id), "state": JobState.RUNNING}
    )
    # Registered before anything is sent or read: a result arriving from now on is kept.
    future = registry.expect_result(step.job_id)
    try:
        outcome = None
        if step.frame is not None:
            link = step.link or await _retrying(
                lambda: runtime.cluster.link(step.agent_id), session_id=session_id, what="link"
            )
            if link is None:
                raise AgentDisconnectedError(f"agent {step.agent_id} is not connected")
            if isinstance(link, AgentConnection):
                # Bound before the send: the job's key requests are answered on this link
                # only (a remote replica binds its own connection the same way).
                registry.bind_job(step.job_id, link)
            frame = step.frame
            # A remote send is a NOTIFY, delivered only if its transaction commits: one that
            # failed for the database reached nobody and is sent again.
            await _retrying(lambda: link.send(frame), session_id=session_id, what="start job")
        else:
            # A job in flight from before: its result may have been recorded already.
            outcome = await _retrying(
                lambda: _recorded_outcome(runtime, step.job_id),
                session_id=session_id,
                what="recorded result",
            )
        if outcome is None:
            # The result may come on a later connection after a reconnect: wait on the
            # registry's future, not on this connection.
            outcome = await _await_result(runtime, step, future)
    except (TimeoutError, AgentDisconnectedError) as exc:
        timed_out = isinstance(exc, TimeoutError)
        reason = (
            f"no result from the agent within {step.timeout:.0f} s"
            if timed_out
            else "the agent was not connected when the job was to start"
        )
        state = JobState.TIMED_OUT if timed_out else JobState.FAILED
        await _retrying(
            lambda: _fail_job(runtime, session_id, step.job_id, reason, state=state),
            session_id=session_id,
            what="fail job",
        )
        return False
    finally:
        registry.forget_result(step.job_id)
        registry.release_job(step.job_id)
        runtime.ecu_waits.pop(step.job_id, None)
    await _publish(
        runtime, session_id, {"type": "job", "job_id": str(step.job_id), "state": outcome.state}
    )
    if outcome.state != JobState.SUCCEEDED:
        detail = f"job {step.job_id} {outcome.state.lower()}: {outcome.detail or 'no detail'}"
        await _retrying(
            lambda: _end(runtime, session_id, state=SessionState.FAILED, detail=detail),
            session_id=session_id,
            what="end",
        )
        return False
    return True


async def _await_result(
    runtime: Runtime, step: _Next, future: asyncio.Future[agent_pb2.JobResult]
) -> _Outcome:
    """Wait for the job's result until its deadline, moved out by the time the agent spent
    waiting for the ECU (a power loss can last minutes, and the job must not be given up while
    the agent can still resume it). Raises TimeoutError."""
    loop = asyncio.get_running_loop()
    silence = runtime.settings.job_silence_seconds
    deadline = loop.time() + step.timeout
    while True:
        now = loop.time()
        wait = runtime.ecu_waits.get(step.job_id)
        left = deadline + (wait.waited(now=now, silence=silence) if wait else 0.0) - now
        if left <= 0:
            raise TimeoutError
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(min(left, RESULT_RECHECK_SECONDS)):
                result = await asyncio.shield(future)
            return _Outcome(state=outcome_state(result), detail=result.detail or None)
        # A result recorded on another replica comes by NOTIFY; one lost on the way (its
        # listener was reconnecting) is still found in the table.
        try:
            recorded = await _recorded_outcome(runtime, step.job_id)
        except Exception as exc:
            if not _transient(exc):
                raise
            continue  # the database is away: keep waiting, look again at the next recheck
        if recorded is not None:
            return recorded


async def _run(runtime: Runtime, session_id: uuid.UUID) -> None:
    def resume() -> Awaitable[_Next | None]:
        return _in_flight(runtime, session_id)

    def prepare() -> Awaitable[_Next | Literal["ended"] | None]:
        return _prepare_next(runtime, session_id)

    step: _Next | Literal["ended"] | None = await _retrying(
        resume, session_id=session_id, what="resume"
    )
    pause = RETRY_FIRST_SECONDS
    while True:
        if step is None:
            try:
                step = await prepare()
            except Exception as exc:
                if not _transient(exc):
                    raise
                pause = await _pause_after(exc, pause, session_id=session_id, what="next job")
                # The claim may have committed before its connection was lost: a job left
                # RUNNING is awaited (as after a takeover), never claimed or started twice.
                step = await _retrying(resume, session_id=session_id, what="resume")
                continue
            if step is None:
                break
        if step == ENDED:
            return
        if not await _run_job(runtime, session_id, step):
            return
        step = None
    await _finish(runtime, session_id)


async def _run_locked(runtime: Runtime, session_id: uuid.UUID) -> None:
    try:
        await run_session(runtime, session_id)
    finally:
        await runtime.cluster.locks.release(session_id)


async def start_runner(runtime: Runtime, session_id: uuid.UUID) -> bool:
    """Run the session here if no runner on any replica holds its lock; True if started."""
    # Every runner starts here, so the lock's bookkeeping (SessionLocks.held, taken before
    # any await) also keeps a second runner of this replica from starting meanwhile.
    if session_id in runtime.runners or not await runtime.cluster.locks.acquire(session_id):
        return False
    runtime.spawn_runner(session_id, _run_locked(runtime, session_id))
    return True


async def take_over_sessions(runtime: Runtime) -> int:
    """Start a runner for every RUNNING session whose lock is free: left by an earlier process
    or by a replica that died (its lock went with its connection); returns how many.

    A job that was in flight is not sent again: its result (which the agent resends after
    reconnecting, to whichever replica) is awaited until the job's deadline.
    """
    async with runtime.database.transaction() as session:
        running = await SessionRepository(session).running_session_ids()
    started = 0
    for session_id in running:
        if await start_runner(runtime, session_id):
            log.info("session taken over", session_id=str(session_id))
            started += 1
    return started


# The name of the single-process era: a restart resumes what it finds.
resume_sessions = take_over_sessions


async def keep_taking_over(runtime: Runtime) -> None:
    """Take over sessions nobody runs, every ``session_scan_seconds``."""
    while True:
        try:
            await take_over_sessions(runtime)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("session takeover scan failed", error=str(exc))
        await asyncio.sleep(runtime.settings.session_scan_seconds)


async def _fail_job(
    runtime: Runtime, session_id: uuid.UUID, job_id: uuid.UUID, reason: str, *, state: JobState
) -> None:
    """End the session because its job did not finish: ``FAILED`` when it never reached the
    agent, ``TIMED_OUT`` when its result is missing (a late one is still recorded, since the
    ECU may well have been flashed)."""
    async with runtime.database.transaction() as session:
        repository = SessionRepository(session)
        job = await repository.job(job_id, lock=True)
        if job is not None and job.state == JobState.RUNNING:
            states.fail(job, state, reason=reason, at=runtime.now())
            if state == JobState.FAILED:
                job.download_token_hash = None
    await _end(
        runtime, session_id, state=SessionState.FAILED, detail=f"job {job_id} failed: {reason}"
    )


NOT_READ_AGAIN = "the vehicle could not be read again"
READ_WHEN_BACK = "the vehicle was read again when the agent was back"


async def _finish(runtime: Runtime, session_id: uuid.UUID) -> None:
    """Every job ran: read the vehicle again for the report, then end COMPLETED. When the
    agent is away, the session ends without that read, and ``complete_reports`` makes it when
    the agent is back."""

    async def agent_of_session() -> uuid.UUID | None:
        async with runtime.database.transaction() as session:
            found = await SessionRepository(session).get(session_id, organization_id=None)
            return found.agent_id if found is not None else None

    agent_id = await _retrying(agent_of_session, session_id=session_id, what="finish")
    connection = None
    if agent_id is not None:
        known_agent = agent_id
        connection = await _retrying(
            lambda: runtime.cluster.link(known_agent), session_id=session_id, what="link"
        )
    after = None
    note = "all planned jobs succeeded"
    if connection is not None:
        try:
            vehicle = await read_vehicle(
                connection,
                timeout_seconds=runtime.settings.vehicle_read_timeout_seconds,
                can_ids=await catalog_can_ids(runtime.database),
            )
            after = vehicle.to_json()
        except (AgentOfflineError, AgentTimeoutError) as exc:
            note += f"; {NOT_READ_AGAIN} ({exc.detail}); it is read when the agent is back"
    else:
        note += f"; {NOT_READ_AGAIN} (agent offline); it is read when the agent is back"

    async def complete() -> None:
        async with runtime.database.transaction() as session:
            found = await SessionRepository(session).get(
                session_id, organization_id=None, lock=True
            )
            if found is not None and found.state == SessionState.RUNNING:
                found.vehicle_after = after
                await end_session(
                    session, runtime, found, state=SessionState.COMPLETED, detail=note
                )

    await _retrying(complete, session_id=session_id, what="complete")
    if after is None and agent_id is not None:
        # The agent came back while the read failed: it has had its chance at connecting.
        # Best effort: a report still missing is completed at the agent's next connect.
        with contextlib.suppress(Exception):
            if await runtime.cluster.is_online(agent_id):
                await complete_reports(runtime, agent_id)


async def complete_reports(runtime: Runtime, agent_id: uuid.UUID) -> int:
    """Read the vehicle for the agent's sessions that completed while it was away (recent
    ones, see ``closing_read_retry_hours``) and store it as their vehicle after the flash, if it
    is still the same vehicle; returns how many reports were completed. Nothing is read while
    one of the agent's sessions runs (its vehicle is being flashed): a later reconnect does."""
    settings = runtime.settings
    ended_since = runtime.now() - timedelta(hours=settings.closing_read_retry_hours)
    async with runtime.database.transaction() as session:
        repository = SessionRepository(session)
        pending = await repository.awaiting_closing_read(agent_id, ended_since=ended_since)
        if not pending or await repository.agent_is_flashing(agent_id):
            return 0
    connection = await runtime.cluster.link(agent_id)
    if connection is None:
        return 0
    try:
        vehicle = await read_vehicle(
            connection,
            timeout_seconds=settings.vehicle_read_timeout_seconds,
            can_ids=await catalog_can_ids(runtime.database),
        )
    except (AgentOfflineError, AgentTimeoutError) as exc:
        log.info("closing vehicle read still missing", agent_id=str(agent_id), reason=exc.detail)
        return 0
    completed = 0
    async with runtime.database.transaction() as session:
        for found in await SessionRepository(session).awaiting_closing_read(
            agent_id, ended_since=ended_since
        ):
            if found.vin != vehicle.vin:
                continue  # another vehicle is connected now: its versions say nothing
            found.vehicle_after = vehicle.to_json()
            found.end_detail = f"all planned jobs succeeded; {READ_WHEN_BACK}"
            completed += 1
    log.info("reports completed", agent_id=str(agent_id), sessions=completed)
    return completed


def _can_ids(ecu_type: EcuType) -> dict[str, Any]:
    """StartJob's CAN id fields from the catalog (proto3 scalars: ``has_can_ids`` tells 0 from
    not known); none when the catalog does not know them."""
    if ecu_type.can_request_id is None or ecu_type.can_response_id is None:
        return {}
    return {
        "can_request_id": ecu_type.can_request_id,
        "can_response_id": ecu_type.can_response_id,
        "has_can_ids": True,
    }
