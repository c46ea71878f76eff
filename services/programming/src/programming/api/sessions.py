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
    SessionCreate,
    SessionList,
    SessionRead,
    SessionReport,
    SessionStart,
    SessionSummary,
)
from programming.errors import (
    AgentNotFoundError,
    AgentOfflineError,
    AgentTimeoutError,
    InvalidVinError,
    PreflightNotConfirmedError,
    ProgrammingPassRequiredError,
    SessionNotFoundError,
    SessionStateError,
    UnknownVehicleError,
    VinMismatchError,
)
from programming.services import sessions
from programming.services.runner import start_runner
from servicekit.db import SessionDep
from servicekit.problems import problem_responses
from servicekit.revocations import REVOKED_DETAIL, revoked_since

router = APIRouter(tags=["sessions"])

# Seconds between keep-alive comments on an idle event stream.
SSE_KEEPALIVE_SECONDS = 15.0


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
    body: SessionCreate, principal: Technician, runtime: RuntimeDep
) -> SessionRead:
    """Read the vehicle through the agent and plan the flash jobs (needs a programming pass
    and the agent online)."""
    view = await sessions.create_session(
        runtime, principal=principal, agent_id=body.agent_id, vin=body.vin
    )
    return SessionRead.of(view, runtime.progress)


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
            SessionSummary.of(item, job_count=job_count, estimated=estimated)
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
    return SessionRead.of(view, runtime.progress)


@router.post(
    "/sessions/{session_id}/start",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(
        PreflightNotConfirmedError,
        SessionNotFoundError,
        SessionStateError,
        ProgrammingPassRequiredError,
        AgentOfflineError,
    ),
)
async def start_session(
    session_id: uuid.UUID,
    body: SessionStart,
    principal: Technician,
    session: SessionDep,
    runtime: RuntimeDep,
    background: BackgroundTasks,
) -> SessionRead:
    """Run the planned jobs one by one; follow with GET /sessions/{id} or its /events.

    The body confirms the pre-flight checklist at the vehicle (every item true); who
    confirmed it and when is kept with the session and shown in its report."""
    view = await sessions.start_session(
        session,
        runtime,
        session_id,
        principal=principal,
        preflight=body.preflight.model_dump(),
    )

    async def spawn() -> None:
        await start_runner(runtime, session_id)

    # A background task runs after the commit (the request's transaction ends before the
    # response is sent), so the runner sees the session RUNNING.
    background.add_task(spawn)
    return SessionRead.of(view, runtime.progress)


@router.post(
    "/sessions/{session_id}/abort",
    responses=problem_responses(SessionNotFoundError, SessionStateError),
)
async def abort_session(
    session_id: uuid.UUID, principal: Technician, session: SessionDep, runtime: RuntimeDep
) -> SessionRead:
    """Stop the session: at once if it has not started, else after the current job."""
    view = await sessions.abort_session(session, runtime, session_id, principal=principal)
    return SessionRead.of(view, runtime.progress)


@router.get("/sessions/{session_id}/report", responses=problem_responses(SessionNotFoundError))
async def session_report(
    session_id: uuid.UUID, principal: Technician, session: SessionDep, runtime: RuntimeDep
) -> SessionReport:
    """Versions before and after, jobs, UDS trace counts per service and NRC, who and when."""
    view = await sessions.get_session(
        session, session_id, organization_id=principal.organization_id, with_traces=True
    )
    return SessionReport.of(view, runtime.progress)


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
    snapshot = SessionRead.of(view, runtime.progress).model_dump(mode="json")
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
