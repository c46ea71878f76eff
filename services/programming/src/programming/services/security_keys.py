"""Security keys (UDS 0x27) for the job in flight, and for nothing else.

A key derives from a secret that every ECU of a type shares, so a key answered for a seed of
the caller's choosing unlocks that ECU type in any car. A key is therefore answered only for a
RUNNING job of the asking agent, on the connection that runs the job, while the agent reports
the job's unlock phase (PREPARING), for the job's ECU and security level, and at most
``security_keys_per_job`` times per job (each resume after a power loss unlocks again).

The job's connection is stored with the job (``jobs.connection_id``), so the rule holds across
replicas: a connection whose agent has reconnected to another replica is stale and gets no key
(``stale-connection``), and the job moves to the agent's current connection only once its own
is gone or silent, on whichever replica that is.
Anything else is refused, logged with agent and organisation (never the seed or a key) and
counted in ``aos_programming_security_key_refused_total{reason}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession

from aos.agent.v1 import agent_pb2
from aos_contracts.keys import UnknownKeyAlgorithmError, key_algorithm
from programming.db.catalog import CatalogRepository
from programming.domain.sessions import JobState
from programming.services.agent_link import AgentConnection
from programming.services.ecu_secrets import unseal_ecu_secret
from programming.services.jobs import agent_job
from programming.services.runtime import Runtime
from servicekit.logging import get_logger

__all__ = ["KEYS_REFUSED", "UNLOCK_PHASE", "KeyRefusal", "security_key"]

log = get_logger(__name__)

KEYS_REFUSED = Counter(
    "aos_programming_security_key_refused_total",
    "SecurityKeyRequest frames refused, by reason",
    ["reason"],
)

# The JobProgress phase in which the agent unlocks the ECU (sessions, DTC off, 0x27).
UNLOCK_PHASE = "PREPARING"


@dataclass(frozen=True)
class KeyRefusal:
    """Why no key was given: ``reason`` is the Error frame's code and the metric's label."""

    reason: str
    message: str


async def security_key(
    session: AsyncSession,
    runtime: Runtime,
    request: agent_pb2.SecurityKeyRequest,
    *,
    connection: AgentConnection,
) -> bytes | KeyRefusal:
    """The key for ``request``, computed with the algorithm the ECU type names in the catalog
    (``EcuType.security_algorithm``, looked up in ``aos_contracts.keys``; the ECU type's secret
    never leaves the service), counted against the job's allowance; or a KeyRefusal, already
    logged and counted. An algorithm this service does not know is refused
    (``unknown-key-algorithm``) with a message the agent puts in the job's failure reason."""
    refusal, key = await _decide(session, runtime, request, connection=connection)
    if refusal is None and key is not None:
        return key
    assert refusal is not None
    KEYS_REFUSED.labels(reason=refusal.reason).inc()
    log.warning(
        "security key refused",
        reason=refusal.reason,
        agent_id=str(connection.agent_id),
        organization_id=str(connection.organization_id),
        job_id=request.job_id[:64],
        ecu_logical_address=request.ecu_logical_address,
        level=request.level,
    )
    return refusal


async def _decide(
    session: AsyncSession,
    runtime: Runtime,
    request: agent_pb2.SecurityKeyRequest,
    *,
    connection: AgentConnection,
) -> tuple[KeyRefusal | None, bytes | None]:
    job = await agent_job(session, request.job_id, agent_id=connection.agent_id, lock=True)
    if job is None:
        return KeyRefusal("unknown-job", "no job of this agent has that id"), None
    if job.state != JobState.RUNNING:
        return KeyRefusal("job-not-running", "keys are given only while the job runs"), None
    ecu_type = await CatalogRepository(session).ecu_type(job.ecu_type)
    if ecu_type is None:
        return KeyRefusal("unknown-job", "the job's ECU type is not in the catalog"), None
    if request.ecu_logical_address != job.ecu_logical_address:
        return KeyRefusal(
            "wrong-ecu", f"the job flashes ECU 0x{job.ecu_logical_address:04X} only"
        ), None
    if request.level != ecu_type.security_level:
        return KeyRefusal(
            "wrong-level", f"the job unlocks security level 0x{ecu_type.security_level:02X} only"
        ), None
    if await runtime.cluster.connected_elsewhere(connection, session=session):
        return KeyRefusal(
            "stale-connection",
            "the agent is connected to the service on a newer connection; use that one",
        ), None
    registry = runtime.registry
    if job.connection_id is not None:
        # The job's connection, as bound when StartJob went out or when the job last moved
        # (perhaps on another replica): held here, its silence rule applies; not held here
        # (it was on another replica, or is gone), the job may move to this connection.
        bound = registry.connection(connection.agent_id, job.connection_id)
        if bound is not None:
            registry.bind_job(job.id, bound)
        else:
            registry.release_job(job.id)
    silent_after = timedelta(seconds=2 * runtime.settings.heartbeat_interval_seconds)
    if not registry.claim_job(job.id, connection, now=runtime.now(), silent_after=silent_after):
        return KeyRefusal(
            "not-job-connection", "the job runs on another connection of this agent"
        ), None
    job.connection_id = connection.connection_id
    phase = runtime.progress.get(job.id, {}).get("phase")
    if phase != UNLOCK_PHASE:
        return KeyRefusal(
            "not-unlock-phase",
            f"keys are given only in the job's {UNLOCK_PHASE} phase (reported: {phase or 'none'})",
        ), None
    try:
        algorithm = key_algorithm(ecu_type.security_algorithm)
    except UnknownKeyAlgorithmError as exc:
        return KeyRefusal(
            "unknown-key-algorithm",
            f"the catalog's ECU type {ecu_type.key} names the security key algorithm "
            f"{exc.name!r}, which this programming service does not know (known: "
            f"{', '.join(exc.known)}); the ECU cannot be unlocked until the platform "
            "corrects the ECU type",
        ), None
    allowance = runtime.settings.security_keys_per_job
    if job.security_keys_issued >= allowance:
        return KeyRefusal(
            "key-limit-reached", f"the job has had its {allowance} security keys"
        ), None
    job.security_keys_issued += 1
    secret = unseal_ecu_secret(runtime.secret_cipher, ecu_type.key, ecu_type.security_secret_sealed)
    return None, algorithm(secret, request.level, request.seed)
