"""The digital service book: what an entry is and the rules for writing and changing one.

Plain Python (no I/O, no clock): callers pass ``today`` / ``now``. A workshop may edit or void
its own entry for ``EDIT_WINDOW`` after writing it; after that the entry is final and a mistake
is put right by a new entry that ``corrects`` it (as VW's digital service plan does).
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any


class ServiceEntryKind(StrEnum):
    INSPECTION = "inspection"
    OIL_SERVICE = "oil_service"
    BRAKE_FLUID = "brake_fluid"
    REPAIR = "repair"
    RECALL = "recall"  # a recall or service campaign


class EntryStatus(StrEnum):
    ACTIVE = "active"
    VOIDED = "voided"


EDIT_WINDOW = timedelta(days=14)
# Limits of an entry (the API's schemas and these checks use the same numbers).
EARLIEST_SERVICE_DATE = date(1990, 1, 1)
LATEST_DUE_DATE = date(2100, 12, 31)
MAX_MILEAGE_KM = 2_000_000
MAX_WORK_ITEMS = 30
MAX_WORK_ITEM_LENGTH = 200
MAX_PARTS = 50
MAX_PART_NUMBER_LENGTH = 40
MAX_PART_DESCRIPTION_LENGTH = 200
MIN_PART_QUANTITY = Decimal("0.01")
MAX_PART_QUANTITY = Decimal("10000")
MAX_NOTE_LENGTH = 2000

# C0 controls and DEL. A note may hold line breaks and tabs; one-line texts (work items, part
# numbers and descriptions) may not. NUL is refused earlier for every request (servicekit).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f]")


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """True when ``text`` holds a control character (line breaks and tabs allowed only when
    ``multiline``)."""
    pattern = _CONTROL if multiline else _CONTROL_OR_BREAK
    return pattern.search(text) is not None


def editable_until(created_at: datetime) -> datetime:
    """The moment an entry written at ``created_at`` becomes final."""
    return created_at + EDIT_WINDOW


def is_editable(created_at: datetime, *, now: datetime) -> bool:
    """True while the writing workshop may still edit or void the entry."""
    return now < editable_until(created_at)


@dataclass(frozen=True)
class Part:
    number: str
    quantity: Decimal
    description: str = ""

    def as_json(self) -> dict[str, str]:
        # The quantity is kept as a decimal string: litres have decimals a float would blur.
        return {
            "number": self.number,
            "quantity": str(self.quantity),
            "description": self.description,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Part:
        return cls(
            number=str(raw["number"]),
            quantity=Decimal(str(raw["quantity"])),
            description=str(raw.get("description", "")),
        )


@dataclass(frozen=True)
class EntryContent:
    """What a workshop writes in an entry (everything but who, when and its state)."""

    performed_on: date
    mileage_km: int
    kind: ServiceEntryKind
    work_items: tuple[str, ...] = ()
    parts: tuple[Part, ...] = ()
    note: str = ""
    next_due_date: date | None = None
    next_due_mileage_km: int | None = None


@dataclass(frozen=True)
class FieldProblem:
    """One rejected field, in the shape of servicekit's field errors."""

    field: str
    code: str
    message: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


def content_problems(content: EntryContent, *, today: date) -> list[FieldProblem]:
    """What is wrong with ``content`` that depends on the date or on two fields together
    (the schemas check each field's own type and range). Empty when it may be written."""
    problems: list[FieldProblem] = []
    if content.performed_on > today:
        problems.append(
            FieldProblem(
                "performed_on",
                "date-in-future",
                f"The work cannot be done after today ({today.isoformat()}); "
                "give the date it was done.",
                {"latest": today.isoformat()},
            )
        )
    if content.performed_on < EARLIEST_SERVICE_DATE:
        problems.append(
            FieldProblem(
                "performed_on",
                "date-too-early",
                f"The service book starts in {EARLIEST_SERVICE_DATE.year}; "
                "give a date from then on.",
                {"earliest": EARLIEST_SERVICE_DATE.isoformat()},
            )
        )
    if content.next_due_date is not None and content.next_due_date <= content.performed_on:
        problems.append(
            FieldProblem(
                "next_due_date",
                "not-after-performed-on",
                "The next due date must be after the date the work was done.",
                {"after": content.performed_on.isoformat()},
            )
        )
    if (
        content.next_due_mileage_km is not None
        and content.next_due_mileage_km <= content.mileage_km
    ):
        problems.append(
            FieldProblem(
                "next_due_mileage_km",
                "not-above-mileage",
                "The next due mileage must be above the mileage of this entry.",
                {"above": content.mileage_km},
            )
        )
    return problems


@dataclass(frozen=True)
class RecordedMileage:
    """An active entry's date and odometer reading, to compare a new reading with."""

    entry_id: uuid.UUID
    performed_on: date
    mileage_km: int


def mileage_warnings(
    performed_on: date, mileage_km: int, others: Sequence[RecordedMileage]
) -> list[str]:
    """Sentences about readings that go backwards: an earlier entry with a higher mileage, or a
    later one with a lower. Such an entry is accepted (the odometer may have been replaced),
    but the workshop should look at the figure again."""
    warnings: list[str] = []
    for other in sorted(others, key=lambda o: (o.performed_on, o.mileage_km)):
        if other.performed_on <= performed_on and other.mileage_km > mileage_km:
            warnings.append(
                f"The mileage {mileage_km:,} km is lower than the {other.mileage_km:,} km "
                f"recorded on {other.performed_on.isoformat()}; it was accepted (the odometer "
                "may have been replaced), check the figure."
            )
        elif other.performed_on > performed_on and other.mileage_km < mileage_km:
            warnings.append(
                f"The mileage {mileage_km:,} km is higher than the {other.mileage_km:,} km "
                f"recorded later, on {other.performed_on.isoformat()}; it was accepted (the "
                "odometer may have been replaced), check the figure."
            )
    return warnings


__all__ = [
    "EARLIEST_SERVICE_DATE",
    "EDIT_WINDOW",
    "LATEST_DUE_DATE",
    "MAX_MILEAGE_KM",
    "MAX_NOTE_LENGTH",
    "MAX_PARTS",
    "MAX_PART_DESCRIPTION_LENGTH",
    "MAX_PART_NUMBER_LENGTH",
    "MAX_PART_QUANTITY",
    "MAX_WORK_ITEMS",
    "MAX_WORK_ITEM_LENGTH",
    "MIN_PART_QUANTITY",
    "EntryContent",
    "EntryStatus",
    "FieldProblem",
    "Part",
    "RecordedMileage",
    "ServiceEntryKind",
    "content_problems",
    "editable_until",
    "has_control_characters",
    "is_editable",
    "mileage_warnings",
]
