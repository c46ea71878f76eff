"""Reading fields of incoming events: a field that breaks the contract raises BadEvent, so the
consumer dead-letters the event at once (retrying cannot mend it)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from google.protobuf.message import Message

from servicekit.consumer import BadEvent

__all__ = ["optional_time", "optional_uuid", "required_time", "required_uuid", "vin_of"]


def _event_name(message: Message) -> str:
    return str(message.DESCRIPTOR.name)


def required_uuid(message: Message, field: str) -> uuid.UUID:
    value = getattr(message, field)
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise BadEvent(f"{_event_name(message)}: {field} {value!r} is no UUID") from exc


def optional_uuid(message: Message, field: str) -> uuid.UUID | None:
    """None for an empty field (an older producer); BadEvent for a value that is no UUID."""
    return required_uuid(message, field) if getattr(message, field) else None


def required_time(message: Message, field: str) -> datetime:
    if not message.HasField(field):
        raise BadEvent(f"{_event_name(message)} has no {field}")
    moment: datetime = getattr(message, field).ToDatetime(tzinfo=UTC)
    return moment


def optional_time(message: Message, field: str) -> datetime | None:
    return required_time(message, field) if message.HasField(field) else None


def vin_of(message: Message) -> str:
    vin: str = message.vin  # type: ignore[attr-defined]
    return vin.strip().upper()
