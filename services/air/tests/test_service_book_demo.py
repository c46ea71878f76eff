"""The demo service history ``make run`` seeds: idempotent, and the car's brake fluid is
overdue while its oil service is recent, whatever day it is seeded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import text

from air.__main__ import main
from air.db.service_book import ServiceEntryRepository
from air.domain.schedule import DueStatus, what_is_due
from air.services.demo import DEMO_VIN, seed_demo_service_history
from air.services.schedule import (
    load_maintenance_rules,
    service_records,
    vehicle_facts,
)
from air.services.vehicles import decode_vehicle


@pytest.mark.parametrize("today", [date(2026, 12, 3), date(2031, 2, 28)])
async def test_the_seeded_history_makes_brake_fluid_overdue_and_oil_ok(
    app: FastAPI, client: object, today: date
) -> None:
    async with app.state.database.transaction() as session:
        result = await seed_demo_service_history(session, today=today)
    async with app.state.database.transaction() as session:
        entries = await ServiceEntryRepository(session).for_vin(DEMO_VIN)

    schedule = what_is_due(
        vehicle_facts(decode_vehicle(DEMO_VIN, today=today)),
        load_maintenance_rules(),
        service_records(entries),
        today=today,
        mileage_km=49_500,
    )

    statuses = {item.rule_id: item.status for item in schedule.items}
    assert statuses["brake_fluid"] is DueStatus.OVERDUE
    assert statuses["engine_oil"] is DueStatus.OK
    assert len(result.written) == 4
    brake_fluid = next(item for item in schedule.items if item.rule_id == "brake_fluid")
    assert brake_fluid.last_done is not None
    assert today - brake_fluid.last_done.performed_on > timedelta(days=26 * 30)
    assert {view.row.workshop_name for view in result.written} == {"Autohaus Muster GmbH"}
    # Written on the day of each visit, so long final (the last one 2 months ago).
    assert all(entry.created_at.date() == entry.performed_on for entry in entries)


async def test_seeding_twice_writes_once(app: FastAPI, client: object) -> None:
    today = date(2026, 12, 3)
    async with app.state.database.transaction() as session:
        await seed_demo_service_history(session, today=today)
    async with app.state.database.transaction() as session:
        again = await seed_demo_service_history(session, today=today + timedelta(days=30))
        count = (await session.execute(text("SELECT count(*) FROM service_entries"))).scalar_one()
        events = (
            await session.execute(
                text(
                    "SELECT count(*) FROM outbox "
                    "WHERE event_type = 'aos.events.v1.ServiceEntryRecorded'"
                )
            )
        ).scalar_one()

    assert again.already_there
    assert again.written == ()
    assert (count, events) == (4, 4)


def test_the_command_prints_what_it_wrote(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AIR_DATABASE_URL", database_url)
    monkeypatch.setenv("AOS_ENVIRONMENT", "test")

    assert main(["seed-demo"]) == 0
    first = capsys.readouterr().out
    assert main(["seed-demo"]) == 0
    second = capsys.readouterr().out

    assert first.count(f"demo service entry for {DEMO_VIN}") == 4
    assert "Autohaus Muster GmbH (Köln)" in first
    assert "brake fluid change is overdue" in first
    assert "already there" in second
