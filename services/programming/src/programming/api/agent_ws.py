"""The agents' WebSocket: ``/agent/ws``, binary AgentFrame messages (aos.agent.v1).

The agent authenticates in the handshake with ``Authorization: Bearer <device credential>``.
Close codes: 4401 no or unknown credential, 4403 revoked, 4400 protocol error (no Hello
first), 4408 silent for three heartbeat intervals, 4426 upgrade required (after an
UpgradeRequired frame), 1013 try again later (the replica is busy with other agents'
connections, or cannot reach its database: services/admission.py).

A JobResult is acknowledged with a Heartbeat whose reply_to is its seq
(or an Error "unknown-job" with that reply_to). The replica holding the socket writes the
agent's lease, so commands from other replicas reach it (services/cluster.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from google.protobuf.message import DecodeError
from google.protobuf.timestamp_pb2 import Timestamp

from aos.agent.v1 import agent_pb2
from programming.db.agents import AgentRepository
from programming.db.sessions import SessionRepository
from programming.services.admission import AGENTS_REFUSED, OverloadedError
from programming.services.agent_link import AgentConnection, AgentDisconnectedError
from programming.services.agents import authenticate_agent
from programming.services.jobs import add_trace, agent_job, record_job_result
from programming.services.runner import complete_reports
from programming.services.runtime import Runtime
from programming.services.security_keys import KeyRefusal, security_key
from servicekit.failures import is_database_unavailable
from servicekit.logging import get_logger

router = APIRouter(tags=["agent link"])

log = get_logger(__name__)

PROTOCOL_VERSION = agent_pb2.PROTOCOL_VERSION_1
HELLO_TIMEOUT_SECONDS = 10.0
CLOSE_PROTOCOL_ERROR = 4400
CLOSE_UNAUTHORIZED = 4401
CLOSE_REVOKED = 4403
CLOSE_SILENT = 4408
CLOSE_UPGRADE_REQUIRED = 4426
# RFC 6455's "Try Again Later": the agent reconnects after its jittered backoff.
CLOSE_TRY_AGAIN_LATER = 1013
BUSY_REASON = "the service is busy; connect again in a few seconds"

_PHASES = {value: name.removeprefix("JOB_PHASE_") for name, value in agent_pb2.JobPhase.items()}
_WAITING_PHASES = frozenset(
    {agent_pb2.JOB_PHASE_WAITING_FOR_ECU, agent_pb2.JOB_PHASE_WAITING_FOR_VOLTAGE}
)


def _now_stamp() -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(datetime.now(UTC))
    return stamp


def _credential(websocket: WebSocket) -> str | None:
    scheme, _, credential = websocket.headers.get("authorization", "").partition(" ")
    return credential.strip() or None if scheme.lower() == "bearer" else None


def _error(code: str, message: str, *, reply_to: int = 0, job_id: str = "") -> agent_pb2.AgentFrame:
    return agent_pb2.AgentFrame(
        reply_to=reply_to, error=agent_pb2.Error(code=code, message=message, job_id=job_id)
    )


async def _receive_frame(websocket: WebSocket) -> agent_pb2.AgentFrame | str | None:
    """The next frame; a string describing what was wrong; None when the peer closed."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        return None
    data = message.get("bytes")
    if data is None:
        return "frames must be binary protobuf AgentFrame messages"
    try:
        return agent_pb2.AgentFrame.FromString(data)
    except DecodeError:
        return "the frame is not a valid AgentFrame"


