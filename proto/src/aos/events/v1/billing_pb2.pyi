import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Scope(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCOPE_UNSPECIFIED: _ClassVar[Scope]
    SCOPE_AIR: _ClassVar[Scope]
    SCOPE_PROGRAMMING: _ClassVar[Scope]

class RevocationReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REVOCATION_REASON_UNSPECIFIED: _ClassVar[RevocationReason]
    REVOCATION_REASON_REFUNDED: _ClassVar[RevocationReason]

class InvoiceKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INVOICE_KIND_UNSPECIFIED: _ClassVar[InvoiceKind]
    INVOICE_KIND_INVOICE: _ClassVar[InvoiceKind]
    INVOICE_KIND_CREDIT_NOTE: _ClassVar[InvoiceKind]
SCOPE_UNSPECIFIED: Scope
SCOPE_AIR: Scope
SCOPE_PROGRAMMING: Scope
REVOCATION_REASON_UNSPECIFIED: RevocationReason
REVOCATION_REASON_REFUNDED: RevocationReason
INVOICE_KIND_UNSPECIFIED: InvoiceKind
INVOICE_KIND_INVOICE: InvoiceKind
INVOICE_KIND_CREDIT_NOTE: InvoiceKind

class OrderLine(_message.Message):
    __slots__ = ("product_code", "quantity", "vin", "net_minor")
    PRODUCT_CODE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    VIN_FIELD_NUMBER: _ClassVar[int]
    NET_MINOR_FIELD_NUMBER: _ClassVar[int]
    product_code: str
    quantity: int
    vin: str
    net_minor: int
    def __init__(self, product_code: _Optional[str] = ..., quantity: _Optional[int] = ..., vin: _Optional[str] = ..., net_minor: _Optional[int] = ...) -> None: ...

class OrderPaid(_message.Message):
    __slots__ = ("order_id", "organization_id", "product_code", "amount_minor", "currency", "paid_at", "lines", "invoice_number")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_CODE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    PAID_AT_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    INVOICE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    organization_id: str
    product_code: str
    amount_minor: int
    currency: str
    paid_at: _timestamp_pb2.Timestamp
    lines: _containers.RepeatedCompositeFieldContainer[OrderLine]
    invoice_number: str
    def __init__(self, order_id: _Optional[str] = ..., organization_id: _Optional[str] = ..., product_code: _Optional[str] = ..., amount_minor: _Optional[int] = ..., currency: _Optional[str] = ..., paid_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., lines: _Optional[_Iterable[_Union[OrderLine, _Mapping]]] = ..., invoice_number: _Optional[str] = ...) -> None: ...

class EntitlementGranted(_message.Message):
    __slots__ = ("entitlement_id", "organization_id", "scope", "valid_from", "valid_until", "order_id", "vin")
    ENTITLEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    VALID_FROM_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    VIN_FIELD_NUMBER: _ClassVar[int]
    entitlement_id: str
    organization_id: str
    scope: Scope
    valid_from: _timestamp_pb2.Timestamp
    valid_until: _timestamp_pb2.Timestamp
    order_id: str
    vin: str
    def __init__(self, entitlement_id: _Optional[str] = ..., organization_id: _Optional[str] = ..., scope: _Optional[_Union[Scope, str]] = ..., valid_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., valid_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., order_id: _Optional[str] = ..., vin: _Optional[str] = ...) -> None: ...

class EntitlementRevoked(_message.Message):
    __slots__ = ("entitlement_id", "organization_id", "scope", "order_id", "vin", "reason", "revoked_at")
    ENTITLEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    VIN_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REVOKED_AT_FIELD_NUMBER: _ClassVar[int]
    entitlement_id: str
    organization_id: str
    scope: Scope
    order_id: str
    vin: str
    reason: RevocationReason
    revoked_at: _timestamp_pb2.Timestamp
    def __init__(self, entitlement_id: _Optional[str] = ..., organization_id: _Optional[str] = ..., scope: _Optional[_Union[Scope, str]] = ..., order_id: _Optional[str] = ..., vin: _Optional[str] = ..., reason: _Optional[_Union[RevocationReason, str]] = ..., revoked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class InvoiceIssued(_message.Message):
    __slots__ = ("invoice_id", "number", "kind", "organization_id", "order_id", "credited_invoice_id", "net_minor", "vat_minor", "gross_minor", "currency", "issued_at")
    INVOICE_ID_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CREDITED_INVOICE_ID_FIELD_NUMBER: _ClassVar[int]
    NET_MINOR_FIELD_NUMBER: _ClassVar[int]
    VAT_MINOR_FIELD_NUMBER: _ClassVar[int]
    GROSS_MINOR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    ISSUED_AT_FIELD_NUMBER: _ClassVar[int]
    invoice_id: str
    number: str
    kind: InvoiceKind
    organization_id: str
    order_id: str
    credited_invoice_id: str
    net_minor: int
    vat_minor: int
    gross_minor: int
    currency: str
    issued_at: _timestamp_pb2.Timestamp
    def __init__(self, invoice_id: _Optional[str] = ..., number: _Optional[str] = ..., kind: _Optional[_Union[InvoiceKind, str]] = ..., organization_id: _Optional[str] = ..., order_id: _Optional[str] = ..., credited_invoice_id: _Optional[str] = ..., net_minor: _Optional[int] = ..., vat_minor: _Optional[int] = ..., gross_minor: _Optional[int] = ..., currency: _Optional[str] = ..., issued_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
