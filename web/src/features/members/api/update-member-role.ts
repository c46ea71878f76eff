import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, type Schemas, unwrap } from "../../../lib/api/client";
import { membersQueryKey } from "./get-members";

export type MemberRole = Schemas["Role"];

/** PATCH /api/identity/organizations/current/members/{user_id}: gives the member another role. */
export function updateMemberRole(api: ApiClient, { userId, role }: { userId: string; role: MemberRole }) {
  return unwrap(api.PATCH("/api/identity/organizations/current/members/{user_id}", { params: { path: { user_id: userId } }, body: { role } }));
}

export function useUpdateMemberRole() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { userId: string; role: MemberRole }) => updateMemberRole(api, input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: membersQueryKey }),
  });
}
