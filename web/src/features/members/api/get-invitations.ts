import { queryOptions, useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";

/** GET /api/identity/organizations/current/invitations: the workshop's invitations, any state. */
export function getInvitations(api: ApiClient) {
  return unwrap(api.GET("/api/identity/organizations/current/invitations"));
}

export const invitationsQueryKey = ["invitations"] as const;
export const invitationsQueryOptions = (api: ApiClient) => queryOptions({ queryKey: invitationsQueryKey, queryFn: () => getInvitations(api) });

export function useInvitations() {
  return useQuery(invitationsQueryOptions(useApi()));
}
