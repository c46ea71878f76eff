import { type ApiClient, unwrap } from "../../../lib/api/client";

/** POST /api/billing/orders/{id}/payment: pays a pending or failed order again (idempotent by key). */
export function startPayment(api: ApiClient, { orderId, idempotencyKey }: { orderId: string; idempotencyKey: string }) {
  return unwrap(
    api.POST("/api/billing/orders/{order_id}/payment", {
      params: { path: { order_id: orderId }, header: { "Idempotency-Key": idempotencyKey } },
    }),
  );
}
