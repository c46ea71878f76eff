import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";
import { invitationsQueryKey } from "./get-invitations";

/** POST /api/identity/organizations/current/invitations/{invitation_id}/revoke: the link stops working. */
export function revokeInvitation(api: ApiClient, invitationId: string) {
  return unwrap(
    api.POST("/api/identity/organizations/current/invitations/{invitation_id}/revoke", { params: { path: { invitation_id: invitationId } } }),
  );
}

export function useRevokeInvitation() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (invitationId: string) => revokeInvitation(api, invitationId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: invitationsQueryKey }),
  });
}
