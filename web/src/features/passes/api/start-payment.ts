import { type ApiClient, unwrap } from "../../../lib/api/client";

/** POST /api/billing/orders/{order_id}/payment: starts paying a pending order (idempotent by key). */
export function startPayment(api: ApiClient, { orderId, idempotencyKey }: { orderId: string; idempotencyKey: string }) {
  return unwrap(
    api.POST("/api/billing/orders/{order_id}/payment", {
      params: { path: { order_id: orderId }, header: { "Idempotency-Key": idempotencyKey } },
    }),
  );
}
