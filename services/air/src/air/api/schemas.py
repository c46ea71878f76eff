"""Request and response bodies of the AIR API."""

from __future__ import annotations

from pydantic import BaseModel, Field

from air.db.documents import SearchRow
from air.db.models import Document
from air.domain import navigation
from air.domain.content import DocumentType, FuelType, Language
from air.domain.vehicle import Coverage, Drive, Vehicle
from air.services.catalog import Catalog
from air.services.documents import DocumentVersion, SearchResult


class EngineRead(BaseModel):
    code: str = Field(description="Engine variant, e.g. B48B20")
    family: str = Field(description="Engine family that documents name, e.g. B48")
    fuel_type: FuelType = Field(description="The vehicle's fuel (a plug-in hybrid's engine too)")
    displacement_ccm: int | None = Field(description="Null for electric motors")
    power_kw: int = Field(description="The vehicle's (system) power")
    cylinders: int | None = Field(description="Null for electric motors")
    description: str


class TransmissionRead(BaseModel):
    code: str
    description: str


class OptionRead(BaseModel):
    code: str
    description: str


class VehicleRead(BaseModel):
    """A decoded VIN and the vehicle behind it. Series, model, body, engine, transmission and
    drive are null unless ``coverage`` is "covered"."""

    vin: str
    coverage: Coverage = Field(
        description="covered; not_covered (another maker: no documents apply); "
        "unknown_vehicle (our make, type code not in the table: only documents for all series)"
    )
    coverage_note: str = Field(description="What the coverage means and what to do")
    manufacturer: str | None = Field(description="Manufacturer of the WMI; null when unassigned")
    make: str | None = Field(description="The make, e.g. BMW")
    country: str | None = Field(description="Country of the WMI")
    region: str | None
    wmi: str = Field(description="World manufacturer identifier, positions 1-3")
    vds: str = Field(description="Vehicle descriptor section, positions 4-9")
    vis: str = Field(description="Vehicle identifier section, positions 10-17")
    type_code: str = Field(description="Maker's type code, positions 4-7")
    check_digit: str = Field(description="Position 9 as written in the VIN")
    check_digit_expected: str = Field(description="ISO 3779 / 49 CFR 565 check digit")
    check_digit_valid: bool
    model_year_code: str = Field(description="Position 10")
    model_year: int | None
    plant_code: str = Field(description="Position 11")
    plant: str | None = Field(description="The plant of position 11; null when unknown")
    serial_number: str = Field(description="Positions 12-17")
    series: str | None
    model: str | None
    body: str | None
    engine: EngineRead | None
    transmission: TransmissionRead | None
    drive: Drive | None
    options: list[OptionRead] = Field(description="Standard equipment of the type")
    notes: list[str] = Field(description="What could not be decoded or looks wrong")

    @classmethod
    def of(cls, vehicle: Vehicle) -> VehicleRead:
        decoded, kind = vehicle.decoded, vehicle.vehicle_type
        return cls(
            vin=decoded.vin,
            coverage=vehicle.coverage,
            coverage_note=vehicle.coverage_note,
            manufacturer=decoded.manufacturer,
            make=vehicle.make,
            country=decoded.country,
            region=decoded.region,
            wmi=decoded.wmi,
            vds=decoded.vds,
            vis=decoded.vis,
            type_code=decoded.type_code,
            check_digit=decoded.check_digit,
            check_digit_expected=decoded.check_digit_expected,
            check_digit_valid=decoded.check_digit_valid,
            model_year_code=decoded.model_year_code,
            model_year=decoded.model_year,
            plant_code=decoded.plant_code,
            plant=vehicle.plant,
            serial_number=decoded.serial_number,
            series=kind.series if kind else None,
            model=kind.model if kind else None,
            body=kind.body if kind else None,
            engine=EngineRead(
                code=kind.engine.code,
                family=kind.engine.family,
                fuel_type=kind.fuel_type,
                displacement_ccm=kind.engine.displacement_ccm,
                power_kw=kind.power_kw,
                cylinders=kind.engine.cylinders,
                description=kind.engine.description,
            )
            if kind
            else None,
            transmission=TransmissionRead(
                code=kind.transmission.code, description=kind.transmission.description
            )
            if kind
            else None,
            drive=kind.drive if kind else None,
            options=[OptionRead(code=o.code, description=o.description) for o in kind.options]
            if kind
            else [],
            notes=list(vehicle.notes),
        )


class Applicability(BaseModel):
    """Which vehicles a document is for; each list is "one of these", empty sets no condition."""

    series: list[str] = Field(description="Model series; empty when all_series is true")
    all_series: bool
    model_year_from: int | None
    model_year_to: int | None
    engine_codes: list[str]
    fuel_types: list[FuelType]
    transmissions: list[str]
    option_codes: list[str] = Field(description="The vehicle needs at least one of them")

    @classmethod
    def of(cls, source: SearchRow | Document) -> Applicability:
        return cls(
            series=list(source.series),
            all_series=source.all_series,
            model_year_from=source.model_year_from,
            model_year_to=source.model_year_to,
            engine_codes=list(source.engine_codes),
            fuel_types=[FuelType(fuel) for fuel in source.fuel_types],
            transmissions=list(source.transmissions),
            option_codes=list(source.option_codes),
        )


