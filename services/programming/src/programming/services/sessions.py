"""Programming sessions: plan one vehicle, start, abort, read state and report."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from programming.db.catalog import CatalogRepository
from programming.db.models import FlashJob, ProgrammingSession, TraceSummary
from programming.db.sessions import SessionRepository
from programming.domain import sessions as states
from programming.domain.plan import TargetRelease, plan_jobs
from programming.domain.preflight import PREFLIGHT_ITEMS, unconfirmed_preflight
from programming.domain.sessions import TERMINAL_SESSION_STATES, SessionState, TransitionError
from programming.domain.vehicle import VehicleSnapshot
from programming.domain.vin import is_valid_vin, model_series
from programming.errors import (
    AgentOfflineError,
    InvalidVinError,
    PreflightNotConfirmedError,
    SessionNotFoundError,
    SessionStateError,
    UnknownVehicleError,
    VinMismatchError,
)
from programming.events.publishing import record_session_ended, record_session_started
from programming.metrics import SESSIONS_ENDED
from programming.services.agent_link import AgentLink
from programming.services.agents import get_agent
from programming.services.entitlements import require_programming_pass
from programming.services.runtime import Runtime
from programming.services.vehicle import catalog_can_ids, read_vehicle
from servicekit.auth import Principal

__all__ = [
    "TERMINAL_STATES",
    "ConnectedVehicle",
    "SessionView",
    "abort_session",
    "create_session",
    "end_session",
    "get_session",
    "read_connected_vehicle",
    "recent_sessions",
    "start_session",
]

TERMINAL_STATES = TERMINAL_SESSION_STATES
# The most sessions one list call returns.
MAX_RECENT = 100
# Paging deeper than this is refused (422) rather than scanned.
MAX_OFFSET = 1_000_000


@dataclass(frozen=True)
class SessionView:
    session: ProgrammingSession
    jobs: Sequence[FlashJob]
    traces: Sequence[TraceSummary] = ()


@dataclass(frozen=True)
class ConnectedVehicle:
    agent_id: uuid.UUID
    vehicle: VehicleSnapshot
    vin_valid: bool
    model_series: str | None


async def _agent_link(
    runtime: Runtime,
    agent_id: uuid.UUID,
    *,
    organization_id: uuid.UUID,
    vin: str | None = None,
) -> AgentLink:
    """The organisation's agent's live link, checked in a transaction of its own that ends
    before the caller talks to the agent: reading a car can take up to the read timeout, and
    no pooled connection sits idle in a transaction meanwhile. With ``vin``, the organisation
    must also have a programming pass for it. Raises AgentNotFoundError, AgentOfflineError,
    ProgrammingPassRequiredError."""
    async with runtime.database.transaction() as session:
        if vin is not None:
            await require_programming_pass(session, organization_id, vin=vin, now=runtime.now())
        agent = await get_agent(session, agent_id, organization_id=organization_id)
    link = await runtime.cluster.link(agent.id) if agent.revoked_at is None else None
    if link is None:
        raise AgentOfflineError(
            f"The agent {agent.name!r} is not connected; start it on the workshop PC and retry."
        )
    return link


async def read_connected_vehicle(
    runtime: Runtime, agent_id: uuid.UUID, *, organization_id: uuid.UUID
) -> ConnectedVehicle:
    """What the agent's vehicle reports now: VIN and ECUs with their versions. Reading needs
    no programming pass, so a workshop sees the car before it buys time.

    Raises AgentNotFoundError, AgentOfflineError, AgentTimeoutError.
    """
    link = await _agent_link(runtime, agent_id, organization_id=organization_id)
    vehicle = await read_vehicle(
        link,
        timeout_seconds=runtime.settings.vehicle_read_timeout_seconds,
        can_ids=await catalog_can_ids(runtime.database),
    )
    valid = is_valid_vin(vehicle.vin)
    return ConnectedVehicle(
        agent_id=agent_id,
        vehicle=vehicle,
        vin_valid=valid,
        model_series=model_series(vehicle.vin) if valid else None,
    )


async def recent_sessions(
    session: AsyncSession, *, organization_id: uuid.UUID, limit: int, offset: int = 0
) -> tuple[list[tuple[ProgrammingSession, int, int]], int]:
    """One page of the organisation's sessions, newest first (at most MAX_RECENT), with job
    count and estimate; and how many sessions there are in all."""
    repository = SessionRepository(session)
    page = await repository.recent(
        organization_id, limit=max(1, min(limit, MAX_RECENT)), offset=max(0, offset)
    )
    return page, await repository.count(organization_id)


async def create_session(
    runtime: Runtime,
    *,
    principal: Principal,
    agent_id: uuid.UUID,
    vin: str,
) -> SessionView:
    """Read the vehicle through the agent and store the plan (state PLANNED). The checks, the
    read and the write are three steps: the read holds no database connection.

    Raises InvalidVinError, UnknownVehicleError, ProgrammingPassRequiredError,
    AgentNotFoundError, AgentOfflineError, AgentTimeoutError, VinMismatchError.
    """
    vin = vin.strip().upper()
    if not is_valid_vin(vin):
        raise InvalidVinError(
            f"{vin!r} is not a VIN: 17 characters, digits and capital letters except I, O, Q."
        )
    series = model_series(vin)
    if series is None:
        raise UnknownVehicleError(f"The programming catalog has no model series for VIN {vin}.")
    link = await _agent_link(runtime, agent_id, organization_id=principal.organization_id, vin=vin)
    vehicle = await read_vehicle(
        link,
        timeout_seconds=runtime.settings.vehicle_read_timeout_seconds,
        can_ids=await catalog_can_ids(runtime.database),
    )
    if vehicle.vin != vin:
        raise VinMismatchError(
            f"The agent is connected to the vehicle {vehicle.vin or '(no VIN read)'}, not {vin}."
        )
    async with runtime.database.transaction() as session:
        releases = await CatalogRepository(session).target_releases(series)
        targets = {
            release.ecu_type: TargetRelease(
                ecu_type=release.ecu_type,
                version=release.version,
                release_id=str(release.id),
                image_size=release.size,
            )
            for release in releases
        }
        planned = plan_jobs(
            vehicle.ecu_states(),
            targets,
            rate_bytes_per_second=runtime.settings.transfer_rate_bytes_per_second,
            overhead_seconds=runtime.settings.job_overhead_seconds,
        )
        programming_session = ProgrammingSession(
            id=uuid.uuid4(),
            organization_id=principal.organization_id,
            agent_id=agent_id,
            vin=vin,
            model_series=series,
            created_by=principal.user_id,
            created_at=runtime.now(),
            vehicle_before=vehicle.to_json(),
        )
        jobs = [
            FlashJob(
                id=uuid.uuid4(),
                session_id=programming_session.id,
                position=position,
                ecu_logical_address=job.ecu.logical_address,
                ecu_name=job.ecu.name,
                ecu_type=job.ecu.ecu_type,
                release_id=uuid.UUID(job.target.release_id),
                reason=job.reason,
                version_before=job.ecu.software_version,
                target_version=job.target.version,
                estimated_seconds=job.estimated_seconds,
                bytes_transferred=0,
                retried_blocks=0,
                resumed_times=0,
                left_in_bootloader=False,
            )
            for position, job in enumerate(planned, start=1)
        ]
        states.plan(programming_session, jobs)
        await SessionRepository(session).add(programming_session, jobs)
    return SessionView(session=programming_session, jobs=jobs)


async def get_session(
    session: AsyncSession,
    session_id: uuid.UUID,
    *,
    organization_id: uuid.UUID,
    with_traces: bool = False,
) -> SessionView:
    """The organisation's session and its jobs; raises SessionNotFoundError."""
    repository = SessionRepository(session)
    found = await repository.get(session_id, organization_id=organization_id)
    if found is None:
        raise SessionNotFoundError(f"Your organisation has no programming session {session_id}.")
    traces = await repository.trace_summaries(session_id) if with_traces else ()
    return SessionView(session=found, jobs=await repository.jobs(session_id), traces=traces)


