"""Request and response bodies."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from programming.db.models import Agent, FlashJob, ProgrammingSession
from programming.domain.sessions import JobState
from programming.services.sessions import ConnectedVehicle, SessionView

# The last JobProgress of each running job (live state of the runtime).
Progress = Mapping[uuid.UUID, Mapping[str, Any]]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PairingCodeRead(BaseModel):
    code: str = Field(description="Type this into the agent: `aos-vci-agent pair <code>`")
    expires_at: datetime


class PairCreate(_Request):
    code: str = Field(min_length=1, max_length=32, examples=["ABCD-EFGH"])
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = (
        Field(examples=["Bay 3 laptop"])
    )


class PairRead(BaseModel):
    agent_id: uuid.UUID
    credential: str = Field(description="Shown once; store it where only the agent can read it")
    release_public_key: str = Field(description="Ed25519 public key, raw 32 bytes in base64")
    release_public_key_pem: str


class AgentRead(BaseModel):
    id: uuid.UUID
    name: str
    online: bool
    created_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None
    agent_version: str | None
    hostname: str | None

    @classmethod
    def of(cls, agent: Agent, *, online: bool) -> AgentRead:
        return cls(
            id=agent.id,
            name=agent.name,
            online=agent.revoked_at is None and online,
            created_at=agent.created_at,
            last_seen_at=agent.last_seen_at,
            revoked_at=agent.revoked_at,
            agent_version=agent.agent_version,
            hostname=agent.hostname,
        )


class AgentList(BaseModel):
    items: list[AgentRead]


class ReleaseRead(BaseModel):
    id: uuid.UUID
    ecu_type: str
    version: str
    size: int = Field(description="bytes")
    sha256: str = Field(description="hex")
    signature: str = Field(description="Ed25519 signature over the image, base64")
    memory_address: int
    created_at: datetime


class ReleaseList(BaseModel):
    items: list[ReleaseRead]


class AgentBuildRead(BaseModel):
    id: uuid.UUID
    version: str
    platform: str = Field(description='"<os>-<architecture>", e.g. "windows-x86_64"')
    file_name: str
    size: int = Field(description="bytes")
    sha256: str = Field(description="hex")
    signature: str = Field(description="Ed25519 signature over the file by the release key, base64")
    url: str = Field(description="where the file is downloaded (no login needed)")
    created_at: datetime


class AgentBuildList(BaseModel):
    items: list[AgentBuildRead]


class SessionCreate(_Request):
    agent_id: uuid.UUID
    vin: str = Field(min_length=1, max_length=32, examples=["WBA5F3103MFX12345"])


class PreflightConfirmation(_Request):
    """The pre-flight checklist the person starting the session confirms at the vehicle.
    Every item must be true."""

    charger_connected: bool = Field(
        description="a battery charger (power supply) is connected to the vehicle"
    )
    ignition_on: bool = Field(description="the ignition is on (terminal 15)")
    no_other_tester: bool = Field(
        description="no other diagnostic tester is connected to the vehicle"
    )


class SessionStart(_Request):
    preflight: PreflightConfirmation


class PreflightRead(BaseModel):
    confirmed_by: uuid.UUID = Field(description="the member who confirmed it and started")
    confirmed_at: datetime


class EcuTypeRead(BaseModel):
    key: str
    name: str
    can_request_id: int | None = Field(
        description="11-bit CAN id the tester sends to (ISO-TP, normal addressing); "
        "None when not known"
    )
    can_response_id: int | None = Field(description="11-bit CAN id the ECU answers on")


class EcuTypeList(BaseModel):
    items: list[EcuTypeRead]


class EcuTypeUpdate(_Request):
    """The ECU type's CAN ids: both (11-bit, 0x000-0x7FF, not equal) or both null."""

    can_request_id: int | None = Field(examples=[0x712])
    can_response_id: int | None = Field(examples=[0x71A])


class BatteryVoltsRead(BaseModel):
    at_start: float = Field(description="volts, read before the first erase")
    min: float = Field(description="volts, lowest reading of the job")
    max: float = Field(description="volts, highest reading of the job")


class JobProgressRead(BaseModel):
    phase: str = Field(
        description="DOWNLOADING, VERIFYING, PREPARING, ERASING, TRANSFERRING, CHECKING, "
        "RESETTING, DONE, WAITING_FOR_ECU while the ECU does not answer (power or link "
        "loss) and the agent keeps trying to resume, or WAITING_FOR_VOLTAGE while the "
        "vehicle's battery is below the flash's floor and the flash is paused (connect a "
        "charger)"
    )
    bytes_done: int
    bytes_total: int


