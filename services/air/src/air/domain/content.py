"""The content pack: repair documents and the type-code table, parsed and checked.

Parsing is pure: file contents (Markdown bodies, SVG diagrams) are read through a callback, so
the same code checks the shipped pack and hand-made broken packs in tests.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from xml.etree import ElementTree

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TYPE_CODE = re.compile(r"^[A-HJ-NPR-Z0-9]{4}$")
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
class TypeCode:
    """One row of the type-code table: VIN positions 4-7 → vehicle."""

    code: str
    series: str
    model: str
    body: str
    engine: str


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
class ContentPack:
    version: str
    notice: str
    documents: tuple[ContentDocument, ...]
    type_codes: Mapping[str, TypeCode]

    @property
    def series(self) -> frozenset[str]:
        return frozenset(entry.series for entry in self.type_codes.values())


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


def _applicability(entry: Mapping[str, Any], where: str) -> Applicability:
    raw = entry.get("series")
    year_from = _year(entry, "model_year_from", where)
    year_to = _year(entry, "model_year_to", where)
    if raw == "all":
        return Applicability(
            series=(), all_series=True, model_year_from=year_from, model_year_to=year_to
        )
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        raise ContentPackError(f"{where}: 'series' must be \"all\" or a list of series codes")
    return Applicability(series=tuple(raw), model_year_from=year_from, model_year_to=year_to)


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
    )


def _mapping(entry: object) -> Mapping[str, Any]:
    if not isinstance(entry, Mapping):
        raise ContentPackError(f"documents must be objects, not {entry!r}")
    return entry


def parse_pack(raw: Mapping[str, Any], *, read_file: Callable[[str], str]) -> ContentPack:
    """Build the pack from its JSON document; ``read_file`` returns a pack file's text by its
    relative path. Raises ContentPackError on a structural problem."""
    documents = raw.get("documents")
    type_codes = raw.get("type_codes")
    if not isinstance(documents, list) or not isinstance(type_codes, list):
        raise ContentPackError("the pack needs 'documents' and 'type_codes' lists")
    table: dict[str, TypeCode] = {}
    for entry in type_codes:
        if not isinstance(entry, Mapping):
            raise ContentPackError(f"type code entries must be objects, not {entry!r}")
        where = f"type code {entry.get('code')!r}"
        code = _text(entry, "code", where)
        if code in table:
            raise ContentPackError(f"{where}: listed twice")
        table[code] = TypeCode(
            code=code,
            series=_text(entry, "series", where),
            model=_text(entry, "model", where),
            body=_text(entry, "body", where),
            engine=_text(entry, "engine", where),
        )
    return ContentPack(
        version=_text(raw, "version", "pack"),
        notice=_text(raw, "notice", "pack"),
        documents=tuple(_document(_mapping(entry), read_file) for entry in documents),
        type_codes=table,
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


def integrity_problems(pack: ContentPack) -> list[str]:
    """Every inconsistency of the pack, as sentences; empty when the pack is sound."""
    problems: list[str] = []
    seen: set[str] = set()
    known_series = pack.series
    for code in pack.type_codes:
        if not TYPE_CODE.match(code):
            problems.append(f"type code {code!r} is not 4 VIN characters")
    for doc in pack.documents:
        if doc.id in seen:
            problems.append(f"document id {doc.id!r} is used more than once")
        seen.add(doc.id)
        if not SLUG.match(doc.id):
            problems.append(f"document id {doc.id!r} is not a lowercase slug")
        applicability = doc.applicability
        if not applicability.all_series and not applicability.series:
            problems.append(f'{doc.id}: lists no series (use "all" for generic documents)')
        for series in applicability.series:
            if series not in known_series:
                problems.append(f"{doc.id}: series {series!r} is not in the type-code table")
        low, high = applicability.model_year_from, applicability.model_year_to
        if low is not None and high is not None and low > high:
            problems.append(f"{doc.id}: model years {low}-{high} are reversed")
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
    "ContentDocument",
    "ContentPack",
    "ContentPackError",
    "DocumentType",
    "FuelType",
    "Language",
    "TypeCode",
    "VehicleFacts",
    "integrity_problems",
    "is_document_id",
    "parse_pack",
]
