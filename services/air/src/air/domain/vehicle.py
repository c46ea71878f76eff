"""The vehicle behind a VIN: the maker's tables of the content pack applied to a decoded VIN.

The generic part of a VIN (WMI, check digit, model year) is ``air.domain.vin``'s. What positions
4-7 (the type code) and 11 (the plant) mean is the maker's own, so it comes from the pack's
vehicle tables: type code → series, model, body, engine, transmission, drive and standard
options. Plain Python, no I/O.

Documents name engines by their family ("B48", "B47"), the code a technician reads on the
engine and in the service schedule; the full engine code ("B48B20") is shown on the vehicle.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from air.domain.content import ContentPackError, FuelType, VehicleFacts
from air.domain.vin import DecodedVin

T = TypeVar("T")

TYPE_CODE = re.compile(r"^[A-HJ-NPR-Z0-9]{4}$")
WMI = re.compile(r"^[A-HJ-NPR-Z0-9]{3}$")
PLANT_CODE = re.compile(r"^[A-HJ-NPR-Z0-9]$")


class Coverage(StrEnum):
    """What the portal can say about a VIN."""

    COVERED = "covered"  # a make of this portal with a known type code
    NOT_COVERED = "not_covered"  # another maker: its own RMI portal has the information
    UNKNOWN_VEHICLE = "unknown_vehicle"  # our make, but a type code we do not know


class Drive(StrEnum):
    RWD = "RWD"
    AWD = "AWD"
    FWD = "FWD"


@dataclass(frozen=True)
class Engine:
    """An engine variant. ``family`` ("B48") is what documents name; ``code`` ("B48B20") the
    variant. ``displacement_ccm`` and ``cylinders`` are None for electric motors."""

    code: str
    family: str
    description: str
    displacement_ccm: int | None
    cylinders: int | None


@dataclass(frozen=True)
class Transmission:
    code: str
    description: str


@dataclass(frozen=True)
class Option:
    """An option (equipment) code such as "2VR" (air suspension)."""

    code: str
    description: str


@dataclass(frozen=True)
class VehicleType:
    """One row of the type-code table: VIN positions 4-7 → vehicle. ``options`` are the
    standard equipment of the type; optional extras are not encoded in a VIN."""

    code: str
    series: str
    model: str
    body: str
    engine: Engine
    fuel_type: FuelType
    power_kw: int
    transmission: Transmission
    drive: Drive
    options: tuple[Option, ...]

    def facts(self, *, model_year: int | None) -> VehicleFacts:
        """The applicability facts of a vehicle of this type built in ``model_year``."""
        return VehicleFacts(
            series=self.series,
            model_year=model_year,
            engine_code=self.engine.family,
            fuel_type=self.fuel_type,
            transmission=self.transmission.code,
            option_codes=tuple(option.code for option in self.options),
        )


@dataclass(frozen=True)
class VehicleCatalog:
    """The maker's tables: which WMIs it uses, its type codes and its plants."""

    make: str
    wmis: frozenset[str]
    type_codes: Mapping[str, VehicleType]
    plants: Mapping[str, str]
    engines: Mapping[str, Engine]
    transmissions: Mapping[str, Transmission]
    options: Mapping[str, Option]

    @property
    def series(self) -> frozenset[str]:
        return frozenset(entry.series for entry in self.type_codes.values())

    @property
    def engine_families(self) -> frozenset[str]:
        return frozenset(engine.family for engine in self.engines.values())


