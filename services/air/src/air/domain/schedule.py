"""The maintenance schedule: service rules (``content/maintenance.json``) and "what is due".

Plain Python: no I/O, no clock. Each rule says when a job is due again, by mileage and/or time,
whichever comes first, and for which vehicles (series, engine codes, fuel types).

Statuses, from the part (time or mileage) that comes first:

- ``overdue``: the due date has passed or the due mileage is exceeded;
- ``due``: at most ``DUE_WITHIN_DAYS`` days or ``DUE_WITHIN_KM`` km left;
- ``due_soon``: at most ``DUE_SOON_WITHIN_DAYS`` days or ``DUE_SOON_WITHIN_KM`` km left;
- ``ok``: more left than that on every part that is known;
- ``unknown``: a part cannot be computed (no entry and no first registration for the time part,
  no mileage for the mileage part) and no known part is due.

The clock starts at the last active entry that did the job (``basis`` ``last_entry``), else at
the first registration (``first_registration``; for the mileage part the car started at 0 km),
else it is ``unknown`` (the time part unknown, the mileage part counted from 0 km).
"""

from __future__ import annotations

import calendar
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from air.domain.content import FuelType, Language, VehicleFacts
from air.domain.service_book import ServiceEntryKind

DUE_WITHIN_DAYS = 30
DUE_WITHIN_KM = 1_000
DUE_SOON_WITHIN_DAYS = 90
DUE_SOON_WITHIN_KM = 5_000

RULE_ID = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
DOCUMENT_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class DueStatus(StrEnum):
    OVERDUE = "overdue"
    DUE = "due"
    DUE_SOON = "due_soon"
    OK = "ok"
    UNKNOWN = "unknown"


class Basis(StrEnum):
    LAST_ENTRY = "last_entry"
    FIRST_REGISTRATION = "first_registration"
    UNKNOWN = "unknown"


# Most urgent first; the order items are listed in.
_URGENCY = {
    DueStatus.OVERDUE: 0,
    DueStatus.DUE: 1,
    DueStatus.DUE_SOON: 2,
    DueStatus.UNKNOWN: 3,
    DueStatus.OK: 4,
}


class MaintenanceRulesError(ValueError):
    """The rules file is structurally broken or inconsistent."""


def add_months(start: date, months: int) -> date:
    """``start`` plus ``months`` calendar months; the day is clamped to the month's last day
    (31 January + 1 month = 28 or 29 February)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _engine_matches(codes: tuple[str, ...], engine_code: str | None) -> bool:
    # A rule names an engine family ("B48") or a full code ("B48B20"); both match "B48B20".
    return engine_code is not None and any(engine_code.startswith(code) for code in codes)


@dataclass(frozen=True)
class Conditions:
    """For which vehicles; each tuple is "one of these", empty sets no condition. An unknown
    fact never satisfies a condition that names it (as in content applicability)."""

    series: tuple[str, ...] = ()
    engine_codes: tuple[str, ...] = ()
    fuel_types: tuple[FuelType, ...] = ()

    def hold(self, facts: VehicleFacts) -> bool:
        if self.series and facts.series not in self.series:
            return False
        if self.engine_codes and not _engine_matches(self.engine_codes, facts.engine_code):
            return False
        return not self.fuel_types or facts.fuel_type in self.fuel_types


@dataclass(frozen=True)
class RuleDocument:
    """The AIR document describing a rule's job, for the vehicles its conditions name."""

    document_id: str
    conditions: Conditions = Conditions()


@dataclass(frozen=True)
class MaintenanceRule:
    id: str
    title: Mapping[Language, str]
    conditions: Conditions
    interval_km: int | None
    interval_months: int | None
    # The first interval from first registration when it differs (brake fluid: 36 months).
    first_interval_months: int | None = None
    documents: tuple[RuleDocument, ...] = ()

    def title_in(self, language: Language) -> str:
        return self.title.get(language) or self.title[Language.EN]

    def document_for(self, facts: VehicleFacts) -> str | None:
        """The first listed document whose conditions hold for the vehicle."""
        for document in self.documents:
            if document.conditions.hold(facts):
                return document.document_id
        return None


