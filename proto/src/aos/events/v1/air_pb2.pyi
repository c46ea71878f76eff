import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SearchKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEARCH_KIND_UNSPECIFIED: _ClassVar[SearchKind]
    SEARCH_KIND_VIN: _ClassVar[SearchKind]
    SEARCH_KIND_KEYWORD: _ClassVar[SearchKind]

class ServiceEntryKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SERVICE_ENTRY_KIND_UNSPECIFIED: _ClassVar[ServiceEntryKind]
    SERVICE_ENTRY_KIND_INSPECTION: _ClassVar[ServiceEntryKind]
    SERVICE_ENTRY_KIND_OIL_SERVICE: _ClassVar[ServiceEntryKind]
    SERVICE_ENTRY_KIND_BRAKE_FLUID: _ClassVar[ServiceEntryKind]
    SERVICE_ENTRY_KIND_REPAIR: _ClassVar[ServiceEntryKind]
    SERVICE_ENTRY_KIND_RECALL: _ClassVar[ServiceEntryKind]
SEARCH_KIND_UNSPECIFIED: SearchKind
SEARCH_KIND_VIN: SearchKind
SEARCH_KIND_KEYWORD: SearchKind
SERVICE_ENTRY_KIND_UNSPECIFIED: ServiceEntryKind
SERVICE_ENTRY_KIND_INSPECTION: ServiceEntryKind
SERVICE_ENTRY_KIND_OIL_SERVICE: ServiceEntryKind
SERVICE_ENTRY_KIND_BRAKE_FLUID: ServiceEntryKind
SERVICE_ENTRY_KIND_REPAIR: ServiceEntryKind
SERVICE_ENTRY_KIND_RECALL: ServiceEntryKind

class AirSearchPerformed(_message.Message):
    __slots__ = ("search_id", "organization_id", "user_id", "kind", "vin", "result_count", "performed_at", "entitlement_id")
    SEARCH_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    VIN_FIELD_NUMBER: _ClassVar[int]
    RESULT_COUNT_FIELD_NUMBER: _ClassVar[int]
    PERFORMED_AT_FIELD_NUMBER: _ClassVar[int]
    ENTITLEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    search_id: str
    organization_id: str
    user_id: str
    kind: SearchKind
    vin: str
    result_count: int
    performed_at: _timestamp_pb2.Timestamp
    entitlement_id: str
    def __init__(self, search_id: _Optional[str] = ..., organization_id: _Optional[str] = ..., user_id: _Optional[str] = ..., kind: _Optional[_Union[SearchKind, str]] = ..., vin: _Optional[str] = ..., result_count: _Optional[int] = ..., performed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., entitlement_id: _Optional[str] = ...) -> None: ...

class AirDocumentRead(_message.Message):
    __slots__ = ("read_id", "organization_id", "user_id", "document_id", "vin", "read_at", "entitlement_id")
    READ_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    VIN_FIELD_NUMBER: _ClassVar[int]
    READ_AT_FIELD_NUMBER: _ClassVar[int]
    ENTITLEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    read_id: str
    organization_id: str
    user_id: str
    document_id: str
    vin: str
    read_at: _timestamp_pb2.Timestamp
    entitlement_id: str
    def __init__(self, read_id: _Optional[str] = ..., organization_id: _Optional[str] = ..., user_id: _Optional[str] = ..., document_id: _Optional[str] = ..., vin: _Optional[str] = ..., read_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., entitlement_id: _Optional[str] = ...) -> None: ...

class ServiceEntryRecorded(_message.Message):
    __slots__ = ("entry_id", "organization_id", "user_id", "vin", "kind", "performed_on", "mileage_km", "revision", "voided", "corrects_entry_id", "recorded_at")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    VIN_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PERFORMED_ON_FIELD_NUMBER: _ClassVar[int]
    MILEAGE_KM_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    VOIDED_FIELD_NUMBER: _ClassVar[int]
    CORRECTS_ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    organization_id: str
    user_id: str
    vin: str
    kind: ServiceEntryKind
    performed_on: str
    mileage_km: int
    revision: int
    voided: bool
    corrects_entry_id: str
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, entry_id: _Optional[str] = ..., organization_id: _Optional[str] = ..., user_id: _Optional[str] = ..., vin: _Optional[str] = ..., kind: _Optional[_Union[ServiceEntryKind, str]] = ..., performed_on: _Optional[str] = ..., mileage_km: _Optional[int] = ..., revision: _Optional[int] = ..., voided: _Optional[bool] = ..., corrects_entry_id: _Optional[str] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
