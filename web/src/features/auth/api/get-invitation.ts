import { queryOptions, useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";

/**
 * POST /api/identity/invitations/preview (public): the organisation, address and role of a mailed
 * invitation. A POST that changes nothing: the token goes in the body, never in a logged path.
 */
export function getInvitation(api: ApiClient, token: string) {
  return unwrap(api.POST("/api/identity/invitations/preview", { body: { token } }));
}

export const invitationQueryOptions = (api: ApiClient, token: string) =>
  queryOptions({ queryKey: ["invitation", token], queryFn: () => getInvitation(api, token), retry: false });

export function useInvitation(token: string | null) {
  return useQuery({ ...invitationQueryOptions(useApi(), token ?? ""), enabled: token !== null && token !== "" });
}
