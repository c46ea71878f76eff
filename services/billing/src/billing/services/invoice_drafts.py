"""What an invoice of a paid order says: its lines as sold, the shipping, and the customer and
tax as they were when the order was placed. Issuing it (numbering, storing, rendering, mailing)
is billing.services.invoicing's."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from billing.db.models import Entitlement, Order, OrderLine
from billing.domain.invoices import InvoiceDraft, InvoiceLineDraft, Party
from billing.domain.tax import TaxTreatment

__all__ = ["SHIPPING_CODE", "draft_for_order"]

# The product code of the shipping line on an invoice.
SHIPPING_CODE = "SHIPPING"


def _description(line: OrderLine) -> str:
    return f"{line.name}, VIN {line.vin}" if line.vin else line.name


def draft_for_order(
    order: Order, lines: Sequence[OrderLine], entitlements: Mapping[uuid.UUID, Entitlement]
) -> InvoiceDraft:
    """The invoice draft of a paid order; ``entitlements`` by order line id give each pass its
    period of supply. Raises ValueError for an order placed before checkout kept a customer
    snapshot."""
    if order.customer_legal_name is None or order.customer_country is None:
        raise ValueError(f"order {order.id} has no customer snapshot to invoice")
    drafted: list[InvoiceLineDraft] = []
    for line in lines:
        granted = entitlements.get(line.id)
        drafted.append(
            InvoiceLineDraft(
                product_code=line.product_code,
                description=_description(line),
                quantity=line.quantity,
                unit_net_minor=line.unit_net_minor,
                net_minor=line.net_minor,
                vat_rate_bp=line.vat_rate_bp,
                vat_minor=line.vat_minor,
                order_line_id=line.id,
                vin=line.vin,
                period_from=granted.valid_from if granted else None,
                period_until=granted.valid_until if granted else None,
            )
        )
    if order.shipping_rule is not None:
        drafted.append(
            InvoiceLineDraft(
                product_code=SHIPPING_CODE,
                description=f"Shipping ({order.shipping_rule})",
                quantity=1,
                unit_net_minor=order.shipping_net_minor,
                net_minor=order.shipping_net_minor,
                vat_rate_bp=order.shipping_vat_rate_bp,
                vat_minor=order.shipping_vat_minor,
            )
        )
    return InvoiceDraft(
        organization_id=order.organization_id,
        order_id=order.id,
        customer=Party(
            legal_name=order.customer_legal_name,
            street=order.customer_street or "",
            postcode=order.customer_postcode or "",
            city=order.customer_city or "",
            country=order.customer_country,
            vat_id=order.customer_vat_id or "",
        ),
        currency=order.currency,
        treatment=TaxTreatment(order.tax_treatment or TaxTreatment.DOMESTIC.value),
        note=order.tax_note,
        lines=tuple(drafted),
    )
