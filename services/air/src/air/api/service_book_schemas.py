"""Request and response bodies of the service book and the maintenance schedule."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

from air.domain.schedule import Basis, DueItem, DueStatus, Schedule
from air.domain.service_book import (
    EARLIEST_SERVICE_DATE,
    LATEST_DUE_DATE,
    MAX_MILEAGE_KM,
    MAX_NOTE_LENGTH,
    MAX_PART_DESCRIPTION_LENGTH,
    MAX_PART_NUMBER_LENGTH,
    MAX_PART_QUANTITY,
    MAX_PARTS,
    MAX_WORK_ITEM_LENGTH,
    MAX_WORK_ITEMS,
    MIN_PART_QUANTITY,
    EntryContent,
    EntryStatus,
    Part,
    ServiceEntryKind,
    has_control_characters,
)
from air.services.service_book import EntryPatch, EntryView

CONTROL_CODE = "control-character"


def _one_line(value: str) -> str:
    if has_control_characters(value):
        raise PydanticCustomError(
            CONTROL_CODE, "Text must be one line without control characters (tabs, line breaks)."
        )
    return value


def _multiline(value: str) -> str:
    if has_control_characters(value, multiline=True):
        raise PydanticCustomError(
            CONTROL_CODE, "Text must not contain control characters other than line breaks."
        )
    return value


WorkItem = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_WORK_ITEM_LENGTH),
    AfterValidator(_one_line),
]
Note = Annotated[str, StringConstraints(max_length=MAX_NOTE_LENGTH), AfterValidator(_multiline)]
Mileage = Annotated[int, Field(ge=0, le=MAX_MILEAGE_KM, description="Odometer reading, km")]
DueMileage = Annotated[int, Field(ge=1, le=MAX_MILEAGE_KM, description="km")]
ServiceDate = Annotated[date, Field(ge=EARLIEST_SERVICE_DATE, description="ISO 8601 date")]
DueDate = Annotated[
    date, Field(ge=EARLIEST_SERVICE_DATE, le=LATEST_DUE_DATE, description="ISO 8601 date")
]
WorkItems = Annotated[
    list[WorkItem],
    Field(
        max_length=MAX_WORK_ITEMS,
        description=(
            "Jobs done; a maintenance rule id (engine_oil, brake_fluid, spark_plugs, "
            "vehicle_check, cabin_filter) marks that job as done, other text is free"
        ),
    ),
]


class PartWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_PART_NUMBER_LENGTH),
        AfterValidator(_one_line),
    ]
    quantity: Annotated[
        Decimal,
        Field(
            ge=MIN_PART_QUANTITY,
            le=MAX_PART_QUANTITY,
            decimal_places=3,
            allow_inf_nan=False,
            description="Pieces or litres (up to 3 decimals)",
        ),
    ]
    description: Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=MAX_PART_DESCRIPTION_LENGTH),
        AfterValidator(_one_line),
    ] = ""

    def part(self) -> Part:
        return Part(number=self.number, quantity=self.quantity, description=self.description)


Parts = Annotated[list[PartWrite], Field(max_length=MAX_PARTS)]


class ServiceEntryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    performed_on: ServiceDate = Field(description="When the work was done; not in the future")
    mileage_km: Mileage
    kind: ServiceEntryKind
    work_items: WorkItems = []
    parts: Parts = []
    note: Note = ""
    next_due_date: DueDate | None = Field(
        default=None, description="Left out with next_due_mileage_km: filled from the schedule"
    )
    next_due_mileage_km: DueMileage | None = None
    corrects: uuid.UUID | None = Field(
        default=None,
        description="The id of your own final entry of this vehicle that this one corrects",
    )

    def content(self) -> EntryContent:
        return EntryContent(
            performed_on=self.performed_on,
            mileage_km=self.mileage_km,
            kind=self.kind,
            work_items=tuple(self.work_items),
            parts=tuple(part.part() for part in self.parts),
            note=self.note,
            next_due_date=self.next_due_date,
            next_due_mileage_km=self.next_due_mileage_km,
        )


_REQUIRED_VALUE = ("performed_on", "mileage_km", "kind", "work_items", "parts", "note")


class ServiceEntryUpdate(BaseModel):
    """The fields to change; a field left out stays. next_due_* may be set to null."""

    model_config = ConfigDict(extra="forbid")

    revision: int = Field(ge=1, le=1_000_000, description="The revision you read (409 if stale)")
    performed_on: ServiceDate | None = None
    mileage_km: Mileage | None = None
    kind: ServiceEntryKind | None = None
    work_items: WorkItems | None = None
    parts: Parts | None = None
    note: Note | None = None
    next_due_date: DueDate | None = None
    next_due_mileage_km: DueMileage | None = None

    @field_validator(*_REQUIRED_VALUE, mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise PydanticCustomError("null-not-allowed", "Leave the field out to keep it.")
        return value

    def patch(self) -> EntryPatch:
        given = frozenset(self.model_fields_set - {"revision"})
        return EntryPatch(
            given=given,
            performed_on=self.performed_on,
            mileage_km=self.mileage_km,
            kind=self.kind,
            work_items=tuple(self.work_items) if self.work_items is not None else None,
            parts=tuple(part.part() for part in self.parts) if self.parts is not None else None,
            note=self.note,
            next_due_date=self.next_due_date,
            next_due_mileage_km=self.next_due_mileage_km,
        )


class ServiceEntryVoid(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revision: int = Field(ge=1, le=1_000_000, description="The revision you read (409 if stale)")


class PartRead(BaseModel):
    number: str
    quantity: float
    description: str


class WorkshopRead(BaseModel):
    """The company that wrote an entry; never a person."""

    name: str
    city: str | None


class ServiceEntryRead(BaseModel):
    id: uuid.UUID
    vin: str
    performed_on: date
    mileage_km: int
    kind: ServiceEntryKind
    work_items: list[str]
    parts: list[PartRead]
    note: str
    next_due_date: date | None
    next_due_mileage_km: int | None
    workshop: WorkshopRead
    own: bool = Field(description="Written by your organisation")
    editable_until: datetime
    editable: bool = Field(description="You may still edit or void it")
    status: EntryStatus
    corrects: uuid.UUID | None
    corrected_by: list[uuid.UUID]
    created_at: datetime
    updated_at: datetime
    revision: int
    warnings: list[str] = Field(
        description="Things to check in what was just written (a mileage going backwards)"
    )

    @classmethod
    def of(cls, view: EntryView) -> ServiceEntryRead:
        entry = view.entry
        return cls(
            id=entry.id,
            vin=entry.vin,
            performed_on=entry.performed_on,
            mileage_km=entry.mileage_km,
            kind=ServiceEntryKind(entry.kind),
            work_items=list(entry.work_items),
            parts=[
                PartRead(
                    number=part.number,
                    quantity=float(part.quantity),
                    description=part.description,
                )
                for part in (Part.from_json(raw) for raw in entry.parts)
            ],
            note=entry.note,
            next_due_date=entry.next_due_date,
            next_due_mileage_km=entry.next_due_mileage_km,
            workshop=WorkshopRead(
                name=view.row.workshop_name or "Unknown workshop", city=view.row.workshop_city
            ),
            own=view.own,
            editable_until=view.editable_until,
            editable=view.editable,
            status=EntryStatus(entry.status),
            corrects=entry.corrects,
            corrected_by=list(view.row.corrected_by),
            created_at=entry.created_at,
            updated_at=entry.updated_at,
            revision=entry.revision,
            warnings=list(view.warnings),
        )


class ServiceEntryList(BaseModel):
    vin: str
    items: list[ServiceEntryRead] = Field(description="Newest first, voided entries included")


class LastDone(BaseModel):
    entry_id: uuid.UUID
    performed_on: date
    mileage_km: int


class ScheduleItem(BaseModel):
    rule_id: str
    title: str
    status: DueStatus
    due_date: date | None
    due_mileage_km: int | None
    interval_km: int | None
    interval_months: int | None
    last_done: LastDone | None
    basis: Basis
    document_id: str | None = Field(description="The AIR document describing the job")

    @classmethod
    def of(cls, item: DueItem) -> ScheduleItem:
        last = item.last_done
        return cls(
            rule_id=item.rule_id,
            title=item.title,
            status=item.status,
            due_date=item.due_date,
            due_mileage_km=item.due_mileage_km,
            interval_km=item.interval_km,
            interval_months=item.interval_months,
            last_done=LastDone(
                entry_id=last.entry_id, performed_on=last.performed_on, mileage_km=last.mileage_km
            )
            if last is not None
            else None,
            basis=item.basis,
            document_id=item.document_id,
        )


class ScheduleRead(BaseModel):
    vin: str
    as_of: date
    mileage_km: int | None = Field(description="The mileage the items were computed with")
    items: list[ScheduleItem] = Field(description="Most urgent first")
    notes: list[str]

    @classmethod
    def of(cls, vin: str, schedule: Schedule) -> ScheduleRead:
        return cls(
            vin=vin,
            as_of=schedule.as_of,
            mileage_km=schedule.mileage_km,
            items=[ScheduleItem.of(item) for item in schedule.items],
            notes=list(schedule.notes),
        )


__all__ = [
    "ScheduleRead",
    "ServiceEntryCreate",
    "ServiceEntryList",
    "ServiceEntryRead",
    "ServiceEntryUpdate",
    "ServiceEntryVoid",
]
