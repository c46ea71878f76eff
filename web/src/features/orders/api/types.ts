// Billing's order history and invoice routes, typed by hand until they are in openapi.json.
import type { InvoiceKind, Order } from "../../shop";

export interface OrderList {
  items: Order[];
}

export interface InvoiceSummary {
  id: string;
  number: string;
  kind: InvoiceKind;
  order_id: string;
  credited_invoice_id: string | null;
  issued_at: string;
  net_minor: number;
  vat_minor: number;
  gross_minor: number;
  currency: string;
}

export interface InvoiceList {
  items: InvoiceSummary[];
}

export interface RefundResult {
  entitlement_id: string;
  credit_note: { id: string; number: string };
}
