import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";
import { membersQueryKey } from "./get-members";

/** DELETE /api/identity/organizations/current/members/{user_id}: removes the member and erases their personal data. */
export function removeMember(api: ApiClient, userId: string) {
  return unwrap(api.DELETE("/api/identity/organizations/current/members/{user_id}", { params: { path: { user_id: userId } } }));
}

export function useRemoveMember() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) => removeMember(api, userId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: membersQueryKey }),
  });
}
