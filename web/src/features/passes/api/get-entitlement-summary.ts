import { queryOptions, useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";

/** GET /api/billing/entitlements/summary: per scope, until when the organisation's time runs and
 * the windows behind it. */
export function getEntitlementSummary(api: ApiClient) {
  return unwrap(api.GET("/api/billing/entitlements/summary"));
}

// One key for every screen that shows paid time (passes, programming): one request, one cache
// entry; a purchase invalidates ["entitlements"].
export const entitlementSummaryQueryOptions = (api: ApiClient) =>
  queryOptions({ queryKey: ["entitlements", "summary"], queryFn: () => getEntitlementSummary(api) });

export function useEntitlementSummary() {
  return useQuery(entitlementSummaryQueryOptions(useApi()));
}