class JobRead(BaseModel):
    id: uuid.UUID
    position: int
    ecu_logical_address: int
    ecu_name: str
    ecu_type: str
    reason: str = Field(description="outdated or in-bootloader")
    version_before: str
    target_version: str
    estimated_seconds: int
    state: str
    version_after: str | None
    detail: str | None
    started_at: datetime | None
    finished_at: datetime | None
    bytes_transferred: int
    left_in_bootloader: bool = Field(
        default=False,
        description="the agent gave the job up with the ECU's application erased: the ECU "
        "waits in its bootloader; restore power and the connection, then plan a new session",
    )
    battery_volts: BatteryVoltsRead | None = Field(
        default=None,
        description="the vehicle's battery as the agent read it during the job; None when "
        "not read (the job has not ended, or the ECU has no voltage DID)",
    )
    progress: JobProgressRead | None = None

    @classmethod
    def of(cls, job: FlashJob, progress: Progress) -> JobRead:
        live = progress.get(job.id) if job.state == JobState.RUNNING else None
        volts = (job.battery_volts_at_start, job.battery_volts_min, job.battery_volts_max)
        return cls(
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
            battery_volts=(
                BatteryVoltsRead(at_start=volts[0], min=volts[1], max=volts[2])
                if volts[0] is not None and volts[1] is not None and volts[2] is not None
                else None
            ),
            progress=JobProgressRead.model_validate(dict(live)) if live else None,
        )


class SessionRead(BaseModel):
    id: uuid.UUID
    agent_id: uuid.UUID
    vin: str
    model_series: str
    state: str
    abort_requested: bool
    end_detail: str | None
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    estimated_seconds: int = Field(description="sum of the jobs' estimates")
    preflight: PreflightRead | None = Field(
        default=None, description="who confirmed the pre-flight checklist, and when"
    )
    jobs: list[JobRead]

    @classmethod
    def of(cls, view: SessionView, progress: Progress) -> SessionRead:
        found = view.session
        return cls(
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
            preflight=(
                PreflightRead(
                    confirmed_by=found.preflight_confirmed_by,
                    confirmed_at=found.preflight_confirmed_at,
                )
                if found.preflight_confirmed_by is not None
                and found.preflight_confirmed_at is not None
                else None
            ),
            jobs=[JobRead.of(job, progress) for job in view.jobs],
        )


class SessionSummary(BaseModel):
    id: uuid.UUID
    agent_id: uuid.UUID
    vin: str
    model_series: str
    state: str
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    end_detail: str | None
    job_count: int
    estimated_seconds: int = Field(description="sum of the jobs' estimates")

    @classmethod
    def of(cls, found: ProgrammingSession, *, job_count: int, estimated: int) -> SessionSummary:
        return cls(
            id=found.id,
            agent_id=found.agent_id,
            vin=found.vin,
            model_series=found.model_series,
            state=found.state,
            created_at=found.created_at,
            started_at=found.started_at,
            ended_at=found.ended_at,
            end_detail=found.end_detail,
            job_count=job_count,
            estimated_seconds=estimated,
        )


class SessionList(BaseModel):
    items: list[SessionSummary] = Field(description="newest first")
    total: int = Field(description="the organisation's sessions in all")
    limit: int
    offset: int


class EcuRead(BaseModel):
    # Read from the domain's EcuSnapshot by attribute: the fields are the same by design.
    model_config = ConfigDict(from_attributes=True)

    logical_address: int
    name: str
    ecu_type: str
    software_version: str = Field(description="empty while the ECU is in its bootloader")
    serial_number: str
    in_bootloader: bool


class ConnectedVehicleRead(BaseModel):
    agent_id: uuid.UUID
    vin: str = Field(description="as the vehicle reports it (empty when it could not be read)")
    vin_valid: bool
    model_series: str | None = Field(description="None: not in the programming catalog")
    read_at: datetime
    ecus: list[EcuRead]

    @classmethod
    def of(cls, connected: ConnectedVehicle) -> ConnectedVehicleRead:
        vehicle = connected.vehicle
        return cls(
            agent_id=connected.agent_id,
            vin=vehicle.vin,
            vin_valid=connected.vin_valid,
            model_series=connected.model_series,
            read_at=vehicle.read_at,
            ecus=[EcuRead.model_validate(ecu) for ecu in vehicle.ecus],
        )


class EcuVersions(BaseModel):
    logical_address: int
    name: str
    ecu_type: str
    before: str | None
    after: str | None


class TraceCount(BaseModel):
    job_id: uuid.UUID
    service_id: int
    nrc: int = Field(description="0 for positive responses")
    count: int
    retried: int


class SessionReport(BaseModel):
    session: SessionRead
    created_by: uuid.UUID
    started_by: uuid.UUID | None
    versions: list[EcuVersions]
    trace_summary: list[TraceCount]
    vehicle_before: dict[str, Any]
    vehicle_after: dict[str, Any] | None

    @classmethod
    def of(cls, view: SessionView, progress: Progress) -> SessionReport:
        found = view.session
        after = {
            ecu["logical_address"]: ecu["software_version"]
            for ecu in (found.vehicle_after or {}).get("ecus", [])
        }
        return cls(
            session=SessionRead.of(view, progress),
            created_by=found.created_by,
            started_by=found.started_by,
            versions=[
                EcuVersions(
                    logical_address=ecu["logical_address"],
                    name=ecu["name"],
                    ecu_type=ecu["ecu_type"],
                    before=ecu["software_version"],
                    after=after.get(ecu["logical_address"]),
                )
                for ecu in found.vehicle_before.get("ecus", [])
            ],
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
