import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrganizationRegistered(_message.Message):
    __slots__ = ("organization_id", "name", "country", "vat_id", "registered_at")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    VAT_ID_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    organization_id: str
    name: str
    country: str
    vat_id: str
    registered_at: _timestamp_pb2.Timestamp
    def __init__(self, organization_id: _Optional[str] = ..., name: _Optional[str] = ..., country: _Optional[str] = ..., vat_id: _Optional[str] = ..., registered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UserRegistered(_message.Message):
    __slots__ = ("user_id", "organization_id", "email", "role", "registered_at")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    organization_id: str
    email: str
    role: str
    registered_at: _timestamp_pb2.Timestamp
    def __init__(self, user_id: _Optional[str] = ..., organization_id: _Optional[str] = ..., email: _Optional[str] = ..., role: _Optional[str] = ..., registered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
