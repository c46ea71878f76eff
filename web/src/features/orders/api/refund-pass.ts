import { type ApiClient, unwrap } from "../../../lib/api/client";

/** POST /api/billing/entitlements/{id}/refund: cancels an unused pass for a credit note (idempotent by key). */
export function refundPass(api: ApiClient, { entitlementId, idempotencyKey }: { entitlementId: string; idempotencyKey: string }) {
  return unwrap(
    api.POST("/api/billing/entitlements/{entitlement_id}/refund", {
      params: { path: { entitlement_id: entitlementId }, header: { "Idempotency-Key": idempotencyKey } },
    }),
  );
}