@dataclass(frozen=True)
class MaintenanceRules:
    version: str
    rules: tuple[MaintenanceRule, ...]
    # The rule ids each entry kind marks as done (oil_service -> engine_oil, ...).
    implied: Mapping[ServiceEntryKind, tuple[str, ...]]

    @property
    def rule_ids(self) -> frozenset[str]:
        return frozenset(rule.id for rule in self.rules)

    def applicable(self, facts: VehicleFacts) -> tuple[MaintenanceRule, ...]:
        return tuple(rule for rule in self.rules if rule.conditions.hold(facts))

    def done_by(self, kind: ServiceEntryKind, work_items: Iterable[str]) -> frozenset[str]:
        """The rule ids an entry marks as done: those its kind implies, and work items that
        are rule ids (other work items are free text)."""
        return frozenset(self.implied.get(kind, ())) | (frozenset(work_items) & self.rule_ids)


def _strings(entry: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise MaintenanceRulesError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(value)


def _conditions(entry: Mapping[str, Any], where: str) -> Conditions:
    fuels = _strings(entry, "fuel_types", where)
    try:
        fuel_types = tuple(FuelType(fuel) for fuel in fuels)
    except ValueError as exc:
        raise MaintenanceRulesError(f"{where}: unknown fuel type in {list(fuels)}") from exc
    return Conditions(
        series=_strings(entry, "series", where),
        engine_codes=_strings(entry, "engine_codes", where),
        fuel_types=fuel_types,
    )


def _interval(entry: Mapping[str, Any], key: str, where: str) -> int | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise MaintenanceRulesError(f"{where}: '{key}' must be a positive integer or absent")
    return value


def _rule(entry: Any) -> MaintenanceRule:
    if not isinstance(entry, Mapping):
        raise MaintenanceRulesError(f"rules must be objects, not {entry!r}")
    rule_id = entry.get("id")
    where = f"rule {rule_id!r}"
    if not isinstance(rule_id, str) or not RULE_ID.match(rule_id):
        raise MaintenanceRulesError(f"{where}: 'id' must be a snake_case identifier")
    raw_title = entry.get("title")
    if not isinstance(raw_title, Mapping):
        raise MaintenanceRulesError(f"{where}: 'title' must map languages to text")
    title: dict[Language, str] = {}
    for language in Language:
        text = raw_title.get(language.value)
        if not isinstance(text, str) or not text.strip():
            raise MaintenanceRulesError(f"{where}: no title in {language.value!r}")
        title[language] = text
    interval_km = _interval(entry, "interval_km", where)
    interval_months = _interval(entry, "interval_months", where)
    if interval_km is None and interval_months is None:
        raise MaintenanceRulesError(f"{where}: needs 'interval_km' and/or 'interval_months'")
    first = _interval(entry, "first_interval_months", where)
    if first is not None and interval_months is None:
        raise MaintenanceRulesError(f"{where}: 'first_interval_months' needs 'interval_months'")
    documents = entry.get("documents", [])
    if not isinstance(documents, list):
        raise MaintenanceRulesError(f"{where}: 'documents' must be a list")
    parsed_documents: list[RuleDocument] = []
    for document in documents:
        if not isinstance(document, Mapping):
            raise MaintenanceRulesError(f"{where}: documents must be objects")
        document_id = document.get("document_id")
        if not isinstance(document_id, str) or not DOCUMENT_ID.match(document_id):
            raise MaintenanceRulesError(f"{where}: 'document_id' must be a document id (a slug)")
        parsed_documents.append(
            RuleDocument(document_id=document_id, conditions=_conditions(document, where))
        )
    return MaintenanceRule(
        id=rule_id,
        title=title,
        conditions=_conditions(entry, where),
        interval_km=interval_km,
        interval_months=interval_months,
        first_interval_months=first,
        documents=tuple(parsed_documents),
    )


def parse_rules(raw: Mapping[str, Any]) -> MaintenanceRules:
    """The rules of ``maintenance.json``; raises MaintenanceRulesError when it is broken (a
    missing field, a rule id used twice, a kind implying an unknown rule)."""
    version = raw.get("version")
    rules = raw.get("rules")
    kinds = raw.get("kinds")
    if not isinstance(version, str) or not version:
        raise MaintenanceRulesError("'version' must be a non-empty string")
    if not isinstance(rules, list) or not isinstance(kinds, Mapping):
        raise MaintenanceRulesError("the file needs a 'rules' list and a 'kinds' object")
    parsed = tuple(_rule(entry) for entry in rules)
    ids = [rule.id for rule in parsed]
    twice = sorted({rule_id for rule_id in ids if ids.count(rule_id) > 1})
    if twice:
        raise MaintenanceRulesError(f"rule ids used more than once: {', '.join(twice)}")
    implied: dict[ServiceEntryKind, tuple[str, ...]] = {}
    for name in kinds:
        try:
            kind = ServiceEntryKind(name)
        except ValueError as exc:
            raise MaintenanceRulesError(f"kinds: {name!r} is not an entry kind") from exc
        implied[kind] = _strings(kinds, name, "kinds")
        unknown = sorted(set(implied[kind]) - set(ids))
        if unknown:
            raise MaintenanceRulesError(f"kinds: {name} implies unknown rules {unknown}")
    return MaintenanceRules(version=version, rules=parsed, implied=implied)


def document_problems(rules: MaintenanceRules, document_ids: Iterable[str]) -> list[str]:
    """Rules that link to a document the content pack does not have, as sentences."""
    known = set(document_ids)
    return [
        f"rule {rule.id}: document {document.document_id!r} is not in the content pack"
        for rule in rules.rules
        for document in rule.documents
        if document.document_id not in known
    ]


@dataclass(frozen=True)
class ServiceRecord:
    """What the schedule needs of a service book entry. A voided entry, and one a later entry
    corrects (``superseded``), count for nothing."""

    entry_id: uuid.UUID
    performed_on: date
    mileage_km: int
    kind: ServiceEntryKind
    work_items: tuple[str, ...] = ()
    voided: bool = False
    superseded: bool = False

    @property
    def counts(self) -> bool:
        return not self.voided and not self.superseded


@dataclass(frozen=True)
class DueItem:
    rule_id: str
    title: str
    status: DueStatus
    due_date: date | None
    due_mileage_km: int | None
    interval_km: int | None
    interval_months: int | None
    last_done: ServiceRecord | None
    basis: Basis
    document_id: str | None


@dataclass(frozen=True)
class Schedule:
    as_of: date
    # The mileage the items were computed with (given, else the highest recorded), or None.
    mileage_km: int | None
    items: tuple[DueItem, ...]
    notes: tuple[str, ...]


def _time_status(due: date, today: date) -> DueStatus:
    days_left = (due - today).days
    if days_left < 0:
        return DueStatus.OVERDUE
    if days_left <= DUE_WITHIN_DAYS:
        return DueStatus.DUE
    return DueStatus.DUE_SOON if days_left <= DUE_SOON_WITHIN_DAYS else DueStatus.OK


def _mileage_status(due_km: int, mileage_km: int) -> DueStatus:
    km_left = due_km - mileage_km
    if km_left < 0:
        return DueStatus.OVERDUE
    if km_left <= DUE_WITHIN_KM:
        return DueStatus.DUE
    return DueStatus.DUE_SOON if km_left <= DUE_SOON_WITHIN_KM else DueStatus.OK


def combine(known: Sequence[DueStatus], *, any_unknown: bool) -> DueStatus:
    """Whichever comes first: the most urgent known part. When a part is unknown, "ok" cannot
    be promised (the unknown part may be overdue), so it is ``unknown``."""
    if not known:
        return DueStatus.UNKNOWN
    worst = min(known, key=_URGENCY.__getitem__)
    if worst is DueStatus.OK and any_unknown:
        return DueStatus.UNKNOWN
    return worst


def _last_done(
    rules: MaintenanceRules, rule_id: str, records: Sequence[ServiceRecord]
) -> ServiceRecord | None:
    done = [
        record
        for record in records
        if record.counts and rule_id in rules.done_by(record.kind, record.work_items)
    ]
    return max(done, key=lambda r: (r.performed_on, r.mileage_km), default=None)


def _item(
    rule: MaintenanceRule,
    rules: MaintenanceRules,
    facts: VehicleFacts,
    records: Sequence[ServiceRecord],
    *,
    today: date,
    mileage_km: int | None,
    first_registration: date | None,
    language: Language,
) -> DueItem:
    last = _last_done(rules, rule.id, records)
    due_date: date | None = None
    if last is not None:
        basis = Basis.LAST_ENTRY
        if rule.interval_months is not None:
            due_date = add_months(last.performed_on, rule.interval_months)
        start_km = last.mileage_km
    else:
        basis = Basis.FIRST_REGISTRATION if first_registration is not None else Basis.UNKNOWN
        if first_registration is not None and rule.interval_months is not None:
            months = rule.first_interval_months or rule.interval_months
            due_date = add_months(first_registration, months)
        start_km = 0  # never done: counted from new
    due_km = start_km + rule.interval_km if rule.interval_km is not None else None

    known: list[DueStatus] = []
    any_unknown = False
    if rule.interval_months is not None:
        if due_date is None:
            any_unknown = True
        else:
            known.append(_time_status(due_date, today))
    if due_km is not None:
        if mileage_km is None:
            any_unknown = True
        else:
            known.append(_mileage_status(due_km, mileage_km))
    return DueItem(
        rule_id=rule.id,
        title=rule.title_in(language),
        status=combine(known, any_unknown=any_unknown),
        due_date=due_date,
        due_mileage_km=due_km,
        interval_km=rule.interval_km,
        interval_months=rule.interval_months,
        last_done=last,
        basis=basis,
        document_id=rule.document_for(facts),
    )


def what_is_due(
    facts: VehicleFacts | None,
    rules: MaintenanceRules,
    records: Sequence[ServiceRecord],
    *,
    today: date,
    mileage_km: int | None = None,
    first_registration: date | None = None,
    language: Language = Language.EN,
) -> Schedule:
    """Each rule that applies to the vehicle, with its status on ``today`` at ``mileage_km``
    (None: the highest recorded mileage is used, as a lower bound). ``facts`` None (a vehicle
    the portal does not cover) gives no items."""
    notes: list[str] = []
    if facts is None:
        return Schedule(
            as_of=today,
            mileage_km=mileage_km,
            items=(),
            notes=("This portal has no maintenance schedule for this vehicle.",),
        )
    counting = [record for record in records if record.counts]
    recorded = max((record.mileage_km for record in counting), default=None)
    if mileage_km is None and recorded is not None:
        mileage_km = recorded
        notes.append(
            f"No mileage given: the highest recorded, {recorded:,} km, is used; give today's "
            "mileage for the mileage part."
        )
    elif mileage_km is None:
        notes.append("No mileage given and none recorded: the mileage part is unknown.")
    elif recorded is not None and mileage_km < recorded:
        notes.append(
            f"The mileage given ({mileage_km:,} km) is below the highest recorded "
            f"({recorded:,} km); was the odometer replaced?"
        )
    if facts.fuel_type is None or facts.series is None:
        notes.append(
            "Some vehicle data is unknown (series, engine or fuel type): rules for particular "
            "vehicles are left out."
        )
    items = [
        _item(
            rule,
            rules,
            facts,
            records,
            today=today,
            mileage_km=mileage_km,
            first_registration=first_registration,
            language=language,
        )
        for rule in rules.applicable(facts)
    ]
    untimed = [
        item.rule_id for item in items if item.basis is Basis.UNKNOWN and item.interval_months
    ]
    if untimed:
        notes.append(
            f"Never recorded and no first registration given: the time part of "
            f"{', '.join(untimed)} is unknown; give first_registration."
        )
    order = {rule.id: index for index, rule in enumerate(rules.rules)}
    items.sort(key=lambda item: (_URGENCY[item.status], order[item.rule_id]))
    return Schedule(as_of=today, mileage_km=mileage_km, items=tuple(items), notes=tuple(notes))


def next_due(
    facts: VehicleFacts | None,
    rules: MaintenanceRules,
    *,
    kind: ServiceEntryKind,
    work_items: Iterable[str],
    performed_on: date,
    mileage_km: int,
) -> tuple[date | None, int | None]:
    """The next due date and mileage an entry should carry: of the rules it marks as done
    that apply to the vehicle, the earliest date and the lowest mileage. (None, None) when it
    marks none (a repair)."""
    if facts is None:
        return None, None
    done = rules.done_by(kind, work_items)
    applicable = [rule for rule in rules.applicable(facts) if rule.id in done]
    dates = [
        add_months(performed_on, rule.interval_months)
        for rule in applicable
        if rule.interval_months is not None
    ]
    kms = [mileage_km + rule.interval_km for rule in applicable if rule.interval_km is not None]
    return min(dates, default=None), min(kms, default=None)


__all__ = [
    "DUE_SOON_WITHIN_DAYS",
    "DUE_SOON_WITHIN_KM",
    "DUE_WITHIN_DAYS",
    "DUE_WITHIN_KM",
    "Basis",
    "Conditions",
    "DueItem",
    "DueStatus",
    "MaintenanceRule",
    "MaintenanceRules",
    "MaintenanceRulesError",
    "RuleDocument",
    "Schedule",
    "ServiceRecord",
    "add_months",
    "combine",
    "document_problems",
    "next_due",
    "parse_rules",
    "what_is_due",
]
