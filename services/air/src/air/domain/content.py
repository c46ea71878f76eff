"""The content pack: repair documents in every language, the navigation taxonomy and the
maker's vehicle tables, parsed and checked.

Parsing is pure: file contents (Markdown bodies, translations, SVG diagrams, the vehicle tables)
are read through callbacks, so the same code checks the shipped pack and hand-made broken packs
in tests.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

if TYPE_CHECKING:
    from air.domain.vehicle import VehicleCatalog, VehicleType

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"


def is_document_id(value: str) -> bool:
    """True when ``value`` has the shape of a document id (a lowercase slug)."""
    return len(value) <= 200 and SLUG.match(value) is not None


class DocumentType(StrEnum):
    REPAIR_INSTRUCTION = "repair_instruction"
    WIRING_DIAGRAM = "wiring_diagram"
    TECHNICAL_BULLETIN = "technical_bulletin"


class ContentPackError(ValueError):
    """The pack file is structurally broken (missing field, wrong type)."""


class Language(StrEnum):
    """Languages content is written in (ISO 639-1). Every document exists in English; a
    translation is a second ContentDocument with the same id."""

    EN = "en"
    DE = "de"


class FuelType(StrEnum):
    PETROL = "petrol"
    DIESEL = "diesel"
    PLUG_IN_HYBRID = "plug_in_hybrid"
    ELECTRIC = "electric"


@dataclass(frozen=True)
class VehicleFacts:
    """What applicability is decided on: the facts of one vehicle. None (or an empty tuple)
    means unknown; an unknown fact never satisfies a condition that names it."""

    series: str | None
    model_year: int | None
    engine_code: str | None = None
    fuel_type: FuelType | None = None
    transmission: str | None = None
    option_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Applicability:
    """Which vehicles a document is for: some series (or all), and optionally model years,
    engine codes, fuel types, transmissions and option codes.

    Each list is a condition "the vehicle's value is one of these" (for option codes: the
    vehicle has at least one of them); an empty list sets no condition. A document applies
    only when every condition it sets holds (``applies`` decides it; the SQL twin is
    ``air.db.applicability.applicable_to``).
    """

    series: tuple[str, ...]
    all_series: bool = False
    model_year_from: int | None = None
    model_year_to: int | None = None
    engine_codes: tuple[str, ...] = ()
    fuel_types: tuple[FuelType, ...] = ()
    transmissions: tuple[str, ...] = ()
    option_codes: tuple[str, ...] = ()

    def applies_to(self, series: str | None, model_year: int | None) -> bool:
        """True when a vehicle of ``series`` and ``model_year`` (None: unknown) is covered.

        An unknown series only matches all-series documents; an unknown year matches any range.
        """
        if not self.all_series and (series is None or series not in self.series):
            return False
        if model_year is None:
            return True
        if self.model_year_from is not None and model_year < self.model_year_from:
            return False
        return self.model_year_to is None or model_year <= self.model_year_to

    def applies(self, vehicle: VehicleFacts) -> bool:
        """True when every condition this document sets holds for ``vehicle``."""
        if not self.applies_to(vehicle.series, vehicle.model_year):
            return False
        if self.engine_codes and vehicle.engine_code not in self.engine_codes:
            return False
        if self.fuel_types and vehicle.fuel_type not in self.fuel_types:
            return False
        if self.transmissions and vehicle.transmission not in self.transmissions:
            return False
        return not self.option_codes or bool(set(self.option_codes) & set(vehicle.option_codes))


@dataclass(frozen=True)
class ContentDocument:
    """One language version of a document; its translations share ``id``, type, system,
    component, applicability and SVG."""

    id: str
    type: DocumentType
    title: str
    summary: str
    body: str
    applicability: Applicability
    svg: str | None = None
    language: Language = Language.EN
    # Navigation pathway (ISO 18541): a system of the pack's taxonomy and one of its components.
    system: str = "general"
    component: str = "general"

    def content_hash(self) -> str:
        """SHA-256 (hex) of everything stored for the document; equal hash, nothing to update."""
        canonical = json.dumps(
            {
                "id": self.id,
                "type": self.type.value,
                "title": self.title,
                "summary": self.summary,
                "body": self.body,
                "series": list(self.applicability.series),
                "all_series": self.applicability.all_series,
                "model_year_from": self.applicability.model_year_from,
                "model_year_to": self.applicability.model_year_to,
                "engine_codes": list(self.applicability.engine_codes),
                "fuel_types": [fuel.value for fuel in self.applicability.fuel_types],
                "transmissions": list(self.applicability.transmissions),
                "option_codes": list(self.applicability.option_codes),
                "svg": self.svg,
                "language": self.language.value,
                "system": self.system,
                "component": self.component,
            },
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Component:
    id: str
    label: Mapping[Language, str]


@dataclass(frozen=True)
class System:
    """A system of the navigation taxonomy (engine, brakes, ...) with its components."""

    id: str
    label: Mapping[Language, str]
    components: tuple[Component, ...]

    def component(self, component_id: str) -> Component | None:
        return next((c for c in self.components if c.id == component_id), None)


@dataclass(frozen=True)
class ContentPack:
    """Every language version of every document, the taxonomy and the vehicle tables.

    ``orphan_translations`` are translation files whose id has no English entry (an integrity
    problem, kept so that the check can name them).
    """

    version: str
    notice: str
    documents: tuple[ContentDocument, ...]
    vehicles: VehicleCatalog
    systems: tuple[System, ...]
    orphan_translations: tuple[str, ...] = ()

    @property
    def type_codes(self) -> Mapping[str, VehicleType]:
        return self.vehicles.type_codes

    @property
    def series(self) -> frozenset[str]:
        return self.vehicles.series

    def system(self, system_id: str) -> System | None:
        return next((s for s in self.systems if s.id == system_id), None)

    def in_language(self, language: Language) -> tuple[ContentDocument, ...]:
        return tuple(doc for doc in self.documents if doc.language is language)


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ContentPackError(f"{where}: '{key}' must be a non-empty string")
    return value


def _year(entry: Mapping[str, Any], key: str, where: str) -> int | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ContentPackError(f"{where}: '{key}' must be a year (integer) or absent")
    return value


def _codes(entry: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ContentPackError(f"{where}: '{key}' must be a list of codes or absent")
    return tuple(value)


def _applicability(entry: Mapping[str, Any], where: str) -> Applicability:
    raw = entry.get("series")
    if raw != "all" and (not isinstance(raw, list) or not all(isinstance(s, str) for s in raw)):
        raise ContentPackError(f"{where}: 'series' must be \"all\" or a list of series codes")
    try:
        fuels = tuple(FuelType(fuel) for fuel in _codes(entry, "fuel_types", where))
    except ValueError as exc:
        raise ContentPackError(f"{where}: unknown fuel type ({exc})") from exc
    return Applicability(
        series=() if raw == "all" else tuple(raw),
        all_series=raw == "all",
        model_year_from=_year(entry, "model_year_from", where),
        model_year_to=_year(entry, "model_year_to", where),
        engine_codes=_codes(entry, "engine_codes", where),
        fuel_types=fuels,
        transmissions=_codes(entry, "transmissions", where),
        option_codes=_codes(entry, "option_codes", where),
    )


def _document(entry: Mapping[str, Any], read_file: Callable[[str], str]) -> ContentDocument:
    where = f"document {entry.get('id')!r}"
    try:
        kind = DocumentType(str(entry.get("type")))
    except ValueError as exc:
        raise ContentPackError(f"{where}: unknown type {entry.get('type')!r}") from exc
    diagram = entry.get("diagram_file")
    return ContentDocument(
        id=_text(entry, "id", where),
        type=kind,
        title=_text(entry, "title", where),
        summary=_text(entry, "summary", where),
        body=read_file(_text(entry, "body_file", where)),
        applicability=_applicability(entry, where),
        svg=read_file(diagram) if isinstance(diagram, str) else None,
        system=_text(entry, "system", where),
        component=_text(entry, "component", where),
    )


def parse_front_matter(text: str, *, where: str) -> tuple[dict[str, str], str]:
    """(front matter, body) of a translation file: ``---``, ``key: value`` lines, ``---``, then
    the Markdown body. Raises ContentPackError when the block is missing or malformed."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise ContentPackError(f"{where}: must start with a '---' front matter block")
    fields: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            return fields, "\n".join(lines[number:]).strip() + "\n"
        key, colon, value = line.partition(":")
        if not colon or not key.strip():
            raise ContentPackError(f"{where}: line {number} is not 'key: value'")
        fields[key.strip()] = value.strip()
    raise ContentPackError(f"{where}: the front matter block is not closed with '---'")


