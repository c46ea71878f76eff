import { type ApiClient, unwrap } from "../../../lib/api/client";

/** GET /api/billing/orders/{id}: the order with its status, lines, fulfilment and invoices. */
export function getOrder(api: ApiClient, orderId: string) {
  return unwrap(api.GET("/api/billing/orders/{order_id}", { params: { path: { order_id: orderId } } }));
}
