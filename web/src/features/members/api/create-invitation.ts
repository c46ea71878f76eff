import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, type Schemas, unwrap } from "../../../lib/api/client";
import { invitationsQueryKey } from "./get-invitations";

export type InvitationInput = Schemas["InvitationCreate"];

/** POST /api/identity/organizations/current/invitations: mails a link to join with `role`. */
export function createInvitation(api: ApiClient, input: InvitationInput) {
  return unwrap(api.POST("/api/identity/organizations/current/invitations", { body: input }));
}

export function useCreateInvitation() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: InvitationInput) => createInvitation(api, input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: invitationsQueryKey }),
  });
}
