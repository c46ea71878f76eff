"""Request and response bodies of the AIR API."""

from __future__ import annotations

from pydantic import BaseModel, Field

from air.db.documents import SearchRow
from air.db.models import Document
from air.domain.content import DocumentType
from air.domain.vin import DecodedVin


class VehicleRead(BaseModel):
    """A decoded VIN. Series, model, body and engine are null for an unknown type code."""

    vin: str
    wmi: str = Field(description="World manufacturer identifier, positions 1-3")
    manufacturer: str | None
    region: str | None
    vds: str = Field(description="Vehicle descriptor section, positions 4-9")
    type_code: str = Field(description="Maker's type code, positions 4-7")
    check_digit: str = Field(description="Position 9 as written in the VIN")
    check_digit_expected: str = Field(description="ISO 3779 / 49 CFR 565 check digit")
    check_digit_valid: bool
    vis: str = Field(description="Vehicle identifier section, positions 10-17")
    model_year_code: str = Field(description="Position 10")
    model_year: int | None
    plant_code: str = Field(description="Position 11")
    serial_number: str = Field(description="Positions 12-17")
    series: str | None
    model: str | None
    body: str | None
    engine: str | None
    notes: list[str] = Field(description="What could not be decoded or looks wrong")

    @classmethod
    def of(cls, decoded: DecodedVin) -> VehicleRead:
        kind = decoded.vehicle_type
        return cls(
            vin=decoded.vin,
            wmi=decoded.wmi,
            manufacturer=decoded.manufacturer,
            region=decoded.region,
            vds=decoded.vds,
            type_code=decoded.type_code,
            check_digit=decoded.check_digit,
            check_digit_expected=decoded.check_digit_expected,
            check_digit_valid=decoded.check_digit_valid,
            vis=decoded.vis,
            model_year_code=decoded.model_year_code,
            model_year=decoded.model_year,
            plant_code=decoded.plant_code,
            serial_number=decoded.serial_number,
            series=kind.series if kind else None,
            model=kind.model if kind else None,
            body=kind.body if kind else None,
            engine=kind.engine if kind else None,
            notes=list(decoded.notes),
        )


class Applicability(BaseModel):
    series: list[str] = Field(description="Model series; empty when all_series is true")
    all_series: bool
    model_year_from: int | None
    model_year_to: int | None


class DocumentListItem(BaseModel):
    id: str
    type: DocumentType
    title: str
    summary: str
    snippet: str | None = Field(
        description="Where the query matched, matches between « and »; null without a query"
    )
    series: list[str] = Field(description="Model series; empty for documents for all series")
    applicability: Applicability

    @classmethod
    def of(cls, row: SearchRow) -> DocumentListItem:
        return cls(
            id=row.id,
            type=DocumentType(row.type),
            title=row.title,
            summary=row.summary,
            snippet=row.snippet,
            series=row.series,
            applicability=Applicability(
                series=row.series,
                all_series=row.all_series,
                model_year_from=row.model_year_from,
                model_year_to=row.model_year_to,
            ),
        )


class DocumentList(BaseModel):
    vehicle: VehicleRead | None = Field(description="The decoded VIN when one was given")
    total: int = Field(description="Matches in all pages")
    limit: int
    offset: int
    items: list[DocumentListItem]


class DocumentRead(BaseModel):
    id: str
    type: DocumentType
    title: str
    summary: str
    body: str = Field(description="Markdown")
    svg: str | None = Field(description="The diagram (SVG markup) of a wiring diagram")
    applicability: Applicability

    @classmethod
    def of(cls, document: Document) -> DocumentRead:
        return cls(
            id=document.id,
            type=DocumentType(document.type),
            title=document.title,
            summary=document.summary,
            body=document.body,
            svg=document.svg,
            applicability=Applicability(
                series=list(document.series),
                all_series=document.all_series,
                model_year_from=document.model_year_from,
                model_year_to=document.model_year_to,
            ),
        )


__all__ = ["DocumentList", "DocumentListItem", "DocumentRead", "VehicleRead"]
