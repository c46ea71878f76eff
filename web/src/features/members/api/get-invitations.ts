import { queryOptions, useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";

/** GET /api/identity/organizations/current/invitations: the workshop's invitations, any state. */
export function getInvitations(api: ApiClient) {
  return unwrap(api.GET("/api/identity/organizations/current/invitations"));
}

// Others change it (an invitation accepted in another browser): asked anew each time it is shown.
export const invitationsQueryKey = ["invitations"] as const;
export const invitationsQueryOptions = (api: ApiClient) => queryOptions({ queryKey: invitationsQueryKey, staleTime: 0, queryFn: () => getInvitations(api) });

export function useInvitations() {
  return useQuery(invitationsQueryOptions(useApi()));
}
