// Billing's order history and invoice answers, as the generated schema describes them.
import type { Schemas } from "../../../lib/api/client";

export type OrderList = Schemas["OrderList"];
export type InvoiceSummary = Schemas["InvoiceSummary"];
/** `total`: how many there are for the filter, for paging. */
export type InvoiceList = Schemas["InvoiceList"];
/** `credit_note` is null when the pass was refunded without one (nothing had been invoiced). */
export type RefundResult = Schemas["RefundRead"];
