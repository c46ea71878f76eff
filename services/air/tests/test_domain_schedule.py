"""What is due: the pure schedule computation, with fixed dates and hand-made rules."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from air.domain.content import FuelType, Language, VehicleFacts
from air.domain.schedule import (
    Basis,
    DueStatus,
    MaintenanceRulesError,
    ServiceRecord,
    add_months,
    document_problems,
    next_due,
    parse_rules,
    what_is_due,
)
from air.domain.service_book import ServiceEntryKind
from air.services.schedule import load_maintenance_rules

TODAY = date(2026, 6, 15)
PETROL_330I = VehicleFacts(
    series="G20", model_year=2021, engine_code="B48B20", fuel_type=FuelType.PETROL
)
DIESEL_320D = VehicleFacts(
    series="G20", model_year=2021, engine_code="B47D20", fuel_type=FuelType.DIESEL
)
ELECTRIC_IX1 = VehicleFacts(series="U11", model_year=2024, fuel_type=FuelType.ELECTRIC)
RULES = load_maintenance_rules()


def record(
    performed_on: date,
    mileage_km: int,
    kind: ServiceEntryKind,
    *work_items: str,
    voided: bool = False,
    superseded: bool = False,
) -> ServiceRecord:
    return ServiceRecord(
        entry_id=uuid.uuid4(),
        performed_on=performed_on,
        mileage_km=mileage_km,
        kind=kind,
        work_items=work_items,
        voided=voided,
        superseded=superseded,
    )


def item(facts: VehicleFacts, rule_id: str, records: list[ServiceRecord], **kwargs: Any) -> Any:
    schedule = what_is_due(facts, RULES, records, today=TODAY, **kwargs)
    found = [entry for entry in schedule.items if entry.rule_id == rule_id]
    assert len(found) == 1, [entry.rule_id for entry in schedule.items]
    return found[0]


def rule_ids(facts: VehicleFacts) -> set[str]:
    return {entry.rule_id for entry in what_is_due(facts, RULES, [], today=TODAY).items}


def test_engine_oil_and_spark_plugs_apply_to_petrol_no_oil_for_the_electric_car() -> None:
    assert rule_ids(PETROL_330I) == {
        "engine_oil",
        "brake_fluid",
        "spark_plugs",
        "vehicle_check",
        "cabin_filter",
    }
    assert rule_ids(DIESEL_320D) == {"engine_oil", "brake_fluid", "vehicle_check", "cabin_filter"}
    assert rule_ids(ELECTRIC_IX1) == {"brake_fluid", "vehicle_check", "cabin_filter"}


def test_an_unknown_fuel_type_leaves_the_rules_for_some_fuels_out_and_says_so() -> None:
    unknown = VehicleFacts(series=None, model_year=2021)
    schedule = what_is_due(unknown, RULES, [], today=TODAY)
    assert {entry.rule_id for entry in schedule.items} == {
        "brake_fluid",
        "vehicle_check",
        "cabin_filter",
    }
    assert any("unknown" in note for note in schedule.notes)


def test_the_document_of_a_rule_follows_the_engine() -> None:
    assert item(PETROL_330I, "engine_oil", []).document_id == "ri-b48-engine-oil-service"
    assert item(DIESEL_320D, "engine_oil", []).document_id == "ri-b47-engine-oil-service"
    assert item(ELECTRIC_IX1, "brake_fluid", []).document_id == "ri-all-brake-fluid-change"
    assert item(PETROL_330I, "cabin_filter", []).document_id is None


def test_overdue_by_time_from_the_last_entry() -> None:
    last = record(date(2024, 5, 1), 20_000, ServiceEntryKind.BRAKE_FLUID)
    due = item(PETROL_330I, "brake_fluid", [last], mileage_km=30_000)
    assert due.status is DueStatus.OVERDUE
    assert due.due_date == date(2026, 5, 1)
    assert due.basis is Basis.LAST_ENTRY
    assert due.last_done == last


@pytest.mark.parametrize(
    ("performed_on", "status"),
    [
        (date(2024, 6, 14), DueStatus.OVERDUE),  # due yesterday
        (date(2024, 6, 15), DueStatus.DUE),  # due today
        (date(2024, 7, 15), DueStatus.DUE),  # 30 days left
        (date(2024, 7, 16), DueStatus.DUE_SOON),  # 31 days left
        (date(2024, 9, 13), DueStatus.DUE_SOON),  # 90 days left
        (date(2024, 9, 14), DueStatus.OK),  # 91 days left
    ],
)
def test_time_thresholds(performed_on: date, status: DueStatus) -> None:
    last = record(performed_on, 10_000, ServiceEntryKind.BRAKE_FLUID)
    assert item(PETROL_330I, "brake_fluid", [last]).status is status


@pytest.mark.parametrize(
    ("mileage_km", "status"),
    [
        (70_001, DueStatus.OVERDUE),  # due at 70,000 km
        (70_000, DueStatus.DUE),
        (69_000, DueStatus.DUE),  # 1,000 km left
        (68_999, DueStatus.DUE_SOON),
        (65_000, DueStatus.DUE_SOON),  # 5,000 km left
        (64_999, DueStatus.OK),
    ],
)
def test_mileage_thresholds(mileage_km: int, status: DueStatus) -> None:
    # Done last month at 40,000 km: the 24-month part is far away, the 30,000 km part decides.
    last = record(date(2026, 5, 15), 40_000, ServiceEntryKind.OIL_SERVICE)
    due = item(PETROL_330I, "engine_oil", [last], mileage_km=mileage_km)
    assert due.due_mileage_km == 70_000
    assert due.status is status


def test_whichever_comes_first_mileage_before_time() -> None:
    last = record(date(2026, 1, 10), 40_000, ServiceEntryKind.OIL_SERVICE)
    due = item(PETROL_330I, "engine_oil", [last], mileage_km=71_000)
    assert due.due_date == date(2028, 1, 10)
    assert due.status is DueStatus.OVERDUE


def test_whichever_comes_first_time_before_mileage() -> None:
    last = record(date(2024, 6, 1), 40_000, ServiceEntryKind.OIL_SERVICE)
    due = item(PETROL_330I, "engine_oil", [last], mileage_km=45_000)
    assert due.status is DueStatus.OVERDUE


def test_a_work_item_naming_a_rule_marks_it_done() -> None:
    inspection = record(
        date(2026, 3, 1), 30_000, ServiceEntryKind.INSPECTION, "cabin_filter", "wipers replaced"
    )
    schedule = what_is_due(PETROL_330I, RULES, [inspection], today=TODAY, mileage_km=31_000)
    by_rule = {entry.rule_id: entry for entry in schedule.items}
    assert by_rule["cabin_filter"].last_done == inspection
    assert by_rule["vehicle_check"].last_done == inspection  # implied by the kind
    assert by_rule["brake_fluid"].last_done is None


def test_voided_and_corrected_entries_are_ignored() -> None:
    old = record(date(2025, 12, 1), 30_000, ServiceEntryKind.BRAKE_FLUID)
    voided = record(date(2026, 6, 1), 35_000, ServiceEntryKind.BRAKE_FLUID, voided=True)
    corrected = record(date(2026, 5, 1), 34_000, ServiceEntryKind.BRAKE_FLUID, superseded=True)
    due = item(PETROL_330I, "brake_fluid", [old, voided, corrected])
    assert due.last_done == old
    assert due.due_date == date(2027, 12, 1)


def test_only_voided_entries_count_as_never_done() -> None:
    voided = record(date(2026, 6, 1), 35_000, ServiceEntryKind.BRAKE_FLUID, voided=True)
    due = item(PETROL_330I, "brake_fluid", [voided])
    assert due.last_done is None
    assert due.basis is Basis.UNKNOWN
    assert due.status is DueStatus.UNKNOWN


def test_basis_first_registration_uses_the_first_interval() -> None:
    due = item(PETROL_330I, "brake_fluid", [], first_registration=date(2023, 9, 1))
    assert due.basis is Basis.FIRST_REGISTRATION
    assert due.due_date == date(2026, 9, 1)  # 36 months, not 24
    assert due.status is DueStatus.DUE_SOON  # 78 days left


def test_basis_first_registration_counts_mileage_from_new() -> None:
    due = item(
        PETROL_330I,
        "spark_plugs",
        [],
        first_registration=date(2025, 1, 1),
        mileage_km=59_500,
    )
    assert due.basis is Basis.FIRST_REGISTRATION
    assert due.due_mileage_km == 60_000
    assert due.status is DueStatus.DUE


def test_unknown_without_entry_or_first_registration_and_said_in_notes() -> None:
    schedule = what_is_due(PETROL_330I, RULES, [], today=TODAY, mileage_km=10_000)
    brake_fluid = next(entry for entry in schedule.items if entry.rule_id == "brake_fluid")
    assert brake_fluid.status is DueStatus.UNKNOWN
    assert brake_fluid.basis is Basis.UNKNOWN
    assert brake_fluid.due_date is None
    assert any("brake_fluid" in note and "first_registration" in note for note in schedule.notes)


def test_the_mileage_part_still_works_when_the_time_part_is_unknown() -> None:
    due = item(PETROL_330I, "engine_oil", [], mileage_km=31_000)
    assert due.basis is Basis.UNKNOWN
    assert due.due_mileage_km == 30_000
    assert due.status is DueStatus.OVERDUE


def test_a_mileage_only_rule_works_from_km() -> None:
    rules = parse_rules(
        {
            "version": "t",
            "kinds": {},
            "rules": [
                {"id": "timing_belt", "title": {"en": "Belt", "de": "Riemen"}, "interval_km": 100}
            ],
        }
    )
    last = record(date(2020, 1, 1), 1_000, ServiceEntryKind.REPAIR, "timing_belt")
    schedule = what_is_due(PETROL_330I, rules, [last], today=TODAY, mileage_km=1_050)
    (due,) = schedule.items
    assert due.due_date is None
    assert due.due_mileage_km == 1_100
    assert due.status is DueStatus.DUE


def test_without_a_mileage_the_highest_recorded_is_used_and_noted() -> None:
    last = record(date(2026, 5, 15), 40_000, ServiceEntryKind.OIL_SERVICE)
    schedule = what_is_due(PETROL_330I, RULES, [last], today=TODAY)
    assert schedule.mileage_km == 40_000
    assert any("40,000 km" in note for note in schedule.notes)


def test_items_are_listed_most_urgent_first_with_titles_in_the_language() -> None:
    records = [
        record(date(2026, 5, 1), 40_000, ServiceEntryKind.OIL_SERVICE),
        record(date(2023, 1, 1), 10_000, ServiceEntryKind.BRAKE_FLUID),
    ]
    schedule = what_is_due(
        PETROL_330I, RULES, records, today=TODAY, mileage_km=41_000, language=Language.DE
    )
    assert schedule.items[0].rule_id == "brake_fluid"
    assert schedule.items[0].title == "Bremsflüssigkeit"
    statuses = [entry.status for entry in schedule.items]
    assert statuses.index(DueStatus.OK) > statuses.index(DueStatus.UNKNOWN)


def test_a_vehicle_the_portal_does_not_cover_has_no_schedule() -> None:
    schedule = what_is_due(None, RULES, [], today=TODAY)
    assert schedule.items == ()
    assert schedule.notes


def test_next_due_is_the_earliest_of_the_rules_the_entry_marks_done() -> None:
    due_date, due_km = next_due(
        PETROL_330I,
        RULES,
        kind=ServiceEntryKind.INSPECTION,
        work_items=["engine_oil", "spark_plugs"],
        performed_on=date(2026, 1, 31),
        mileage_km=45_000,
    )
    assert due_date == date(2028, 1, 31)  # 24 months (vehicle check, oil) before 48 (plugs)
    assert due_km == 75_000  # oil's 30,000 km before the 60,000 km of check and plugs


def test_next_due_of_a_repair_is_empty() -> None:
    assert next_due(
        PETROL_330I,
        RULES,
        kind=ServiceEntryKind.REPAIR,
        work_items=["new wipers"],
        performed_on=TODAY,
        mileage_km=1,
    ) == (None, None)


def test_next_due_ignores_rules_that_do_not_apply_to_the_vehicle() -> None:
    due_date, due_km = next_due(
        ELECTRIC_IX1,
        RULES,
        kind=ServiceEntryKind.OIL_SERVICE,
        work_items=[],
        performed_on=TODAY,
        mileage_km=1_000,
    )
    assert (due_date, due_km) == (None, None)


def test_add_months_clamps_to_the_end_of_the_month() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert add_months(date(2024, 12, 15), 24) == date(2026, 12, 15)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rules": "x"}, "'rules' list"),
        ({"version": ""}, "'version'"),
        ({"kinds": {"oil_service": ["no_such_rule"]}}, "unknown rules"),
        ({"kinds": {"wash": []}}, "not an entry kind"),
    ],
)
def test_broken_rule_files_are_refused(change: dict[str, Any], message: str) -> None:
    raw: dict[str, Any] = {
        "version": "t",
        "kinds": {},
        "rules": [{"id": "a", "title": {"en": "A", "de": "A"}, "interval_months": 1}],
    }
    raw.update(change)
    with pytest.raises(MaintenanceRulesError, match=message):
        parse_rules(raw)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"id": "a", "title": {"en": "A"}, "interval_months": 1}, "no title in 'de'"),
        ({"id": "a", "title": {"en": "A", "de": "A"}}, "interval_km"),
        ({"id": "a", "title": {"en": "A", "de": "A"}, "interval_km": 0}, "positive"),
        (
            {"id": "a", "title": {"en": "A", "de": "A"}, "interval_km": 1, "fuel_types": ["coal"]},
            "unknown fuel type",
        ),
        ({"id": "Bad-Id", "title": {"en": "A", "de": "A"}, "interval_km": 1}, "snake_case"),
    ],
)
def test_broken_rules_are_refused(rule: dict[str, Any], message: str) -> None:
    with pytest.raises(MaintenanceRulesError, match=message):
        parse_rules({"version": "t", "kinds": {}, "rules": [rule]})


def test_a_rule_id_used_twice_is_refused() -> None:
    rule = {"id": "a", "title": {"en": "A", "de": "A"}, "interval_km": 1}
    with pytest.raises(MaintenanceRulesError, match="more than once"):
        parse_rules({"version": "t", "kinds": {}, "rules": [rule, rule]})


def test_document_problems_name_links_to_missing_documents() -> None:
    assert document_problems(RULES, ["ri-b48-spark-plugs"]) != []
    linked = {document.document_id for rule in RULES.rules for document in rule.documents}
    assert document_problems(RULES, linked) == []
