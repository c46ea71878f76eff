import { queryOptions, useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";

/** GET /api/identity/organizations/current/members: everyone of the workshop (owner, admin). */
export function getMembers(api: ApiClient) {
  return unwrap(api.GET("/api/identity/organizations/current/members"));
}

// Others change it (an invitation accepted in another browser): asked anew each time it is shown.
export const membersQueryKey = ["members"] as const;
export const membersQueryOptions = (api: ApiClient) => queryOptions({ queryKey: membersQueryKey, staleTime: 0, queryFn: () => getMembers(api) });

export function useMembers() {
  return useQuery(membersQueryOptions(useApi()));
}
