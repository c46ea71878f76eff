import { queryOptions, useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";

/** GET /api/identity/invitations/{token} (public): the organisation, address and role of a mailed invitation. */
export function getInvitation(api: ApiClient, token: string) {
  return unwrap(api.GET("/api/identity/invitations/{token}", { params: { path: { token } } }));
}

export const invitationQueryOptions = (api: ApiClient, token: string) =>
  queryOptions({ queryKey: ["invitation", token], queryFn: () => getInvitation(api, token), retry: false });

export function useInvitation(token: string | null) {
  return useQuery({ ...invitationQueryOptions(useApi(), token ?? ""), enabled: token !== null && token !== "" });
}