@router.websocket("/agent/ws")
async def agent_socket(websocket: WebSocket) -> None:
    runtime: Runtime = websocket.app.state.runtime
    credential = _credential(websocket)
    # Accept first so that the agent sees our close code and reason (a refused handshake
    # would only show an HTTP 403).
    await websocket.accept()
    if credential is None:
        await websocket.close(CLOSE_UNAUTHORIZED, "send Authorization: Bearer <credential>")
        return
    try:
        async with runtime.admission.admit(), runtime.database.transaction() as session:
            agent = await authenticate_agent(session, credential)
            agent_id = agent.id if agent else None
            organization_id = agent.organization_id if agent else None
            revoked = agent is not None and agent.revoked_at is not None
    except Exception as exc:
        if not _busy(exc):
            raise
        AGENTS_REFUSED.inc()
        await _close_quietly(websocket, CLOSE_TRY_AGAIN_LATER, BUSY_REASON)
        return
    if agent_id is None or organization_id is None:
        await websocket.close(CLOSE_UNAUTHORIZED, "unknown credential; pair the agent again")
        return
    if revoked:
        await websocket.close(CLOSE_REVOKED, "this agent was revoked; pair it again")
        return
    try:
        async with asyncio.timeout(HELLO_TIMEOUT_SECONDS):
            first = await _receive_frame(websocket)
    except (TimeoutError, WebSocketDisconnect):
        await _close_quietly(websocket, CLOSE_PROTOCOL_ERROR, "no Hello received")
        return
    if first is None:
        return
    if isinstance(first, str) or first.WhichOneof("body") != "hello":
        await websocket.send_bytes(
            _error("hello-required", "the first frame must be Hello").SerializeToString()
        )
        await websocket.close(CLOSE_PROTOCOL_ERROR, "the first frame must be Hello")
        return
    hello = first.hello
    if hello.max_protocol_version < PROTOCOL_VERSION:
        upgrade = agent_pb2.AgentFrame(
            seq=1,
            reply_to=first.seq,
            upgrade_required=agent_pb2.UpgradeRequired(
                min_protocol_version=PROTOCOL_VERSION,
                message=(
                    f"this service speaks agent protocol {PROTOCOL_VERSION}; update the AOS "
                    "VCI agent to version 0.1.0 or later"
                ),
                update=await runtime.agent_builds.offer(hello),
            ),
        )
        await websocket.send_bytes(upgrade.SerializeToString())
        await websocket.close(CLOSE_UPGRADE_REQUIRED, "upgrade required")
        return

    connection = AgentConnection(
        agent_id, organization_id, websocket.send_bytes, disconnect=websocket.close
    )
    connection.last_frame_at = runtime.now()  # its Hello
    # Online before Welcome: an agent that has its Welcome may be used at once (a session
    # planned right after connecting must not find it offline). Welcome is still the first
    # frame on the wire: nothing awaits between register() and its send taking the free lock.
    try:
        async with runtime.admission.admit():
            reads_pending = await _connected(runtime, connection, hello)
            # Read before register(): nothing may await between it and Welcome's send.
            update = await runtime.agent_builds.offer(hello)
    except Exception as exc:
        if not _busy(exc):
            raise
        AGENTS_REFUSED.inc()
        await _close_quietly(websocket, CLOSE_TRY_AGAIN_LATER, BUSY_REASON)
        return
    runtime.registry.register(connection)
    log.info("agent connected", agent_id=str(agent_id), agent_version=hello.agent_version)
    # An agent sends a heartbeat every interval; one silent for three is taken as gone (a
    # half-open TCP connection would otherwise keep it "online" for a long time).
    silence_limit = 3 * runtime.settings.heartbeat_interval_seconds
    try:
        await connection.send(
            agent_pb2.AgentFrame(
                reply_to=first.seq,
                welcome=agent_pb2.Welcome(
                    protocol_version=PROTOCOL_VERSION,
                    agent_id=str(agent_id),
                    heartbeat_interval_seconds=runtime.settings.heartbeat_interval_seconds,
                    server_time=_now_stamp(),
                    update=update,
                ),
            )
        )
        if reads_pending:
            # Sessions that ended while this agent was away lack their closing read.
            runtime.spawn_background(complete_reports(runtime, agent_id))
        while True:
            try:
                async with asyncio.timeout(silence_limit):
                    frame = await _receive_frame(websocket)
            except TimeoutError:
                await _close_quietly(websocket, CLOSE_SILENT, "no frame for three heartbeats")
                break
            if frame is None:
                break
            connection.last_frame_at = runtime.now()
            if isinstance(frame, str):
                await connection.send(_error("malformed-frame", frame))
                continue
            try:
                await _handle(runtime, connection, frame)
            except Exception as exc:
                if not is_database_unavailable(exc) or isinstance(exc, AgentDisconnectedError):
                    raise
                # The link stays up: the agent sends this again (a result is resent until
                # acknowledged; a key request is asked again).
                log.warning(
                    "agent frame not handled: database unavailable",
                    agent_id=str(agent_id),
                    frame=frame.WhichOneof("body"),
                    error=type(exc).__name__,
                )
                await connection.send(
                    _error(
                        "service-unavailable",
                        "the service cannot reach its database; send this again shortly",
                        reply_to=frame.seq,
                    )
                )
    except (WebSocketDisconnect, AgentDisconnectedError, RuntimeError):
        # RuntimeError: Starlette's answer to receiving on a socket we closed (revocation).
        pass
    finally:
        runtime.registry.unregister(connection)
        await _disconnected(runtime, connection)
        log.info("agent disconnected", agent_id=str(agent_id))


async def _close_quietly(websocket: WebSocket, code: int, reason: str) -> None:
    with contextlib.suppress(RuntimeError):
        await websocket.close(code, reason)


def _busy(error: BaseException) -> bool:
    """The replica cannot take this agent now (no turn, or no database): try again later."""
    if isinstance(error, AgentDisconnectedError):
        return False
    return isinstance(error, OverloadedError) or is_database_unavailable(error)


async def _connected(runtime: Runtime, connection: AgentConnection, hello: agent_pb2.Hello) -> bool:
    """One transaction for an accepted Hello: the agent's last-seen time, version and host,
    its lease on this replica; returns whether sessions of it await their closing read."""
    agent_id = connection.agent_id
    ended_since = runtime.now() - timedelta(hours=runtime.settings.closing_read_retry_hours)
    async with runtime.database.transaction() as session:
        await AgentRepository(session).mark_seen(
            agent_id,
            at=datetime.now(UTC),
            agent_version=hello.agent_version or None,
            hostname=hello.hostname or None,
        )
        await runtime.cluster.hold(connection, session=session)
        return await SessionRepository(session).has_awaiting_closing_read(
            agent_id, ended_since=ended_since
        )


