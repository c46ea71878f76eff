import { callApi } from "../../../lib/api/call";
import type { ApiClient } from "../../../lib/api/client";
import type { Order } from "./types";

/** GET /api/billing/orders/{id}: the order with its status, lines, fulfilment and invoices. */
export function getOrder(api: ApiClient, orderId: string) {
  return callApi<Order>(api, "GET", `/api/billing/orders/${encodeURIComponent(orderId)}`);
}
