"""Request and response bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


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


class SessionCreate(_Request):
    agent_id: uuid.UUID
    vin: str = Field(min_length=1, max_length=32, examples=["WBA5F3103MFX12345"])


class JobProgressRead(BaseModel):
    phase: str = Field(
        description="DOWNLOADING, VERIFYING, PREPARING, ERASING, TRANSFERRING, CHECKING, "
        "RESETTING, DONE, or WAITING_FOR_ECU while the ECU does not answer (power or link "
        "loss) and the agent keeps trying to resume"
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
    progress: JobProgressRead | None = None


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
    jobs: list[JobRead]


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


class SessionList(BaseModel):
    items: list[SessionSummary] = Field(description="newest first")
    total: int = Field(description="the organisation's sessions in all")
    limit: int
    offset: int


class EcuRead(BaseModel):
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