class DocumentListItem(BaseModel):
    id: str
    type: DocumentType
    title: str
    summary: str
    snippet: str | None = Field(
        description="Where the query matched, matches between « and »; null without a query"
    )
    language: Language = Field(description="The language of this version of the document")
    system: str
    component: str
    applicability: Applicability

    @classmethod
    def of(cls, row: SearchRow) -> DocumentListItem:
        return cls(
            id=row.id,
            type=DocumentType(row.type),
            title=row.title,
            summary=row.summary,
            snippet=row.snippet,
            language=Language(row.language),
            system=row.system,
            component=row.component,
            applicability=Applicability.of(row),
        )


class ComponentFacet(BaseModel):
    id: str
    label: str = Field(description="In the caller's language; the id when there is no label")
    count: int


class SystemFacet(BaseModel):
    id: str
    label: str = Field(description="In the caller's language; the id when there is no label")
    count: int
    components: list[ComponentFacet]

    @classmethod
    def of(cls, facet: navigation.SystemFacet) -> SystemFacet:
        return cls(
            id=facet.id,
            label=facet.label,
            count=facet.count,
            components=[
                ComponentFacet(id=c.id, label=c.label, count=c.count) for c in facet.components
            ],
        )


class TypeFacet(BaseModel):
    type: DocumentType
    count: int


class Facets(BaseModel):
    """Counts over the matches before the system, component and type filters."""

    systems: list[SystemFacet]
    types: list[TypeFacet]


def _type_facets(counts: list[tuple[str, int]]) -> list[TypeFacet]:
    return [TypeFacet(type=DocumentType(kind), count=count) for kind, count in counts]


class DocumentList(BaseModel):
    vehicle: VehicleRead | None = Field(description="The decoded VIN when one was given")
    total: int = Field(description="Matches in all pages")
    limit: int
    offset: int
    language: Language = Field(description="The language searched first")
    items: list[DocumentListItem]
    facets: Facets
    suggestions: list[str] = Field(
        description='"Did you mean": corrected queries (with the VIN of q) to send as q'
    )
    hints: list[str] = Field(description="What to do next, e.g. about an almost-VIN in q")
    vin_from_query: str | None = Field(description="The VIN taken out of q and used as filter")

    @classmethod
    def of(cls, result: SearchResult) -> DocumentList:
        return cls(
            vehicle=VehicleRead.of(result.vehicle) if result.vehicle is not None else None,
            total=result.total,
            limit=result.limit,
            offset=result.offset,
            language=result.language,
            items=[DocumentListItem.of(row) for row in result.rows],
            facets=Facets(
                systems=[SystemFacet.of(facet) for facet in result.systems],
                types=_type_facets(result.types),
            ),
            suggestions=result.suggestions,
            hints=result.hints,
            vin_from_query=result.vin_from_query,
        )


class DocumentRead(BaseModel):
    id: str
    type: DocumentType
    title: str
    summary: str
    body: str = Field(description="Markdown")
    svg: str | None = Field(description="The diagram (SVG markup) of a wiring diagram")
    language: Language = Field(description="The language of this version")
    available_languages: list[Language] = Field(description="Every language it is written in")
    system: str
    component: str
    applicability: Applicability

    @classmethod
    def of(cls, version: DocumentVersion) -> DocumentRead:
        document = version.document
        return cls(
            id=document.id,
            type=DocumentType(document.type),
            title=document.title,
            summary=document.summary,
            body=document.body,
            svg=document.svg,
            language=Language(document.language),
            available_languages=version.available_languages,
            system=document.system,
            component=document.component,
            applicability=Applicability.of(document),
        )


class CatalogItem(BaseModel):
    """A document by title only: the catalog shows no content."""

    id: str
    type: DocumentType
    title: str
    system: str
    component: str
    language: Language


class VehicleCatalog(BaseModel):
    vehicle: VehicleRead
    total: int = Field(description="Titles that apply in all pages")
    limit: int
    offset: int
    language: Language = Field(description="The language titles are shown in where translated")
    systems: list[SystemFacet]
    types: list[TypeFacet]
    items: list[CatalogItem]
    hints: list[str] = Field(description="Why the list is empty, for a vehicle not covered")

    @classmethod
    def of(cls, catalog: Catalog) -> VehicleCatalog:
        return cls(
            vehicle=VehicleRead.of(catalog.vehicle),
            total=catalog.total,
            limit=catalog.limit,
            offset=catalog.offset,
            language=catalog.language,
            systems=[SystemFacet.of(facet) for facet in catalog.systems],
            types=_type_facets(catalog.types),
            items=[
                CatalogItem(
                    id=entry.id,
                    type=DocumentType(entry.type),
                    title=entry.title,
                    system=entry.system,
                    component=entry.component,
                    language=Language(entry.language),
                )
                for entry in catalog.entries
            ],
            hints=catalog.hints,
        )


__all__ = [
    "CatalogItem",
    "DocumentList",
    "DocumentListItem",
    "DocumentRead",
    "EngineRead",
    "Facets",
    "OptionRead",
    "TransmissionRead",
    "VehicleCatalog",
    "VehicleRead",
]