async def start_session(
    session: AsyncSession,
    runtime: Runtime,
    session_id: uuid.UUID,
    *,
    principal: Principal,
    preflight: Mapping[str, bool],
) -> SessionView:
    """Move a PLANNED session to RUNNING (the caller then spawns its runner), recording who
    confirmed the pre-flight checklist ``preflight`` (item name -> confirmed) and when.

    Raises PreflightNotConfirmedError, SessionNotFoundError, SessionStateError,
    ProgrammingPassRequiredError, AgentOfflineError.
    """
    missing = unconfirmed_preflight(preflight)
    if missing:
        raise PreflightNotConfirmedError(
            "Confirm the pre-flight checklist before starting: "
            + "; ".join(f"{PREFLIGHT_ITEMS[item]} ({item})" for item in missing)
            + ".",
            unconfirmed=list(missing),
        )
    repository = SessionRepository(session)
    found = await repository.get(session_id, organization_id=principal.organization_id, lock=True)
    if found is None:
        raise SessionNotFoundError(f"Your organisation has no programming session {session_id}.")
    if found.state != SessionState.PLANNED:
        raise SessionStateError(
            f"The session is {found.state}; only a PLANNED session can be started."
        )
    now = runtime.now()
    await require_programming_pass(session, principal.organization_id, vin=found.vin, now=now)
    if not await runtime.cluster.is_online(found.agent_id):
        raise AgentOfflineError("The session's agent is not connected; start it and retry.")
    states.start(found, by=principal.user_id, at=now)
    found.preflight_confirmed_by = principal.user_id
    found.preflight_confirmed_at = now
    await session.flush()
    await record_session_started(session, found)
    return SessionView(session=found, jobs=await repository.jobs(session_id))


