"""Programming sessions: plan, start, follow, abort, report."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Query, Request, status
from fastapi.responses import StreamingResponse

from programming.api.deps import RuntimeDep, Technician
from programming.api.schemas import (
    EcuVersions,
    JobProgressRead,
    JobRead,
    SessionCreate,
    SessionList,
    SessionRead,
    SessionReport,
    SessionSummary,
    TraceCount,
)
from programming.errors import (
    AgentNotFoundError,
    AgentOfflineError,
    AgentTimeoutError,
    InvalidVinError,
    ProgrammingPassRequiredError,
    SessionNotFoundError,
    SessionStateError,
    UnknownVehicleError,
    VinMismatchError,
)
from programming.services import sessions
from programming.services.runner import run_session
from programming.services.runtime import Runtime
from servicekit.db import SessionDep
from servicekit.problems import problem_responses
from servicekit.revocations import REVOKED_DETAIL, revoked_since

router = APIRouter(tags=["sessions"])

# Seconds between keep-alive comments on an idle event stream.
SSE_KEEPALIVE_SECONDS = 15.0


def session_read(view: sessions.SessionView, runtime: Runtime) -> SessionRead:
    found = view.session
    jobs = []
    for job in view.jobs:
        progress = runtime.progress.get(job.id) if job.state == "RUNNING" else None
        jobs.append(
            JobRead(
                id=job.id,
                position=job.position,
                ecu_logical_address=job.ecu_logical_address,
                ecu_name=job.ecu_name,
                ecu_type=job.ecu_type,
                reason=job.reason,
                version_before=job.version_before,
                target_version=job.target_version,
                estimated_seconds=job.estimated_seconds,
                state=job.state,
                version_after=job.version_after,
                detail=job.detail,
                started_at=job.started_at,
                finished_at=job.finished_at,
                bytes_transferred=job.bytes_transferred,
                left_in_bootloader=job.left_in_bootloader,
                progress=JobProgressRead(**progress) if progress else None,
            )
        )
    return SessionRead(
        id=found.id,
        agent_id=found.agent_id,
        vin=found.vin,
        model_series=found.model_series,
        state=found.state,
        abort_requested=found.abort_requested,
        end_detail=found.end_detail,
        created_at=found.created_at,
        started_at=found.started_at,
        ended_at=found.ended_at,
        estimated_seconds=sum(job.estimated_seconds for job in view.jobs),
        jobs=jobs,
    )


@router.post(
    "/sessions",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(
        InvalidVinError,
        UnknownVehicleError,
        ProgrammingPassRequiredError,
        AgentNotFoundError,
        AgentOfflineError,
        AgentTimeoutError,
        VinMismatchError,
    ),
)
async def create_session(
    body: SessionCreate, principal: Technician, session: SessionDep, runtime: RuntimeDep
) -> SessionRead:
    """Read the vehicle through the agent and plan the flash jobs (needs a programming pass
    and the agent online)."""
    view = await sessions.create_session(
        session, runtime, principal=principal, agent_id=body.agent_id, vin=body.vin
    )
    return session_read(view, runtime)


@router.get("/sessions")
async def list_sessions(
    principal: Technician,
    session: SessionDep,
    limit: int = Query(20, ge=1, le=sessions.MAX_RECENT, description="how many, newest first"),
    offset: int = Query(0, ge=0, le=sessions.MAX_OFFSET, description="how many newer ones to skip"),
) -> SessionList:
    """Your organisation's programming sessions, newest first, a page at a time."""
    found, total = await sessions.recent_sessions(
        session, organization_id=principal.organization_id, limit=limit, offset=offset
    )
    return SessionList(
        total=total,
        limit=limit,
        offset=offset,
        items=[
            SessionSummary(
                id=item.id,
                agent_id=item.agent_id,
                vin=item.vin,
                model_series=item.model_series,
                state=item.state,
                created_at=item.created_at,
                started_at=item.started_at,
                ended_at=item.ended_at,
                end_detail=item.end_detail,
                job_count=job_count,
                estimated_seconds=estimated,
            )
            for item, job_count, estimated in found
        ],
    )


@router.get("/sessions/{session_id}", responses=problem_responses(SessionNotFoundError))
async def get_session(
    session_id: uuid.UUID, principal: Technician, session: SessionDep, runtime: RuntimeDep
) -> SessionRead:
    view = await sessions.get_session(
        session, session_id, organization_id=principal.organization_id
    )
    return session_read(view, runtime)


