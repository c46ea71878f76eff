import { queryOptions, useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";

/** GET /api/identity/me/sessions: my logins (device, browser, IP, last used; the current one marked). */
export function getSessions(api: ApiClient) {
  return unwrap(api.GET("/api/identity/me/sessions"));
}

export const sessionsQueryKey = ["me", "sessions"] as const;
export const sessionsQueryOptions = (api: ApiClient) => queryOptions({ queryKey: sessionsQueryKey, queryFn: () => getSessions(api) });

export function useSessions() {
  return useQuery(sessionsQueryOptions(useApi()));
}
