import { type ApiClient, unwrap } from "../../../lib/api/client";

/** POST /api/billing/orders: an order for one product; the same key returns the same order. */
export function createOrder(api: ApiClient, { productCode, idempotencyKey }: { productCode: string; idempotencyKey: string }) {
  return unwrap(api.POST("/api/billing/orders", { body: { product_code: productCode, quantity: 1 }, params: { header: { "Idempotency-Key": idempotencyKey } } }));
}
