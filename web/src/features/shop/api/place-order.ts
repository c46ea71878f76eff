import { type ApiClient, unwrap } from "../../../lib/api/client";
import type { CheckoutRequest } from "./types";

/** POST /api/billing/checkout: places the order (stock reserved) and starts its payment; the same
 * Idempotency-Key returns the same order. */
export function placeOrder(api: ApiClient, request: CheckoutRequest, { idempotencyKey }: { idempotencyKey: string }) {
  return unwrap(api.POST("/api/billing/checkout", { params: { header: { "Idempotency-Key": idempotencyKey } }, body: request }));
}
