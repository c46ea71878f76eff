import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SessionEndReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SESSION_END_REASON_UNSPECIFIED: _ClassVar[SessionEndReason]
    SESSION_END_REASON_COMPLETED: _ClassVar[SessionEndReason]
    SESSION_END_REASON_EXPIRED: _ClassVar[SessionEndReason]
    SESSION_END_REASON_ABORTED: _ClassVar[SessionEndReason]
    SESSION_END_REASON_FAILED: _ClassVar[SessionEndReason]

class FlashOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FLASH_OUTCOME_UNSPECIFIED: _ClassVar[FlashOutcome]
    FLASH_OUTCOME_SUCCEEDED: _ClassVar[FlashOutcome]
    FLASH_OUTCOME_FAILED: _ClassVar[FlashOutcome]
    FLASH_OUTCOME_ABORTED: _ClassVar[FlashOutcome]
SESSION_END_REASON_UNSPECIFIED: SessionEndReason
SESSION_END_REASON_COMPLETED: SessionEndReason
SESSION_END_REASON_EXPIRED: SessionEndReason
SESSION_END_REASON_ABORTED: SessionEndReason
SESSION_END_REASON_FAILED: SessionEndReason
FLASH_OUTCOME_UNSPECIFIED: FlashOutcome
FLASH_OUTCOME_SUCCEEDED: FlashOutcome
FLASH_OUTCOME_FAILED: FlashOutcome
FLASH_OUTCOME_ABORTED: FlashOutcome

class SessionStarted(_message.Message):
    __slots__ = ("session_id", "organization_id", "vin", "agent_id", "started_by", "started_at")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    VIN_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    STARTED_BY_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    organization_id: str
    vin: str
    agent_id: str
    started_by: str
    started_at: _timestamp_pb2.Timestamp
    def __init__(self, session_id: _Optional[str] = ..., organization_id: _Optional[str] = ..., vin: _Optional[str] = ..., agent_id: _Optional[str] = ..., started_by: _Optional[str] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SessionEnded(_message.Message):
    __slots__ = ("session_id", "organization_id", "reason", "ended_at", "detail", "vin", "started_by", "started_at")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    VIN_FIELD_NUMBER: _ClassVar[int]
    STARTED_BY_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    organization_id: str
    reason: SessionEndReason
    ended_at: _timestamp_pb2.Timestamp
    detail: str
    vin: str
    started_by: str
    started_at: _timestamp_pb2.Timestamp
    def __init__(self, session_id: _Optional[str] = ..., organization_id: _Optional[str] = ..., reason: _Optional[_Union[SessionEndReason, str]] = ..., ended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., detail: _Optional[str] = ..., vin: _Optional[str] = ..., started_by: _Optional[str] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class FlashJobFinished(_message.Message):
    __slots__ = ("job_id", "session_id", "organization_id", "ecu_logical_address", "ecu_type", "version_before", "version_after", "outcome", "started_at", "finished_at", "bytes_transferred", "detail", "vin", "started_by")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    ECU_LOGICAL_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    ECU_TYPE_FIELD_NUMBER: _ClassVar[int]
    VERSION_BEFORE_FIELD_NUMBER: _ClassVar[int]
    VERSION_AFTER_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    BYTES_TRANSFERRED_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    VIN_FIELD_NUMBER: _ClassVar[int]
    STARTED_BY_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    session_id: str
    organization_id: str
    ecu_logical_address: int
    ecu_type: str
    version_before: str
    version_after: str
    outcome: FlashOutcome
    started_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    bytes_transferred: int
    detail: str
    vin: str
    started_by: str
    def __init__(self, job_id: _Optional[str] = ..., session_id: _Optional[str] = ..., organization_id: _Optional[str] = ..., ecu_logical_address: _Optional[int] = ..., ecu_type: _Optional[str] = ..., version_before: _Optional[str] = ..., version_after: _Optional[str] = ..., outcome: _Optional[_Union[FlashOutcome, str]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., bytes_transferred: _Optional[int] = ..., detail: _Optional[str] = ..., vin: _Optional[str] = ..., started_by: _Optional[str] = ...) -> None: ...
