import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ProtocolVersion(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROTOCOL_VERSION_UNSPECIFIED: _ClassVar[ProtocolVersion]
    PROTOCOL_VERSION_1: _ClassVar[ProtocolVersion]

class JobPhase(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    JOB_PHASE_UNSPECIFIED: _ClassVar[JobPhase]
    JOB_PHASE_DOWNLOADING: _ClassVar[JobPhase]
    JOB_PHASE_VERIFYING: _ClassVar[JobPhase]
    JOB_PHASE_PREPARING: _ClassVar[JobPhase]
    JOB_PHASE_ERASING: _ClassVar[JobPhase]
    JOB_PHASE_TRANSFERRING: _ClassVar[JobPhase]
    JOB_PHASE_CHECKING: _ClassVar[JobPhase]
    JOB_PHASE_RESETTING: _ClassVar[JobPhase]
    JOB_PHASE_DONE: _ClassVar[JobPhase]
    JOB_PHASE_WAITING_FOR_ECU: _ClassVar[JobPhase]
    JOB_PHASE_WAITING_FOR_VOLTAGE: _ClassVar[JobPhase]

class JobOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    JOB_OUTCOME_UNSPECIFIED: _ClassVar[JobOutcome]
    JOB_OUTCOME_SUCCEEDED: _ClassVar[JobOutcome]
    JOB_OUTCOME_FAILED: _ClassVar[JobOutcome]
    JOB_OUTCOME_REFUSED: _ClassVar[JobOutcome]
PROTOCOL_VERSION_UNSPECIFIED: ProtocolVersion
PROTOCOL_VERSION_1: ProtocolVersion
JOB_PHASE_UNSPECIFIED: JobPhase
JOB_PHASE_DOWNLOADING: JobPhase
JOB_PHASE_VERIFYING: JobPhase
JOB_PHASE_PREPARING: JobPhase
JOB_PHASE_ERASING: JobPhase
JOB_PHASE_TRANSFERRING: JobPhase
JOB_PHASE_CHECKING: JobPhase
JOB_PHASE_RESETTING: JobPhase
JOB_PHASE_DONE: JobPhase
JOB_PHASE_WAITING_FOR_ECU: JobPhase
JOB_PHASE_WAITING_FOR_VOLTAGE: JobPhase
JOB_OUTCOME_UNSPECIFIED: JobOutcome
JOB_OUTCOME_SUCCEEDED: JobOutcome
JOB_OUTCOME_FAILED: JobOutcome
JOB_OUTCOME_REFUSED: JobOutcome

class AgentFrame(_message.Message):
    __slots__ = ("seq", "reply_to", "hello", "welcome", "upgrade_required", "heartbeat", "read_vehicle", "vehicle_report", "start_job", "security_key_request", "security_key_answer", "job_progress", "uds_trace", "job_result", "error")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    REPLY_TO_FIELD_NUMBER: _ClassVar[int]
    HELLO_FIELD_NUMBER: _ClassVar[int]
    WELCOME_FIELD_NUMBER: _ClassVar[int]
    UPGRADE_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    READ_VEHICLE_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_REPORT_FIELD_NUMBER: _ClassVar[int]
    START_JOB_FIELD_NUMBER: _ClassVar[int]
    SECURITY_KEY_REQUEST_FIELD_NUMBER: _ClassVar[int]
    SECURITY_KEY_ANSWER_FIELD_NUMBER: _ClassVar[int]
    JOB_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    UDS_TRACE_FIELD_NUMBER: _ClassVar[int]
    JOB_RESULT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    seq: int
    reply_to: int
    hello: Hello
    welcome: Welcome
    upgrade_required: UpgradeRequired
    heartbeat: Heartbeat
    read_vehicle: ReadVehicle
    vehicle_report: VehicleReport
    start_job: StartJob
    security_key_request: SecurityKeyRequest
    security_key_answer: SecurityKeyAnswer
    job_progress: JobProgress
    uds_trace: UdsTrace
    job_result: JobResult
    error: Error
    def __init__(self, seq: _Optional[int] = ..., reply_to: _Optional[int] = ..., hello: _Optional[_Union[Hello, _Mapping]] = ..., welcome: _Optional[_Union[Welcome, _Mapping]] = ..., upgrade_required: _Optional[_Union[UpgradeRequired, _Mapping]] = ..., heartbeat: _Optional[_Union[Heartbeat, _Mapping]] = ..., read_vehicle: _Optional[_Union[ReadVehicle, _Mapping]] = ..., vehicle_report: _Optional[_Union[VehicleReport, _Mapping]] = ..., start_job: _Optional[_Union[StartJob, _Mapping]] = ..., security_key_request: _Optional[_Union[SecurityKeyRequest, _Mapping]] = ..., security_key_answer: _Optional[_Union[SecurityKeyAnswer, _Mapping]] = ..., job_progress: _Optional[_Union[JobProgress, _Mapping]] = ..., uds_trace: _Optional[_Union[UdsTrace, _Mapping]] = ..., job_result: _Optional[_Union[JobResult, _Mapping]] = ..., error: _Optional[_Union[Error, _Mapping]] = ...) -> None: ...

class Hello(_message.Message):
    __slots__ = ("min_protocol_version", "max_protocol_version", "agent_version", "hostname", "pending_results", "agent_platform")
    MIN_PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    MAX_PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    AGENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    PENDING_RESULTS_FIELD_NUMBER: _ClassVar[int]
    AGENT_PLATFORM_FIELD_NUMBER: _ClassVar[int]
    min_protocol_version: int
    max_protocol_version: int
    agent_version: str
    hostname: str
    pending_results: int
    agent_platform: str
    def __init__(self, min_protocol_version: _Optional[int] = ..., max_protocol_version: _Optional[int] = ..., agent_version: _Optional[str] = ..., hostname: _Optional[str] = ..., pending_results: _Optional[int] = ..., agent_platform: _Optional[str] = ...) -> None: ...

class Welcome(_message.Message):
    __slots__ = ("protocol_version", "agent_id", "heartbeat_interval_seconds", "server_time", "update")
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_INTERVAL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SERVER_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FIELD_NUMBER: _ClassVar[int]
    protocol_version: int
    agent_id: str
    heartbeat_interval_seconds: int
    server_time: _timestamp_pb2.Timestamp
    update: AgentUpdate
    def __init__(self, protocol_version: _Optional[int] = ..., agent_id: _Optional[str] = ..., heartbeat_interval_seconds: _Optional[int] = ..., server_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update: _Optional[_Union[AgentUpdate, _Mapping]] = ...) -> None: ...

class UpgradeRequired(_message.Message):
    __slots__ = ("min_protocol_version", "message", "update")
    MIN_PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FIELD_NUMBER: _ClassVar[int]
    min_protocol_version: int
    message: str
    update: AgentUpdate
    def __init__(self, min_protocol_version: _Optional[int] = ..., message: _Optional[str] = ..., update: _Optional[_Union[AgentUpdate, _Mapping]] = ...) -> None: ...

class AgentUpdate(_message.Message):
    __slots__ = ("version", "platform", "url", "size", "sha256", "signature")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    version: str
    platform: str
    url: str
    size: int
    sha256: bytes
    signature: bytes
    def __init__(self, version: _Optional[str] = ..., platform: _Optional[str] = ..., url: _Optional[str] = ..., size: _Optional[int] = ..., sha256: _Optional[bytes] = ..., signature: _Optional[bytes] = ...) -> None: ...

class Heartbeat(_message.Message):
    __slots__ = ("sent_at",)
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    sent_at: _timestamp_pb2.Timestamp
    def __init__(self, sent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReadVehicle(_message.Message):
    __slots__ = ("request_id", "can_ids")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CAN_IDS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    can_ids: _containers.RepeatedCompositeFieldContainer[EcuCanIds]
    def __init__(self, request_id: _Optional[str] = ..., can_ids: _Optional[_Iterable[_Union[EcuCanIds, _Mapping]]] = ...) -> None: ...

class EcuCanIds(_message.Message):
    __slots__ = ("ecu_type", "request_id", "response_id")
    ECU_TYPE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_ID_FIELD_NUMBER: _ClassVar[int]
    ecu_type: str
    request_id: int
    response_id: int
    def __init__(self, ecu_type: _Optional[str] = ..., request_id: _Optional[int] = ..., response_id: _Optional[int] = ...) -> None: ...

class EcuReport(_message.Message):
    __slots__ = ("logical_address", "name", "ecu_type", "software_version", "serial_number", "in_bootloader")
    LOGICAL_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ECU_TYPE_FIELD_NUMBER: _ClassVar[int]
    SOFTWARE_VERSION_FIELD_NUMBER: _ClassVar[int]
    SERIAL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    IN_BOOTLOADER_FIELD_NUMBER: _ClassVar[int]
    logical_address: int
    name: str
    ecu_type: str
    software_version: str
    serial_number: str
    in_bootloader: bool
    def __init__(self, logical_address: _Optional[int] = ..., name: _Optional[str] = ..., ecu_type: _Optional[str] = ..., software_version: _Optional[str] = ..., serial_number: _Optional[str] = ..., in_bootloader: _Optional[bool] = ...) -> None: ...

class VehicleReport(_message.Message):
    __slots__ = ("request_id", "vin", "ecus", "read_at")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    VIN_FIELD_NUMBER: _ClassVar[int]
    ECUS_FIELD_NUMBER: _ClassVar[int]
    READ_AT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    vin: str
    ecus: _containers.RepeatedCompositeFieldContainer[EcuReport]
    read_at: _timestamp_pb2.Timestamp
    def __init__(self, request_id: _Optional[str] = ..., vin: _Optional[str] = ..., ecus: _Optional[_Iterable[_Union[EcuReport, _Mapping]]] = ..., read_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class StartJob(_message.Message):
    __slots__ = ("job_id", "session_id", "ecu_logical_address", "ecu_type", "target_version", "image_url", "image_sha256", "image_signature", "image_size", "memory_address", "security_level", "download_token", "can_request_id", "can_response_id", "has_can_ids")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    ECU_LOGICAL_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    ECU_TYPE_FIELD_NUMBER: _ClassVar[int]
    TARGET_VERSION_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    IMAGE_SHA256_FIELD_NUMBER: _ClassVar[int]
    IMAGE_SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    IMAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    MEMORY_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    SECURITY_LEVEL_FIELD_NUMBER: _ClassVar[int]
    DOWNLOAD_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CAN_REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CAN_RESPONSE_ID_FIELD_NUMBER: _ClassVar[int]
    HAS_CAN_IDS_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    session_id: str
    ecu_logical_address: int
    ecu_type: str
    target_version: str
    image_url: str
    image_sha256: bytes
    image_signature: bytes
    image_size: int
    memory_address: int
    security_level: int
    download_token: str
    can_request_id: int
    can_response_id: int
    has_can_ids: bool
    def __init__(self, job_id: _Optional[str] = ..., session_id: _Optional[str] = ..., ecu_logical_address: _Optional[int] = ..., ecu_type: _Optional[str] = ..., target_version: _Optional[str] = ..., image_url: _Optional[str] = ..., image_sha256: _Optional[bytes] = ..., image_signature: _Optional[bytes] = ..., image_size: _Optional[int] = ..., memory_address: _Optional[int] = ..., security_level: _Optional[int] = ..., download_token: _Optional[str] = ..., can_request_id: _Optional[int] = ..., can_response_id: _Optional[int] = ..., has_can_ids: _Optional[bool] = ...) -> None: ...

class SecurityKeyRequest(_message.Message):
    __slots__ = ("job_id", "ecu_logical_address", "level", "seed")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    ECU_LOGICAL_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    ecu_logical_address: int
    level: int
    seed: bytes
    def __init__(self, job_id: _Optional[str] = ..., ecu_logical_address: _Optional[int] = ..., level: _Optional[int] = ..., seed: _Optional[bytes] = ...) -> None: ...

class SecurityKeyAnswer(_message.Message):
    __slots__ = ("job_id", "level", "key")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    level: int
    key: bytes
    def __init__(self, job_id: _Optional[str] = ..., level: _Optional[int] = ..., key: _Optional[bytes] = ...) -> None: ...

class JobProgress(_message.Message):
    __slots__ = ("job_id", "phase", "bytes_done", "bytes_total", "block_counter")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    PHASE_FIELD_NUMBER: _ClassVar[int]
    BYTES_DONE_FIELD_NUMBER: _ClassVar[int]
    BYTES_TOTAL_FIELD_NUMBER: _ClassVar[int]
    BLOCK_COUNTER_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    phase: JobPhase
    bytes_done: int
    bytes_total: int
    block_counter: int
    def __init__(self, job_id: _Optional[str] = ..., phase: _Optional[_Union[JobPhase, str]] = ..., bytes_done: _Optional[int] = ..., bytes_total: _Optional[int] = ..., block_counter: _Optional[int] = ...) -> None: ...

class UdsTraceRecord(_message.Message):
    __slots__ = ("at", "service_id", "subfunction_or_id", "positive", "nrc", "block_counter", "duration_us", "request_length", "retried")
    AT_FIELD_NUMBER: _ClassVar[int]
    SERVICE_ID_FIELD_NUMBER: _ClassVar[int]
    SUBFUNCTION_OR_ID_FIELD_NUMBER: _ClassVar[int]
    POSITIVE_FIELD_NUMBER: _ClassVar[int]
    NRC_FIELD_NUMBER: _ClassVar[int]
    BLOCK_COUNTER_FIELD_NUMBER: _ClassVar[int]
    DURATION_US_FIELD_NUMBER: _ClassVar[int]
    REQUEST_LENGTH_FIELD_NUMBER: _ClassVar[int]
    RETRIED_FIELD_NUMBER: _ClassVar[int]
    at: _timestamp_pb2.Timestamp
    service_id: int
    subfunction_or_id: int
    positive: bool
    nrc: int
    block_counter: int
    duration_us: int
    request_length: int
    retried: bool
    def __init__(self, at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., service_id: _Optional[int] = ..., subfunction_or_id: _Optional[int] = ..., positive: _Optional[bool] = ..., nrc: _Optional[int] = ..., block_counter: _Optional[int] = ..., duration_us: _Optional[int] = ..., request_length: _Optional[int] = ..., retried: _Optional[bool] = ...) -> None: ...

class UdsTrace(_message.Message):
    __slots__ = ("job_id", "records")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    records: _containers.RepeatedCompositeFieldContainer[UdsTraceRecord]
    def __init__(self, job_id: _Optional[str] = ..., records: _Optional[_Iterable[_Union[UdsTraceRecord, _Mapping]]] = ...) -> None: ...

class JobResult(_message.Message):
    __slots__ = ("job_id", "outcome", "version_after", "detail", "started_at", "finished_at", "bytes_transferred", "retried_blocks", "resumed_times", "ecu_in_bootloader", "trace_summary", "has_trace_summary", "battery_volts_at_start", "battery_volts_min", "battery_volts_max", "has_battery_volts")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    VERSION_AFTER_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    BYTES_TRANSFERRED_FIELD_NUMBER: _ClassVar[int]
    RETRIED_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    RESUMED_TIMES_FIELD_NUMBER: _ClassVar[int]
    ECU_IN_BOOTLOADER_FIELD_NUMBER: _ClassVar[int]
    TRACE_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    HAS_TRACE_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    BATTERY_VOLTS_AT_START_FIELD_NUMBER: _ClassVar[int]
    BATTERY_VOLTS_MIN_FIELD_NUMBER: _ClassVar[int]
    BATTERY_VOLTS_MAX_FIELD_NUMBER: _ClassVar[int]
    HAS_BATTERY_VOLTS_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    outcome: JobOutcome
    version_after: str
    detail: str
    started_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    bytes_transferred: int
    retried_blocks: int
    resumed_times: int
    ecu_in_bootloader: bool
    trace_summary: _containers.RepeatedCompositeFieldContainer[UdsTraceCount]
    has_trace_summary: bool
    battery_volts_at_start: float
    battery_volts_min: float
    battery_volts_max: float
    has_battery_volts: bool
    def __init__(self, job_id: _Optional[str] = ..., outcome: _Optional[_Union[JobOutcome, str]] = ..., version_after: _Optional[str] = ..., detail: _Optional[str] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., bytes_transferred: _Optional[int] = ..., retried_blocks: _Optional[int] = ..., resumed_times: _Optional[int] = ..., ecu_in_bootloader: _Optional[bool] = ..., trace_summary: _Optional[_Iterable[_Union[UdsTraceCount, _Mapping]]] = ..., has_trace_summary: _Optional[bool] = ..., battery_volts_at_start: _Optional[float] = ..., battery_volts_min: _Optional[float] = ..., battery_volts_max: _Optional[float] = ..., has_battery_volts: _Optional[bool] = ...) -> None: ...

class UdsTraceCount(_message.Message):
    __slots__ = ("service_id", "nrc", "count", "retried")
    SERVICE_ID_FIELD_NUMBER: _ClassVar[int]
    NRC_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    RETRIED_FIELD_NUMBER: _ClassVar[int]
    service_id: int
    nrc: int
    count: int
    retried: int
    def __init__(self, service_id: _Optional[int] = ..., nrc: _Optional[int] = ..., count: _Optional[int] = ..., retried: _Optional[int] = ...) -> None: ...

class Error(_message.Message):
    __slots__ = ("code", "message", "job_id")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    code: str
    message: str
    job_id: str
    def __init__(self, code: _Optional[str] = ..., message: _Optional[str] = ..., job_id: _Optional[str] = ...) -> None: ...
