import { queryOptions, useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, type Schemas, unwrap } from "../../../lib/api/client";

/** The summary as billing answers it after the commerce issue: per-VIN passes come with it.
 * (`vin_passes` is written by hand until the schema has it.) */
export type EntitlementSummary = Schemas["EntitlementSummaryRead"] & {
  vin_passes?: { scope: "AIR" | "PROGRAMMING"; vin: string; valid_until: string }[];
};

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