@dataclass(frozen=True)
class Vehicle:
    """A decoded VIN and what the portal knows about the vehicle behind it.

    ``make`` is this portal's make (for example "BMW") when the WMI is one of its, else the
    manufacturer vininfo names; ``vehicle_type`` is None unless ``coverage`` is COVERED.
    """

    decoded: DecodedVin
    coverage: Coverage
    coverage_note: str
    make: str | None
    vehicle_type: VehicleType | None
    plant: str | None
    notes: tuple[str, ...]

    @property
    def vin(self) -> str:
        return self.decoded.vin

    @property
    def model_year(self) -> int | None:
        return self.decoded.model_year

    @property
    def series(self) -> str | None:
        return self.vehicle_type.series if self.vehicle_type else None

    @property
    def model(self) -> str | None:
        return self.vehicle_type.model if self.vehicle_type else None

    @property
    def engine(self) -> Engine | None:
        return self.vehicle_type.engine if self.vehicle_type else None

    def facts(self) -> VehicleFacts | None:
        """What applicability is decided on; None for a vehicle of another maker, to which no
        document of this portal applies (not even one for all series)."""
        if self.coverage is Coverage.NOT_COVERED:
            return None
        kind = self.vehicle_type
        if kind is None:
            # Our make, unknown type: only documents that set no condition but the make apply.
            return VehicleFacts(series=None, model_year=self.model_year)
        return kind.facts(model_year=self.model_year)


def identify_vehicle(decoded: DecodedVin, catalog: VehicleCatalog) -> Vehicle:
    """The vehicle behind ``decoded``: covered, another maker's, or ours with an unknown type."""
    notes = list(decoded.notes)
    if decoded.wmi not in catalog.wmis:
        maker = decoded.manufacturer or f"the maker of WMI {decoded.wmi}"
        return Vehicle(
            decoded=decoded,
            coverage=Coverage.NOT_COVERED,
            coverage_note=(
                f"This portal covers {catalog.make} vehicles; {maker} repair and maintenance "
                "information is on that maker's own RMI portal. No documents apply."
            ),
            make=decoded.manufacturer,
            vehicle_type=None,
            plant=None,
            notes=tuple(notes),
        )
    plant = catalog.plants.get(decoded.plant_code)
    if plant is None:
        notes.append(f"Plant code {decoded.plant_code} (position 11) is not in the plant table.")
    kind = catalog.type_codes.get(decoded.type_code)
    if kind is None:
        notes.append(
            f"Type code {decoded.type_code} (positions 4-7) is not in the AIR type-code table; "
            "series, model and engine are unknown, so only documents for all series apply."
        )
        return Vehicle(
            decoded=decoded,
            coverage=Coverage.UNKNOWN_VEHICLE,
            coverage_note=(
                f"A {catalog.make} vehicle whose type code {decoded.type_code} is not in the "
                "type-code table: make, model year and plant are known, series and engine are "
                "not, so only the documents for all series apply. Check the VIN for typos."
            ),
            make=catalog.make,
            vehicle_type=None,
            plant=plant,
            notes=tuple(notes),
        )
    notes.append(
        "Options are the standard equipment of this type; optional extras are not in the VIN."
    )
    return Vehicle(
        decoded=decoded,
        coverage=Coverage.COVERED,
        coverage_note=(
            f"{catalog.make} {kind.series} {kind.model}: covered by this portal; the documents "
            "that apply to its series, model year, engine, transmission and equipment are listed."
        ),
        make=catalog.make,
        vehicle_type=kind,
        plant=plant,
        notes=tuple(notes),
    )


# --- Parsing the pack's vehicle tables ------------------------------------------------------


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ContentPackError(f"{where}: '{key}' must be a non-empty string")
    return value


def _count(entry: Mapping[str, Any], key: str, where: str, *, optional: bool = False) -> int | None:
    value = entry.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ContentPackError(f"{where}: '{key}' must be a positive integer")
    return value


