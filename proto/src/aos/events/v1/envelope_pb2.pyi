import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Envelope(_message.Message):
    __slots__ = ("event_id", "event_type", "source", "occurred_at", "aggregate_id", "payload", "failure", "attempts", "consumer")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    AGGREGATE_ID_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    FAILURE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    CONSUMER_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    event_type: str
    source: str
    occurred_at: _timestamp_pb2.Timestamp
    aggregate_id: str
    payload: bytes
    failure: str
    attempts: int
    consumer: str
    def __init__(self, event_id: _Optional[str] = ..., event_type: _Optional[str] = ..., source: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., aggregate_id: _Optional[str] = ..., payload: _Optional[bytes] = ..., failure: _Optional[str] = ..., attempts: _Optional[int] = ..., consumer: _Optional[str] = ...) -> None: ...