async def end_session(
    session: AsyncSession,
    runtime: Runtime,
    programming_session: ProgrammingSession,
    *,
    state: SessionState,
    detail: str,
) -> None:
    """Give the session its final state, skip the jobs that never started, publish
    SessionEnded. Raises TransitionError when the session already ended."""
    now = runtime.now()
    jobs = await SessionRepository(session).jobs(programming_session.id)
    states.end(programming_session, jobs, state, detail=detail, at=now)
    await session.flush()
    await record_session_ended(
        session,
        programming_session,
        state=state,
        ended_at=now,
        detail=detail,
    )
    await runtime.cluster.publish_event(
        programming_session.id,
        {"type": "session", "state": state, "detail": detail},
        session=session,
    )
    # Counted once the end is committed: a transaction that rolls back (and is tried again)
    # counts nothing.
    event.listen(
        session.sync_session,
        "after_commit",
        lambda _: SESSIONS_ENDED.labels(state=state).inc(),
        once=True,
    )


async def abort_session(
    session: AsyncSession, runtime: Runtime, session_id: uuid.UUID, *, principal: Principal
) -> SessionView:
    """A PLANNED session ends ABORTED at once; a RUNNING one after its current job.

    Raises SessionNotFoundError, SessionStateError (already ended).
    """
    repository = SessionRepository(session)
    found = await repository.get(session_id, organization_id=principal.organization_id, lock=True)
    if found is None:
        raise SessionNotFoundError(f"Your organisation has no programming session {session_id}.")
    try:
        states.request_abort(found)
    except TransitionError as exc:
        raise SessionStateError(f"The session already ended ({found.state}).") from exc
    if found.state == SessionState.PLANNED:
        await end_session(
            session, runtime, found, state=SessionState.ABORTED, detail="aborted by the user"
        )
    return SessionView(session=found, jobs=await repository.jobs(session_id))
