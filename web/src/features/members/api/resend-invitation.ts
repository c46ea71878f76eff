import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, unwrap } from "../../../lib/api/client";
import { invitationsQueryKey } from "./get-invitations";

/** POST /api/identity/organizations/current/invitations/{invitation_id}/resend: a new link and 7 new days; the old link stops working. */
export function resendInvitation(api: ApiClient, invitationId: string) {
  return unwrap(
    api.POST("/api/identity/organizations/current/invitations/{invitation_id}/resend", { params: { path: { invitation_id: invitationId } } }),
  );
}

export function useResendInvitation() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (invitationId: string) => resendInvitation(api, invitationId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: invitationsQueryKey }),
  });
}
