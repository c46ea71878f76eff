import { callApi } from "../../../lib/api/call";
import type { ApiClient } from "../../../lib/api/client";

/** POST /api/billing/orders/{id}/payment: pays a pending or failed order again (idempotent by key). */
export function startPayment(api: ApiClient, { orderId, idempotencyKey }: { orderId: string; idempotencyKey: string }) {
  return callApi<unknown>(api, "POST", `/api/billing/orders/${encodeURIComponent(orderId)}/payment`, {
    headers: { "Idempotency-Key": idempotencyKey },
  });
}