def _translation(
    english: ContentDocument, language: Language, text: str, *, where: str
) -> ContentDocument:
    fields, body = parse_front_matter(text, where=where)
    for key in ("title", "summary"):
        if not fields.get(key):
            raise ContentPackError(f"{where}: the front matter has no '{key}'")
    if not body.strip():
        raise ContentPackError(f"{where}: the body is empty")
    # Everything but the words comes from the English entry.
    return ContentDocument(
        id=english.id,
        type=english.type,
        title=fields["title"],
        summary=fields["summary"],
        body=body,
        applicability=english.applicability,
        svg=english.svg,
        language=language,
        system=english.system,
        component=english.component,
    )


def parse_systems(raw: object) -> tuple[System, ...]:
    """The navigation taxonomy (``systems.json``); every label in every language."""

    def labels(entry: Mapping[str, Any], where: str) -> dict[Language, str]:
        label = entry.get("label")
        if not isinstance(label, Mapping):
            raise ContentPackError(f"{where}: 'label' must map languages to text")
        return {language: _text(label, language.value, f"{where} label") for language in Language}

    if not isinstance(raw, Mapping) or not isinstance(raw.get("systems"), list):
        raise ContentPackError("systems: needs a 'systems' list")
    systems: list[System] = []
    for entry in raw["systems"]:
        where = f"system {entry.get('id')!r}" if isinstance(entry, Mapping) else "system"
        if not isinstance(entry, Mapping) or not isinstance(entry.get("components"), list):
            raise ContentPackError(f"{where}: needs an id, a label and a 'components' list")
        if not all(isinstance(c, Mapping) for c in entry["components"]):
            raise ContentPackError(f"{where}: components must be objects")
        components = tuple(
            Component(
                id=_text(c, "id", f"{where} component"),
                label=labels(c, f"{where} component {c.get('id')!r}"),
            )
            for c in entry["components"]
        )
        systems.append(
            System(id=_text(entry, "id", where), label=labels(entry, where), components=components)
        )
    return tuple(systems)


