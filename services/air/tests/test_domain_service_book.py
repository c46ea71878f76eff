"""Service book rules as plain Python: the edit window, date checks, odometer warnings."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from air.domain.service_book import (
    EntryContent,
    RecordedMileage,
    ServiceEntryKind,
    content_problems,
    editable_until,
    has_control_characters,
    is_editable,
    mileage_warnings,
)

WRITTEN = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)


def test_an_entry_is_editable_for_14_days_to_the_second() -> None:
    assert editable_until(WRITTEN) == datetime(2026, 3, 15, 10, 0, tzinfo=UTC)
    assert is_editable(WRITTEN, now=WRITTEN + timedelta(days=13))
    assert is_editable(WRITTEN, now=WRITTEN + timedelta(days=14, seconds=-1))
    assert not is_editable(WRITTEN, now=WRITTEN + timedelta(days=14))
    assert not is_editable(WRITTEN, now=WRITTEN + timedelta(days=15))


def content(**changes: object) -> EntryContent:
    values: dict[str, object] = {
        "performed_on": TODAY,
        "mileage_km": 10_000,
        "kind": ServiceEntryKind.REPAIR,
    }
    values.update(changes)
    return EntryContent(**values)  # type: ignore[arg-type]


def test_today_and_earlier_are_fine() -> None:
    assert content_problems(content(), today=TODAY) == []
    assert content_problems(content(performed_on=date(1990, 1, 1)), today=TODAY) == []


def test_dates_out_of_range_and_next_due_before_the_work_are_named() -> None:
    problems = content_problems(
        content(
            performed_on=TODAY + timedelta(days=1),
            next_due_date=TODAY,
            next_due_mileage_km=10_000,
        ),
        today=TODAY,
    )
    assert [(p.field, p.code) for p in problems] == [
        ("performed_on", "date-in-future"),
        ("next_due_date", "not-after-performed-on"),
        ("next_due_mileage_km", "not-above-mileage"),
    ]
    early = content_problems(content(performed_on=date(1989, 12, 31)), today=TODAY)
    assert [(p.field, p.code) for p in early] == [("performed_on", "date-too-early")]


def test_a_reading_below_an_earlier_one_or_above_a_later_one_is_warned_about() -> None:
    earlier = RecordedMileage(uuid.uuid4(), date(2025, 1, 1), 50_000)
    later = RecordedMileage(uuid.uuid4(), date(2026, 12, 1), 20_000)
    fine = RecordedMileage(uuid.uuid4(), date(2024, 1, 1), 10_000)

    warnings = mileage_warnings(date(2026, 3, 1), 30_000, [later, earlier, fine])

    assert len(warnings) == 2
    assert "lower than the 50,000 km recorded on 2025-01-01" in warnings[0]
    assert "higher than the 20,000 km recorded later, on 2026-12-01" in warnings[1]
    assert mileage_warnings(date(2026, 3, 1), 60_000, [fine, earlier]) == []


def test_control_characters() -> None:
    assert not has_control_characters("Bremsflüssigkeit DOT 4")
    assert has_control_characters("a\nb")
    assert not has_control_characters("line\nline\ttab", multiline=True)
    assert has_control_characters("bell\x07", multiline=True)
    assert has_control_characters("del\x7f", multiline=True)
