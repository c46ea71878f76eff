import { queryOptions, useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, type Schemas, unwrap } from "../../../lib/api/client";

/** Per scope the paid time, and the per-VIN passes (`vin_passes`) beside it. */
export type EntitlementSummary = Schemas["EntitlementSummaryRead"];

/** GET /api/billing/entitlements/summary: per scope, until when the organisation's time runs and
 * the windows behind it. */
export function getEntitlementSummary(api: ApiClient): Promise<EntitlementSummary> {
  return unwrap(api.GET("/api/billing/entitlements/summary"));
}

// One key for every screen that shows paid time (passes, programming, the expiry banner): one
// request, one cache entry; a purchase invalidates ["entitlements"].
export const entitlementSummaryQueryOptions = (api: ApiClient) =>
  queryOptions({ queryKey: ["entitlements", "summary"], queryFn: () => getEntitlementSummary(api) });

export function useEntitlementSummary({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({ ...entitlementSummaryQueryOptions(useApi()), enabled });
}
