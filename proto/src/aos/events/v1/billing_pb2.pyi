import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Scope(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCOPE_UNSPECIFIED: _ClassVar[Scope]
    SCOPE_AIR: _ClassVar[Scope]
    SCOPE_PROGRAMMING: _ClassVar[Scope]
SCOPE_UNSPECIFIED: Scope
SCOPE_AIR: Scope
SCOPE_PROGRAMMING: Scope

class OrderPaid(_message.Message):
    __slots__ = ("order_id", "organization_id", "product_code", "amount_minor", "currency", "paid_at")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_CODE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    PAID_AT_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    organization_id: str
    product_code: str
    amount_minor: int
    currency: str
    paid_at: _timestamp_pb2.Timestamp
    def __init__(self, order_id: _Optional[str] = ..., organization_id: _Optional[str] = ..., product_code: _Optional[str] = ..., amount_minor: _Optional[int] = ..., currency: _Optional[str] = ..., paid_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EntitlementGranted(_message.Message):
    __slots__ = ("entitlement_id", "organization_id", "scope", "valid_from", "valid_until", "order_id")
    ENTITLEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    VALID_FROM_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    entitlement_id: str
    organization_id: str
    scope: Scope
    valid_from: _timestamp_pb2.Timestamp
    valid_until: _timestamp_pb2.Timestamp
    order_id: str
    def __init__(self, entitlement_id: _Optional[str] = ..., organization_id: _Optional[str] = ..., scope: _Optional[_Union[Scope, str]] = ..., valid_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., valid_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., order_id: _Optional[str] = ...) -> None: ...