def _objects(raw: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    entries = raw.get(key)
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        raise ContentPackError(f"vehicle tables: '{key}' must be a list of objects")
    return entries


def _keyed(entries: list[Mapping[str, Any]], what: str) -> dict[str, Mapping[str, Any]]:
    table: dict[str, Mapping[str, Any]] = {}
    for entry in entries:
        code = _text(entry, "code", f"{what} {entry.get('code')!r}")
        if code in table:
            raise ContentPackError(f"{what} {code!r}: listed twice")
        table[code] = entry
    return table


def _lookup(table: Mapping[str, T], code: object, what: str, where: str) -> T:
    if not isinstance(code, str) or code not in table:
        raise ContentPackError(f"{where}: {what} {code!r} is not in the {what} table")
    return table[code]


def _engine(code: str, entry: Mapping[str, Any]) -> Engine:
    where = f"engine {code!r}"
    return Engine(
        code=code,
        family=_text(entry, "family", where),
        description=_text(entry, "description", where),
        displacement_ccm=_count(entry, "displacement_ccm", where, optional=True),
        cylinders=_count(entry, "cylinders", where, optional=True),
    )


def _vehicle_type(
    code: str,
    entry: Mapping[str, Any],
    *,
    engines: Mapping[str, Engine],
    transmissions: Mapping[str, Transmission],
    options: Mapping[str, Option],
) -> VehicleType:
    where = f"type code {code!r}"
    if not TYPE_CODE.match(code):
        raise ContentPackError(f"{where}: not 4 VIN characters")
    try:
        fuel = FuelType(str(entry.get("fuel_type")))
        drive = Drive(str(entry.get("drive")))
    except ValueError as exc:
        raise ContentPackError(f"{where}: unknown fuel type or drive ({exc})") from exc
    codes = entry.get("options", [])
    if not isinstance(codes, list):
        raise ContentPackError(f"{where}: 'options' must be a list of option codes")
    power = _count(entry, "power_kw", where) or 0  # not optional: _count raised when absent
    return VehicleType(
        code=code,
        series=_text(entry, "series", where),
        model=_text(entry, "model", where),
        body=_text(entry, "body", where),
        engine=_lookup(engines, entry.get("engine"), "engine", where),
        fuel_type=fuel,
        power_kw=power,
        transmission=_lookup(transmissions, entry.get("transmission"), "transmission", where),
        drive=drive,
        options=tuple(_lookup(options, option, "option", where) for option in codes),
    )


def parse_vehicle_catalog(raw: object) -> VehicleCatalog:
    """The vehicle tables of the pack (``vehicles.json``); raises ContentPackError when an entry
    is malformed or names an engine, transmission or option that is not in its table."""
    if not isinstance(raw, Mapping):
        raise ContentPackError("vehicle tables: must be an object")
    make = _text(raw, "make", "vehicle tables")
    wmis = raw.get("wmis")
    if not isinstance(wmis, list) or not wmis or not all(WMI.match(str(w)) for w in wmis):
        raise ContentPackError("vehicle tables: 'wmis' must list 3-character WMIs")
    plants = raw.get("plants")
    if not isinstance(plants, Mapping) or not all(
        PLANT_CODE.match(str(code)) and isinstance(name, str) for code, name in plants.items()
    ):
        raise ContentPackError("vehicle tables: 'plants' must map a VIN character to a name")
    engine_rows = _keyed(_objects(raw, "engines"), "engine")
    engines = {code: _engine(code, entry) for code, entry in engine_rows.items()}
    transmissions = {
        code: Transmission(code, _text(entry, "description", f"transmission {code!r}"))
        for code, entry in _keyed(_objects(raw, "transmissions"), "transmission").items()
    }
    options = {
        code: Option(code, _text(entry, "description", f"option {code!r}"))
        for code, entry in _keyed(_objects(raw, "options"), "option").items()
    }
    type_codes = {
        code: _vehicle_type(
            code, entry, engines=engines, transmissions=transmissions, options=options
        )
        for code, entry in _keyed(_objects(raw, "type_codes"), "type code").items()
    }
    return VehicleCatalog(
        make=make,
        wmis=frozenset(str(w) for w in wmis),
        type_codes=type_codes,
        plants=dict(plants),
        engines=engines,
        transmissions=transmissions,
        options=options,
    )


__all__ = [
    "Coverage",
    "Drive",
    "Engine",
    "Option",
    "Transmission",
    "Vehicle",
    "VehicleCatalog",
    "VehicleType",
    "identify_vehicle",
    "parse_vehicle_catalog",
]
