import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";
import { membersQueryKey } from "./get-members";

/** POST …/members/{user_id}/reactivate: they log in again with password and authenticator. */
export function reactivateMember(api: ApiClient, userId: string) {
  return unwrap(api.POST("/api/identity/organizations/current/members/{user_id}/reactivate", { params: { path: { user_id: userId } } }));
}

export function useReactivateMember() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) => reactivateMember(api, userId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: membersQueryKey }),
  });
}