def parse_pack(
    raw: Mapping[str, Any],
    *,
    read_file: Callable[[str], str],
    list_files: Callable[[str], Iterable[str]] = lambda folder: (),
) -> ContentPack:
    """Build the pack from its JSON document. ``read_file`` returns a pack file's text by its
    relative path, ``list_files`` the file names in a folder of the pack (for translations in
    ``documents/<lang>/<id>.md``). Raises ContentPackError on a structural problem."""
    # vehicle.py builds on this module's FuelType and VehicleFacts, hence the late import.
    from air.domain.vehicle import parse_vehicle_catalog

    entries = raw.get("documents")
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        raise ContentPackError("the pack needs a 'documents' list of objects")
    english = [_document(entry, read_file) for entry in entries]
    by_id = {doc.id: doc for doc in english}
    documents = list(english)
    orphans: list[str] = []
    for language in Language:
        if language is Language.EN:
            continue
        folder = f"documents/{language.value}"
        for name in sorted(list_files(folder)):
            if not name.endswith(".md"):
                continue
            path = f"{folder}/{name}"
            original = by_id.get(name.removesuffix(".md"))
            if original is None:
                orphans.append(path)
                continue
            documents.append(_translation(original, language, read_file(path), where=path))
    return ContentPack(
        version=_text(raw, "version", "pack"),
        notice=_text(raw, "notice", "pack"),
        documents=tuple(documents),
        vehicles=parse_vehicle_catalog(json.loads(read_file(_text(raw, "vehicles_file", "pack")))),
        systems=parse_systems(json.loads(read_file(_text(raw, "systems_file", "pack")))),
        orphan_translations=tuple(orphans),
    )