async def _disconnected(runtime: Runtime, connection: AgentConnection) -> None:
    """Release the lease (if still this connection's) and write the last-seen time, in its
    turn: a storm of disconnects must not take the pool either. With the database away, the
    lease goes with this replica's row or is taken by the agent's next connection."""
    try:
        async with runtime.admission.turn(), runtime.database.transaction() as session:
            await runtime.cluster.release(connection, session=session)
            await AgentRepository(session).mark_seen(connection.agent_id, at=datetime.now(UTC))
    except Exception as exc:
        if not is_database_unavailable(exc):
            raise
        log.warning(
            "agent disconnect not written: database unavailable",
            agent_id=str(connection.agent_id),
            error=type(exc).__name__,
        )


async def _handle(
    runtime: Runtime, connection: AgentConnection, frame: agent_pb2.AgentFrame
) -> None:
    body = frame.WhichOneof("body")
    agent_id = connection.agent_id
    if body == "heartbeat":
        if not connection.resolve(frame):
            await connection.send(
                agent_pb2.AgentFrame(
                    reply_to=frame.seq, heartbeat=agent_pb2.Heartbeat(sent_at=_now_stamp())
                )
            )
        runtime.presence.seen(agent_id, runtime.now())
    elif body in ("vehicle_report", "error", "security_key_answer"):
        if not connection.resolve(frame) and body == "error":
            log.warning("agent error", agent_id=str(agent_id), code=frame.error.code)
    elif body == "security_key_request":
        request = frame.security_key_request
        async with runtime.database.transaction() as session:
            key = await security_key(session, runtime, request, connection=connection)
        if isinstance(key, KeyRefusal):
            await connection.send(
                _error(key.reason, key.message, reply_to=frame.seq, job_id=request.job_id)
            )
        else:
            await connection.send(
                agent_pb2.AgentFrame(
                    reply_to=frame.seq,
                    security_key_answer=agent_pb2.SecurityKeyAnswer(
                        job_id=request.job_id, level=request.level, key=key
                    ),
                )
            )
    elif body == "job_progress":
        await _progress(runtime, connection, frame.job_progress)
    elif body == "uds_trace":
        async with runtime.database.transaction() as session:
            await add_trace(session, frame.uds_trace, agent_id=agent_id)
    elif body == "job_result":
        await _job_result(runtime, connection, frame)
    elif body == "hello":
        await connection.send(_error("unexpected-hello", "Hello is only the first frame"))
    else:
        await connection.send(
            _error("unsupported", f"this service does not handle {body or 'empty'} frames")
        )


async def _progress(
    runtime: Runtime, connection: AgentConnection, progress: agent_pb2.JobProgress
) -> None:
    async with runtime.database.transaction() as session:
        job = await agent_job(session, progress.job_id, agent_id=connection.agent_id)
        session_id = job.session_id if job is not None else None
        # A stale connection's word (the agent reconnected to another replica) must not move
        # the job's phase: the unlock phase is what lets a key out.
        stale = job is not None and await runtime.cluster.connected_elsewhere(
            connection, session=session
        )
    if job is None or session_id is None or stale:
        return
    state = {
        "phase": _PHASES.get(progress.phase, "UNSPECIFIED"),
        "bytes_done": progress.bytes_done,
        "bytes_total": progress.bytes_total,
    }
    # Both waits (ECU silent, battery low) move the job's deadline out: the agent holds the
    # flash and goes on once the vehicle is back.
    waiting = progress.phase in _WAITING_PHASES
    runtime.apply_progress(session_id, job.id, state, waiting=waiting)
    await runtime.cluster.publish_progress(session_id, job.id, state, waiting=waiting)


async def _job_result(
    runtime: Runtime, connection: AgentConnection, frame: agent_pb2.AgentFrame
) -> None:
    """Record the result (also one that arrives after a reconnect) and acknowledge it with a
    Heartbeat whose reply_to is the result's seq, so the agent stops resending it."""
    result = frame.job_result
    async with runtime.database.transaction() as session:
        job = await record_job_result(
            session,
            result,
            agent_id=connection.agent_id,
            now=runtime.now(),
        )
        job_id = job.id if job is not None else None
    if job_id is None:
        await connection.send(
            _error(
                "unknown-job",
                "no job of this agent has that id; drop the result",
                reply_to=frame.seq,
                job_id=result.job_id,
            )
        )
        return
    runtime.progress.pop(job_id, None)
    runtime.ecu_waits.pop(job_id, None)
    runtime.registry.deliver_result(job_id, result)
    runtime.registry.release_job(job_id)  # its keys are given; a runner elsewhere bound it here
    # The session's runner may run on another replica.
    await runtime.cluster.publish_result(job_id, result)
    await connection.send(
        agent_pb2.AgentFrame(
            reply_to=frame.seq, heartbeat=agent_pb2.Heartbeat(sent_at=_now_stamp())
        )
    )
