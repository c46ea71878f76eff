import { callApi } from "../../../lib/api/call";
import type { ApiClient } from "../../../lib/api/client";
import type { CheckoutRequest, CheckoutResult } from "./types";

/** POST /api/billing/checkout: places the order (stock reserved) and starts its payment; the same
 * Idempotency-Key returns the same order. */
export function placeOrder(api: ApiClient, request: CheckoutRequest, { idempotencyKey }: { idempotencyKey: string }) {
  return callApi<CheckoutResult>(api, "POST", "/api/billing/checkout", { body: request, headers: { "Idempotency-Key": idempotencyKey } });
}