def _svg_problem(svg: str) -> str | None:
    try:
        root = ElementTree.fromstring(svg)  # noqa: S314 -- our own packaged files, not user input
    except ElementTree.ParseError as exc:
        return f"is not well-formed XML ({exc})"
    if root.tag != f"{SVG_NAMESPACE}svg":
        return "does not have an <svg> root element in the SVG namespace"
    if any(el.tag.endswith("script") or el.tag.endswith("foreignObject") for el in root.iter()):
        return "contains script or foreign content"
    if not any(el.tag == f"{SVG_NAMESPACE}text" for el in root.iter()):
        return "has no text labels"
    return None


def _applicability_problems(doc: ContentDocument, pack: ContentPack) -> list[str]:
    applicability, catalog = doc.applicability, pack.vehicles
    problems: list[str] = []
    if not applicability.all_series and not applicability.series:
        problems.append(f'{doc.id}: lists no series (use "all" for generic documents)')
    for series in applicability.series:
        if series not in catalog.series:
            problems.append(f"{doc.id}: series {series!r} is not in the type-code table")
    low, high = applicability.model_year_from, applicability.model_year_to
    if low is not None and high is not None and low > high:
        problems.append(f"{doc.id}: model years {low}-{high} are reversed")
    unknown = (
        ("engine", applicability.engine_codes, catalog.engine_families),
        ("transmission", applicability.transmissions, catalog.transmissions.keys()),
        ("option", applicability.option_codes, catalog.options.keys()),
    )
    for what, codes, known in unknown:
        for code in codes:
            if code not in known:
                problems.append(f"{doc.id}: {what} {code!r} is not in the {what} table")
    # A condition no vehicle of the table meets is a typo (B47 with petrol, say): the document
    # would never be found.
    if not problems and not any(
        applicability.applies(kind.facts(model_year=None)) for kind in catalog.type_codes.values()
    ):
        problems.append(f"{doc.id}: its conditions match no type code of the table")
    return problems


def integrity_problems(pack: ContentPack) -> list[str]:
    """Every inconsistency of the pack, as sentences; empty when the pack is sound."""
    problems = [
        f"translation {path} is for a document id that has no English entry"
        for path in pack.orphan_translations
    ]
    seen: set[tuple[str, Language]] = set()
    for doc in pack.documents:
        if (doc.id, doc.language) in seen:
            problems.append(f"document id {doc.id!r} is used more than once")
        seen.add((doc.id, doc.language))
        if doc.language is not Language.EN:
            continue  # a translation shares everything below with its English entry
        if not SLUG.match(doc.id):
            problems.append(f"document id {doc.id!r} is not a lowercase slug")
        problems += _applicability_problems(doc, pack)
        system = pack.system(doc.system)
        if system is None:
            problems.append(f"{doc.id}: system {doc.system!r} is not in the taxonomy")
        elif system.component(doc.component) is None:
            problems.append(
                f"{doc.id}: component {doc.component!r} is not a component of {doc.system!r}"
            )
        if doc.type is DocumentType.WIRING_DIAGRAM:
            if doc.svg is None:
                problems.append(f"{doc.id}: a wiring diagram without SVG")
            elif (svg_problem := _svg_problem(doc.svg)) is not None:
                problems.append(f"{doc.id}: the SVG {svg_problem}")
        elif doc.svg is not None:
            problems.append(f"{doc.id}: only wiring diagrams carry SVG")
    return problems


__all__ = [
    "Applicability",
    "Component",
    "ContentDocument",
    "ContentPack",
    "ContentPackError",
    "DocumentType",
    "FuelType",
    "Language",
    "System",
    "VehicleFacts",
    "integrity_problems",
    "is_document_id",
    "parse_front_matter",
    "parse_pack",
    "parse_systems",
]
