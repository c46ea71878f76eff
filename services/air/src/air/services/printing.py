"""Printing a document to PDF with the vehicle and the workshop on it, rendered with typst.

Why typst: the ``typst`` wheel carries the compiler and its fonts, so rendering needs no system
libraries (billing prints invoices the same way). The document goes into the template as one
JSON input, never spliced into typst markup: the Markdown body is parsed into blocks of plain
strings (``air.domain.markdown_blocks``) that the template lays out, so nothing in content can
be read as markup. System fonts are ignored and the document date is the print time, so the
same document printed at the same moment gives the same bytes.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import typst
from sqlalchemy.ext.asyncio import AsyncSession

from air.content import load_pack
from air.db.models import Document, Workshop
from air.db.workshop_lookup import find_workshop
from air.domain.content import DocumentType, Language
from air.domain.markdown_blocks import markdown_blocks
from air.domain.vehicle import Vehicle
from air.services.documents import Reader, get_document
from air.services.vehicles import decode_vehicle

_TEMPLATE = resources.files("air").joinpath("templates/document.typ").read_bytes()

_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "document": "Document",
        "content": "Content version",
        "vehicle": "Vehicle",
        "engine": "Engine",
        "workshop": "Workshop",
        "printed": "Printed",
        "repair_instruction": "Repair instruction",
        "wiring_diagram": "Wiring diagram",
        "technical_bulletin": "Technical bulletin",
        "no_vehicle": "not opened for a vehicle",
    },
    "de": {
        "document": "Dokument",
        "content": "Inhaltsstand",
        "vehicle": "Fahrzeug",
        "engine": "Motor",
        "workshop": "Werkstatt",
        "printed": "Gedruckt",
        "repair_instruction": "Reparaturanleitung",
        "wiring_diagram": "Schaltplan",
        "technical_bulletin": "Technische Mitteilung",
        "no_vehicle": "nicht für ein Fahrzeug geöffnet",
    },
}


@dataclass(frozen=True)
class PrintedDocument:
    document_id: str
    pdf: bytes


def _vehicle_facts(vehicle: Vehicle | None, labels: dict[str, str]) -> list[dict[str, str]]:
    if vehicle is None:
        return [{"label": labels["vehicle"], "value": labels["no_vehicle"]}]
    kind = vehicle.vehicle_type
    model = f"{kind.series} {kind.model}" if kind is not None else vehicle.make
    facts = [
        {
            "label": labels["vehicle"],
            "value": f"{vehicle.vin} ({model})" if model else vehicle.vin,
        }
    ]
    if kind is not None:
        engine = kind.engine
        facts.append({"label": labels["engine"], "value": f"{engine.code} {engine.description}"})
    return facts


def print_data(
    document: Document,
    *,
    vehicle: Vehicle | None,
    workshop: Workshop | None,
    content_version: str,
    notice: str,
    printed_at: datetime,
) -> dict[str, Any]:
    """What the template prints, every value a ready string (or blocks of strings)."""
    labels = _LABELS.get(document.language, _LABELS[Language.EN.value])
    facts = [
        {"label": labels["document"], "value": document.id},
        {
            "label": labels["content"],
            # The pack version, and the document's own revision within it (its content hash).
            "value": f"{content_version} · {document.content_hash[:12]}",
        },
        *_vehicle_facts(vehicle, labels),
    ]
    if workshop is not None:
        place = f", {workshop.city}" if workshop.city else ""
        facts.append({"label": labels["workshop"], "value": workshop.name + place})
    printed = printed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    facts.append({"label": labels["printed"], "value": printed})
    return {
        "title": document.title,
        "kind": labels[DocumentType(document.type).value],
        "language": document.language,
        "summary": document.summary,
        "facts": facts,
        "blocks": markdown_blocks(document.body),
        "svg": document.svg,
        "notice": notice,
        "footer": f"AOS AIR · {document.id} · {content_version} · {printed}",
    }


def render_pdf(data: dict[str, Any], *, printed_at: datetime) -> bytes:
    """The PDF of ``print_data``'s result."""
    pdf = typst.compile(
        _TEMPLATE,
        format="pdf",
        sys_inputs={"document": json.dumps(data, ensure_ascii=False, sort_keys=True)},
        ignore_system_fonts=True,
        timestamp=int(printed_at.timestamp()),
    )
    if not isinstance(pdf, bytes):
        raise TypeError("typst returned no PDF")
    return pdf


async def print_document(
    session: AsyncSession,
    reader: Reader,
    document_id: str,
    *,
    vin: str | None,
    language: Language,
    now: datetime,
) -> PrintedDocument:
    """The document as a PDF, under the same pass rules as reading it (and recorded as a read:
    AirDocumentRead). Raises what ``get_document`` raises."""
    version = await get_document(session, reader, document_id, vin=vin, language=language, now=now)
    vehicle = decode_vehicle(vin, today=now.date()) if vin and vin.strip() else None
    pack = load_pack()
    data = print_data(
        version.document,
        vehicle=vehicle,
        workshop=await find_workshop(session, reader.organization_id),
        content_version=pack.version,
        notice=pack.notice,
        printed_at=now,
    )
    # Compiling takes a noticeable moment of CPU: off the event loop, so other requests go on.
    pdf = await asyncio.to_thread(render_pdf, data, printed_at=now)
    return PrintedDocument(document_id=version.document.id, pdf=pdf)


__all__ = ["PrintedDocument", "print_data", "print_document", "render_pdf"]
