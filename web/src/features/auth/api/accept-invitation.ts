import { useMutation } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, type Schemas, unwrap } from "../../../lib/api/client";

export type AcceptInvitationInput = Schemas["InvitationAcceptCreate"];

/** POST /api/identity/invitations/{token}/accept: name and password; answers the enrolment token for TOTP. */
export function acceptInvitation(api: ApiClient, { token, ...body }: AcceptInvitationInput & { token: string }) {
  return unwrap(api.POST("/api/identity/invitations/{token}/accept", { params: { path: { token } }, body }));
}

export function useAcceptInvitation() {
  const api = useApi();
  return useMutation({ mutationFn: (input: AcceptInvitationInput & { token: string }) => acceptInvitation(api, input) });
}
