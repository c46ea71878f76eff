"""Invoices and credit notes of the caller's organisation, and their PDFs."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from billing.api.deps import Buyer
from billing.api.invoice_schemas import InvoiceKindName, InvoiceList, InvoiceRead, InvoiceSummary
from billing.db.invoices import InvoiceRepository
from billing.errors import InvoiceNotFoundError
from billing.services import invoicing
from servicekit.db import SessionDep
from servicekit.problems import UnauthorizedError, problem_responses

router = APIRouter(prefix="/invoices", tags=["invoices"])


@router.get("", summary="The organisation's invoices and credit notes, newest first")
async def list_invoices(
    principal: Buyer,
    session: SessionDep,
    kind: Annotated[InvoiceKindName | None, Query(description="Only this kind")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> InvoiceList:
    items, total = await InvoiceRepository(session).list_for_organization(
        principal.organization_id, kind=kind, limit=limit, offset=offset
    )
    return InvoiceList(items=[InvoiceSummary.of(invoice) for invoice in items], total=total)


@router.get(
    "/{invoice_id}",
    summary="One invoice or credit note, as issued",
    responses=problem_responses(UnauthorizedError, InvoiceNotFoundError),
)
async def get_invoice(invoice_id: uuid.UUID, principal: Buyer, session: SessionDep) -> InvoiceRead:
    invoice, lines, credited_number = await invoicing.invoice_with_lines(
        session, invoice_id, organization_id=principal.organization_id
    )
    return InvoiceRead.full(invoice, lines, credited_number=credited_number)


@router.get(
    "/{invoice_id}/pdf",
    summary="The PDF of an invoice or credit note (a download)",
    response_class=Response,
    responses={
        200: {
            "description": "The PDF, as an attachment named after the invoice number",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        },
        **problem_responses(UnauthorizedError, InvoiceNotFoundError),
    },
)
async def get_invoice_pdf(invoice_id: uuid.UUID, principal: Buyer, session: SessionDep) -> Response:
    invoice, pdf = await invoicing.render_pdf(
        session, invoice_id, organization_id=principal.organization_id
    )
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={
            # The number is ASCII letters, digits and dashes: safe in a quoted filename.
            "content-disposition": f'attachment; filename="{invoice.number}.pdf"',
            # The bytes of an issued invoice never change.
            "cache-control": "private, max-age=86400, immutable",
        },
    )