@router.post(
    "/sessions/{session_id}/start",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(
        SessionNotFoundError, SessionStateError, ProgrammingPassRequiredError, AgentOfflineError
    ),
)
async def start_session(
    session_id: uuid.UUID,
    principal: Technician,
    session: SessionDep,
    runtime: RuntimeDep,
    background: BackgroundTasks,
) -> SessionRead:
    """Run the planned jobs one by one; follow with GET /sessions/{id} or its /events."""
    view = await sessions.start_session(session, runtime, session_id, principal=principal)

    async def spawn() -> None:
        runtime.spawn_runner(session_id, run_session(runtime, session_id))

    # A background task runs after the commit (the request's transaction ends before the
    # response is sent), so the runner sees the session RUNNING.
    background.add_task(spawn)
    return session_read(view, runtime)


@router.post(
    "/sessions/{session_id}/abort",
    responses=problem_responses(SessionNotFoundError, SessionStateError),
)
async def abort_session(
    session_id: uuid.UUID, principal: Technician, session: SessionDep, runtime: RuntimeDep
) -> SessionRead:
    """Stop the session: at once if it has not started, else after the current job."""
    view = await sessions.abort_session(session, runtime, session_id, principal=principal)
    return session_read(view, runtime)


@router.get("/sessions/{session_id}/report", responses=problem_responses(SessionNotFoundError))
async def session_report(
    session_id: uuid.UUID, principal: Technician, session: SessionDep, runtime: RuntimeDep
) -> SessionReport:
    """Versions before and after, jobs, UDS trace counts per service and NRC, who and when."""
    view = await sessions.get_session(
        session, session_id, organization_id=principal.organization_id, with_traces=True
    )
    found = view.session
    after = {
        ecu["logical_address"]: ecu["software_version"]
        for ecu in (found.vehicle_after or {}).get("ecus", [])
    }
    versions = [
        EcuVersions(
            logical_address=ecu["logical_address"],
            name=ecu["name"],
            ecu_type=ecu["ecu_type"],
            before=ecu["software_version"],
            after=after.get(ecu["logical_address"]),
        )
        for ecu in found.vehicle_before.get("ecus", [])
    ]
    return SessionReport(
        session=session_read(view, runtime),
        created_by=found.created_by,
        started_by=found.started_by,
        versions=versions,
        trace_summary=[
            TraceCount(
                job_id=trace.job_id,
                service_id=trace.service_id,
                nrc=trace.nrc,
                count=trace.count,
                retried=trace.retried,
            )
            for trace in view.traces
        ],
        vehicle_before=found.vehicle_before,
        vehicle_after=found.vehicle_after,
    )


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n"


@router.get(
    "/sessions/{session_id}/events",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "server-sent events"},
        **problem_responses(SessionNotFoundError),
    },
)
async def session_events(
    session_id: uuid.UUID,
    principal: Technician,
    session: SessionDep,
    runtime: RuntimeDep,
    request: Request,
) -> StreamingResponse:
    """Live progress as server-sent events: first a ``snapshot`` (the session as GET returns
    it), then ``session``, ``job`` and ``progress`` events; the stream ends with the session,
    or with a ``revoked`` event once the caller's access token was revoked (log in again)."""
    view = await sessions.get_session(
        session, session_id, organization_id=principal.organization_id
    )
    snapshot = session_read(view, runtime).model_dump(mode="json")
    queue = runtime.events.subscribe(session_id)

    async def stream() -> AsyncIterator[str]:
        try:
            yield _sse("snapshot", snapshot)
            if snapshot["state"] in sessions.TERMINAL_STATES:
                return
            while not await request.is_disconnected():
                event: dict[str, Any] | None = None
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(SSE_KEEPALIVE_SECONDS):
                        event = await queue.get()
                # The stream outlives the token check of its request: a member deactivated (or
                # given another role) meanwhile sees no more of it.
                if revoked_since(request, principal):
                    yield _sse("revoked", {"code": "token-revoked", "detail": REVOKED_DETAIL})
                    return
                if event is None:
                    yield ": keep-alive\n\n"
                    continue
                yield _sse(str(event.get("type", "message")), event)
                if event.get("type") == "session" and event.get("state") in (
                    sessions.TERMINAL_STATES
                ):
                    return
        finally:
            runtime.events.unsubscribe(session_id, queue)

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )
