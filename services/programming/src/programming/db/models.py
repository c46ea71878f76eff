"""Tables of the programming database.

Agents, pairing codes, the software catalog (ECU types, releases, targets), the local projection
of PROGRAMMING entitlements, sessions, their flash jobs and the trace summary of each job.
Whether an agent is online is live state: the replica holding its WebSocket writes its lease
(``agent_leases``), live while that replica's heartbeat in ``replicas`` is fresh.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, deferred, mapped_column

from programming.domain.sessions import TERMINAL_SESSION_STATES, JobState, SessionState
from servicekit.db import new_metadata
from servicekit.entitlement_projection import EntitlementColumns

__all__ = [
    "JOB_STATES",
    "SESSION_STATES",
    "Agent",
    "AgentBuild",
    "AgentLease",
    "Base",
    "EcuType",
    "Entitlement",
    "FlashJob",
    "PairingCode",
    "ProgrammingSession",
    "Release",
    "Replica",
    "ReplicaMessage",
    "Target",
    "TraceSummary",
]

# The states are owned by domain/sessions.py; the check constraints below list the same values.
SESSION_STATES = tuple(state.value for state in SessionState)
JOB_STATES = tuple(state.value for state in JobState)
OPEN_SESSION_STATES = tuple(
    state.value for state in SessionState if state not in TERMINAL_SESSION_STATES
)


def _one_of(values: tuple[str, ...]) -> str:
    return "state IN (" + ", ".join(f"'{value}'" for value in values) + ")"


class Base(DeclarativeBase):
    metadata = new_metadata()


class Agent(Base):
    """A paired VCI agent; its credential is stored as SHA-256 only."""

    __tablename__ = "agents"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    name: Mapped[str] = mapped_column(Text)
    credential_hash: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    created_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    agent_version: Mapped[str | None] = mapped_column(Text)
    hostname: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_agents_organization_id", "organization_id"),)


class PairingCode(Base):
    """A short single-use code shown in the portal; traded by an agent for a credential."""

    __tablename__ = "pairing_codes"

    code_hash: Mapped[bytes] = mapped_column(LargeBinary, primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    created_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    agent_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class EcuType(Base):
    """An ECU type of the catalog. Its security secret never leaves this service and is stored
    sealed only (services/ecu_secrets.py)."""

    __tablename__ = "ecu_types"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    security_algorithm: Mapped[str] = mapped_column(Text, server_default=text("'AOS-DEMO-1'"))
    security_secret_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    security_level: Mapped[int] = mapped_column(Integer, server_default=text("17"))
    memory_address: Mapped[int] = mapped_column(BigInteger)
    region_size: Mapped[int] = mapped_column(BigInteger)
    # The ECU's ISO-TP ids on CAN (11-bit, normal addressing), both or none; sent with each
    # StartJob so an agent on a CAN link finds the ECU (migration programming_0011).
    can_request_id: Mapped[int | None] = mapped_column(Integer)
    can_response_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint(
            "(can_request_id IS NULL AND can_response_id IS NULL) OR "
            "(can_request_id BETWEEN 0 AND 2047 AND can_response_id BETWEEN 0 AND 2047 "
            "AND can_request_id <> can_response_id)",
            name="can_ids",
        ),
    )


class Release(Base):
    """One signed software image of an ECU type."""

    __tablename__ = "releases"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    ecu_type: Mapped[str] = mapped_column(ForeignKey("ecu_types.key"))
    version: Mapped[str] = mapped_column(Text)
    image: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    sha256: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(BigInteger)
    memory_address: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("ecu_type", "version"),)


class AgentBuild(Base):
    """A single-file build of the VCI agent for one platform, signed like an ECU image."""

    __tablename__ = "agent_builds"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    version: Mapped[str] = mapped_column(Text)
    platform: Mapped[str] = mapped_column(Text)  # "<os>-<architecture>", e.g. "windows-x86_64"
    file_name: Mapped[str] = mapped_column(Text)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("version", "platform"),)


class Target(Base):
    """The version an ECU type should run in a model series."""

    __tablename__ = "targets"

    model_series: Mapped[str] = mapped_column(Text, primary_key=True)
    ecu_type: Mapped[str] = mapped_column(ForeignKey("ecu_types.key"), primary_key=True)
    target_version: Mapped[str] = mapped_column(Text)


class Entitlement(EntitlementColumns, Base):
    """A PROGRAMMING window that pays for sessions (servicekit's shared shape)."""

    __tablename__ = "entitlements"


class ProgrammingSession(Base):
    """One vehicle on one agent: a plan of jobs, run one by one."""

    __tablename__ = "sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id"))
    vin: Mapped[str] = mapped_column(Text)
    model_series: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(Text)
    abort_requested: Mapped[bool] = mapped_column(server_default=text("false"))
    created_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    end_detail: Mapped[str | None] = mapped_column(Text)
    vehicle_before: Mapped[dict[str, Any]] = mapped_column(JSONB)
    vehicle_after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # Who confirmed the pre-flight checklist (charger connected, ignition on, no other tester)
    # when starting the session, and when; None for sessions not started.
    preflight_confirmed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    preflight_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(_one_of(SESSION_STATES), name="state"),
        Index("ix_sessions_organization_id", "organization_id", "created_at"),
        # Migration programming_0009: the sessions not ended (the takeover scan, the gauge) and
        # an agent's sessions awaiting their closing read (asked at every agent connect).
        Index(
            "ix_sessions_open_state",
            "state",
            postgresql_where=text(_one_of(OPEN_SESSION_STATES)),
        ),
        Index(
            "ix_sessions_awaiting_closing_read",
            "agent_id",
            "ended_at",
            postgresql_where=text(f"state = '{SessionState.COMPLETED}' AND vehicle_after IS NULL"),
        ),
    )


class FlashJob(Base):
    """One ECU to flash within a session."""

    __tablename__ = "jobs"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    ecu_logical_address: Mapped[int] = mapped_column(Integer)
    ecu_name: Mapped[str] = mapped_column(Text)
    ecu_type: Mapped[str] = mapped_column(Text)
    release_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("releases.id"))
    reason: Mapped[str] = mapped_column(Text)
    version_before: Mapped[str] = mapped_column(Text)
    target_version: Mapped[str] = mapped_column(Text)
    estimated_seconds: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(Text, server_default=text(f"'{JobState.PENDING}'"))
    download_token_hash: Mapped[bytes | None] = mapped_column(LargeBinary, unique=True)
    # The download token dies with the job, and at the job's deadline at the latest.
    download_token_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version_after: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    bytes_transferred: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    retried_blocks: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    resumed_times: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # SecurityKeyAnswers given for this job; capped by PROGRAMMING_SECURITY_KEYS_PER_JOB.
    security_keys_issued: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # The agent gave the job up (the ECU did not answer within its resume window) with the
    # ECU's application erased: the ECU waits in its bootloader for a new flash.
    left_in_bootloader: Mapped[bool] = mapped_column(server_default=text("false"))
    # The agent connection that runs the job (its lease's connection id when StartJob went
    # out; the agent's newer one once the job moved there): its key requests are answered on
    # it only, on whichever replica holds it (services/security_keys.py).
    connection_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # The vehicle's battery voltage as the agent read it: before the first erase, and the
    # lowest and highest of the job (volts); None when not read (the ECU lacks the DID).
    battery_volts_at_start: Mapped[float | None] = mapped_column(Float)
    battery_volts_min: Mapped[float | None] = mapped_column(Float)
    battery_volts_max: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        CheckConstraint(_one_of(JOB_STATES), name="state"),
        UniqueConstraint("session_id", "position"),
    )


class TraceSummary(Base):
    """How many UDS exchanges of one service ended with one NRC (0 = positive) in a job."""

    __tablename__ = "trace_summaries"

    job_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
    )
    service_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nrc: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)
    retried: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))


class Replica(Base):
    """One running programming process; alive while its heartbeat is fresh."""

    __tablename__ = "replicas"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AgentLease(Base):
    """The replica (and its connection) holding an agent's WebSocket; live while that
    replica's heartbeat is fresh."""

    __tablename__ = "agent_leases"

    agent_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True
    )
    replica_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("replicas.id", ondelete="CASCADE"), index=True
    )
    connection_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    connected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReplicaMessage(Base):
    """A message too large for one NOTIFY, until its receiver reads it."""

    __tablename__ = "replica_messages"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )
