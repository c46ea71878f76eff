import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";
import { membersQueryKey } from "./get-members";

/** POST …/members/{user_id}/deactivate: their logins end at once, their access tokens within seconds. */
export function deactivateMember(api: ApiClient, userId: string) {
  return unwrap(api.POST("/api/identity/organizations/current/members/{user_id}/deactivate", { params: { path: { user_id: userId } } }));
}

export function useDeactivateMember() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) => deactivateMember(api, userId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: membersQueryKey }),
  });
}
