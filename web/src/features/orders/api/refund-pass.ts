import { callApi } from "../../../lib/api/call";
import type { ApiClient } from "../../../lib/api/client";
import type { RefundResult } from "./types";

/** POST /api/billing/entitlements/{id}/refund: cancels an unused pass for a credit note (idempotent by key). */
export function refundPass(api: ApiClient, { entitlementId, idempotencyKey }: { entitlementId: string; idempotencyKey: string }) {
  return callApi<RefundResult>(api, "POST", `/api/billing/entitlements/${encodeURIComponent(entitlementId)}/refund`, {
    headers: { "Idempotency-Key": idempotencyKey },
  });
}
