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
    __slots__ = ("user_id", "organization_id", "email", "role", "registered_at", "name")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    organization_id: str
    email: str
    role: str
    registered_at: _timestamp_pb2.Timestamp
    name: str
    def __init__(self, user_id: _Optional[str] = ..., organization_id: _Optional[str] = ..., email: _Optional[str] = ..., role: _Optional[str] = ..., registered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., name: _Optional[str] = ...) -> None: ...

class MemberInvited(_message.Message):
    __slots__ = ("invitation_id", "organization_id", "email", "role", "invited_by", "invited_at", "expires_at")
    INVITATION_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    INVITED_BY_FIELD_NUMBER: _ClassVar[int]
    INVITED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    invitation_id: str
    organization_id: str
    email: str
    role: str
    invited_by: str
    invited_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, invitation_id: _Optional[str] = ..., organization_id: _Optional[str] = ..., email: _Optional[str] = ..., role: _Optional[str] = ..., invited_by: _Optional[str] = ..., invited_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class MemberJoined(_message.Message):
    __slots__ = ("user_id", "organization_id", "email", "name", "role", "invitation_id", "joined_at")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    INVITATION_ID_FIELD_NUMBER: _ClassVar[int]
    JOINED_AT_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    organization_id: str
    email: str
    name: str
    role: str
    invitation_id: str
    joined_at: _timestamp_pb2.Timestamp
    def __init__(self, user_id: _Optional[str] = ..., organization_id: _Optional[str] = ..., email: _Optional[str] = ..., name: _Optional[str] = ..., role: _Optional[str] = ..., invitation_id: _Optional[str] = ..., joined_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class MemberRoleChanged(_message.Message):
    __slots__ = ("user_id", "organization_id", "old_role", "new_role", "changed_by", "changed_at")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    OLD_ROLE_FIELD_NUMBER: _ClassVar[int]
    NEW_ROLE_FIELD_NUMBER: _ClassVar[int]
    CHANGED_BY_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    organization_id: str
    old_role: str
    new_role: str
    changed_by: str
    changed_at: _timestamp_pb2.Timestamp
    def __init__(self, user_id: _Optional[str] = ..., organization_id: _Optional[str] = ..., old_role: _Optional[str] = ..., new_role: _Optional[str] = ..., changed_by: _Optional[str] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class MemberDeactivated(_message.Message):
    __slots__ = ("user_id", "organization_id", "deactivated_by", "deactivated_at", "removed")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    DEACTIVATED_BY_FIELD_NUMBER: _ClassVar[int]
    DEACTIVATED_AT_FIELD_NUMBER: _ClassVar[int]
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    organization_id: str
    deactivated_by: str
    deactivated_at: _timestamp_pb2.Timestamp
    removed: bool
    def __init__(self, user_id: _Optional[str] = ..., organization_id: _Optional[str] = ..., deactivated_by: _Optional[str] = ..., deactivated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., removed: _Optional[bool] = ...) -> None: ...

class OrganizationUpdated(_message.Message):
    __slots__ = ("organization_id", "legal_name", "street", "postcode", "city", "country", "vat_id", "invoice_email", "updated_at")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    LEGAL_NAME_FIELD_NUMBER: _ClassVar[int]
    STREET_FIELD_NUMBER: _ClassVar[int]
    POSTCODE_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    VAT_ID_FIELD_NUMBER: _ClassVar[int]
    INVOICE_EMAIL_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    organization_id: str
    legal_name: str
    street: str
    postcode: str
    city: str
    country: str
    vat_id: str
    invoice_email: str
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, organization_id: _Optional[str] = ..., legal_name: _Optional[str] = ..., street: _Optional[str] = ..., postcode: _Optional[str] = ..., city: _Optional[str] = ..., country: _Optional[str] = ..., vat_id: _Optional[str] = ..., invoice_email: _Optional[str] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrganizationClosed(_message.Message):
    __slots__ = ("organization_id", "closed_by", "closed_at")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    CLOSED_BY_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    organization_id: str
    closed_by: str
    closed_at: _timestamp_pb2.Timestamp
    def __init__(self, organization_id: _Optional[str] = ..., closed_by: _Optional[str] = ..., closed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
