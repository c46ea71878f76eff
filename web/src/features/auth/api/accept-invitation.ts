import { useMutation } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, type Schemas, unwrap } from "../../../lib/api/client";

export type AcceptInvitationInput = Schemas["InvitationAcceptCreate"];

/** POST /api/identity/invitations/accept: the mailed token, name and password; answers the enrolment token for TOTP. */
export function acceptInvitation(api: ApiClient, input: AcceptInvitationInput) {
  return unwrap(api.POST("/api/identity/invitations/accept", { body: input }));
}

export function useAcceptInvitation() {
  const api = useApi();
  return useMutation({ mutationFn: (input: AcceptInvitationInput) => acceptInvitation(api, input) });
}
