import { queryOptions, useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";

/** GET /api/identity/organizations/current: the company data invoices carry (every member reads it). */
export function getCompanyProfile(api: ApiClient) {
  return unwrap(api.GET("/api/identity/organizations/current"));
}

export const companyProfileQueryKey = ["company-profile"] as const;
export const companyProfileQueryOptions = (api: ApiClient) => queryOptions({ queryKey: companyProfileQueryKey, queryFn: () => getCompanyProfile(api) });

export function useCompanyProfile() {
  return useQuery(companyProfileQueryOptions(useApi()));
}
